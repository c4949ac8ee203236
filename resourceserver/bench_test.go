package resourceserver_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// BenchmarkAddScope compares one AddScope through the Client (validation,
// locks, guard, Describe + Update + verifying Describe; rate limits off so
// that the emulator's speed is measured, not Cognito's quota) with a
// hand-written Describe + Update on the raw SDK client, both against the
// local emulator, on a resource server of 20 scopes. Each iteration
// changes one scope's description, so every iteration writes.
func BenchmarkAddScope(b *testing.B) {
	ctx := b.Context()
	scope := func(i int) resourceserver.Scope {
		return resourceserver.Scope{Name: fmt.Sprintf("scope-%d", i%20), Description: fmt.Sprintf("Description %d", i)}
	}
	run := func(b *testing.B, add func(*cip.Client, resourceserver.Scope) error) {
		s := startEmulator(b)
		put(b, s, makeServer(makeScopes(20)...))
		api := emuClient(s)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := add(api, scope(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, tt := range []struct {
		name   string
		optFns []func(*resourceserver.Options)
	}{
		{"client", nil},
		{"client-noverify", []func(*resourceserver.Options){noVerify}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var c *resourceserver.Client
			run(b, func(api *cip.Client, sc resourceserver.Scope) error {
				if c == nil {
					c = resourceserver.New(api, append([]func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}, tt.optFns...)...)
				}
				_, err := c.AddScope(ctx, testPool, testID, sc)
				return err
			})
		})
	}
	b.Run("raw", func(b *testing.B) {
		run(b, func(api *cip.Client, sc resourceserver.Scope) error {
			out, err := api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(testPool), Identifier: aws.String(testID)})
			if err != nil {
				return err
			}
			rs := out.ResourceServer
			found := false
			for i := range rs.Scopes {
				if aws.ToString(rs.Scopes[i].ScopeName) == sc.Name {
					rs.Scopes[i].ScopeDescription = aws.String(sc.Description)
					found = true
				}
			}
			if !found {
				rs.Scopes = append(rs.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(sc.Name), ScopeDescription: aws.String(sc.Description)})
			}
			_, err = api.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
				UserPoolId: rs.UserPoolId, Identifier: rs.Identifier, Name: rs.Name, Scopes: rs.Scopes,
			})
			return err
		})
	})
}

// BenchmarkCalls counts the Cognito requests that one operation costs, as
// the emulator's request log records them, and reports them as calls/op
// next to its time against the local emulator. Each operation runs through
// the default Client ("client": Describe, Update, verifying Describe),
// through a Client with DisableVerify ("client-noverify") and as the
// naive hand-written equivalent on the raw SDK client ("raw": Describe,
// then Update with the changed copy, whether or not anything changed;
// List: the SDK's paginator with 50 per page). Rate limits are off in the
// Clients: they change timing, not the number of calls. The resource
// server holds 20 scopes; List runs on a pool of 120 resource servers.
func BenchmarkCalls(b *testing.B) {
	ctx := b.Context()
	twenty := makeServer(makeScopes(20)...)
	setupOne := func(b *testing.B, s *cognitotest.Server) { put(b, s, twenty) }
	ops := []struct {
		name   string
		setup  func(*testing.B, *cognitotest.Server)
		reset  func(*testing.B, *cognitotest.Server) // before each iteration, outside the timer and the log; may be nil
		client func(*resourceserver.Client, int) error
		raw    func(*cip.Client, int) error
		list   bool // no write, so no client-noverify variant
	}{
		{
			name:  "AddScope",
			setup: setupOne,
			client: func(c *resourceserver.Client, i int) error {
				_, err := c.AddScope(ctx, testPool, testID, benchScope(i))
				return err
			},
			raw: func(api *cip.Client, i int) error {
				return rawChange(ctx, api, func(rs *types.ResourceServerType) { rawUpsert(rs, benchScope(i)) })
			},
		},
		{
			name:  "AddScope-noop",
			setup: setupOne,
			client: func(c *resourceserver.Client, _ int) error {
				_, err := c.AddScope(ctx, testPool, testID, twenty.Scopes[0])
				return err
			},
			raw: func(api *cip.Client, _ int) error {
				return rawChange(ctx, api, func(rs *types.ResourceServerType) { rawUpsert(rs, twenty.Scopes[0]) })
			},
		},
		{
			name:  "RemoveScopes",
			setup: setupOne,
			reset: setupOne,
			client: func(c *resourceserver.Client, _ int) error {
				_, err := c.RemoveScopes(ctx, testPool, testID, "scope-7")
				return err
			},
			raw: func(api *cip.Client, _ int) error {
				return rawChange(ctx, api, func(rs *types.ResourceServerType) {
					rs.Scopes = slices.DeleteFunc(rs.Scopes, func(s types.ResourceServerScopeType) bool {
						return aws.ToString(s.ScopeName) == "scope-7"
					})
				})
			},
		},
		{
			name:  "Rename",
			setup: setupOne,
			client: func(c *resourceserver.Client, i int) error {
				_, err := c.Rename(ctx, testPool, testID, benchName(i))
				return err
			},
			raw: func(api *cip.Client, i int) error {
				return rawChange(ctx, api, func(rs *types.ResourceServerType) { rs.Name = aws.String(benchName(i)) })
			},
		},
		{
			name: "List120",
			setup: func(b *testing.B, s *cognitotest.Server) {
				for i := range 120 {
					rs := makeServer(readScope)
					rs.Identifier = fmt.Sprintf("https://api-%03d.example.com", i)
					put(b, s, rs)
				}
			},
			client: func(c *resourceserver.Client, _ int) error {
				n := 0
				for _, err := range c.List(ctx, testPool) {
					if err != nil {
						return err
					}
					n++
				}
				return wantListed(n)
			},
			raw: func(api *cip.Client, _ int) error {
				p := cip.NewListResourceServersPaginator(api, &cip.ListResourceServersInput{
					UserPoolId: aws.String(testPool), MaxResults: aws.Int32(50),
				})
				n := 0
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						return err
					}
					n += len(out.ResourceServers)
				}
				return wantListed(n)
			},
			list: true,
		},
	}
	measure := func(b *testing.B, setup, reset func(*testing.B, *cognitotest.Server), do func(*cip.Client, int) error) {
		s := startEmulator(b)
		setup(b, s)
		api := emuClient(s)
		s.ResetRequests()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if reset != nil {
				b.StopTimer()
				reset(b, s)
				b.StartTimer()
			}
			if err := do(api, i); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(len(s.Requests()))/float64(b.N), "calls/op")
	}
	for _, op := range ops {
		variants := []struct {
			name   string
			optFns []func(*resourceserver.Options)
		}{
			{"client", nil},
			{"client-noverify", []func(*resourceserver.Options){noVerify}},
		}
		if op.list {
			variants = variants[:1]
		}
		for _, v := range variants {
			b.Run(op.name+"/"+v.name, func(b *testing.B) {
				var c *resourceserver.Client
				measure(b, op.setup, op.reset, func(api *cip.Client, i int) error {
					if c == nil {
						c = resourceserver.New(api, append([]func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}, v.optFns...)...)
					}
					return op.client(c, i)
				})
			})
		}
		b.Run(op.name+"/raw", func(b *testing.B) { measure(b, op.setup, op.reset, op.raw) })
	}
}

// benchScope returns a scope among the 20 of makeScopes with a description
// that changes with i, so that adding it always writes.
func benchScope(i int) resourceserver.Scope {
	return resourceserver.Scope{Name: fmt.Sprintf("scope-%d", i%20), Description: fmt.Sprintf("Description %d", i)}
}

// benchName returns a resource-server name that differs from the one of
// iteration i-1, so that renaming to it always writes.
func benchName(i int) string { return fmt.Sprintf("Orders API %d", i%2) }

// wantListed checks that a listing saw the 120 resource servers of
// BenchmarkCalls.
func wantListed(n int) error {
	if n != 120 {
		return fmt.Errorf("listed %d resource servers, want 120", n)
	}
	return nil
}

// rawChange is the naive read-modify-write on the raw SDK client: one
// Describe, change applied to the copy, one Update with its name and
// scopes.
func rawChange(ctx context.Context, api *cip.Client, change func(*types.ResourceServerType)) error {
	out, err := api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(testPool), Identifier: aws.String(testID)})
	if err != nil {
		return err
	}
	rs := out.ResourceServer
	change(rs)
	_, err = api.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: rs.UserPoolId, Identifier: rs.Identifier, Name: rs.Name, Scopes: rs.Scopes,
	})
	return err
}

// rawUpsert sets the description of the scope named sc.Name in rs, or
// appends sc.
func rawUpsert(rs *types.ResourceServerType, sc resourceserver.Scope) {
	for i := range rs.Scopes {
		if aws.ToString(rs.Scopes[i].ScopeName) == sc.Name {
			rs.Scopes[i].ScopeDescription = aws.String(sc.Description)
			return
		}
	}
	rs.Scopes = append(rs.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(sc.Name), ScopeDescription: aws.String(sc.Description)})
}
