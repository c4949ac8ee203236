package resourceserver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// BenchmarkAddScope compares one AddScope through the Client (validation,
// locks, guard, Describe + Update + verifying Describe; rate limits off so
// that the emulator's speed is measured, not Cognito's quota) with a
// hand-written Describe + Update on the raw SDK client, both against the
// local emulator, on a resource server of 20 scopes. Each iteration
// changes one scope's description, so every iteration writes.
func BenchmarkAddScope(b *testing.B) {
	ctx := context.Background()
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
