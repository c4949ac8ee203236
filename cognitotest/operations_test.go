package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

func TestResourceServerLifecycle(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client()
	ctx := t.Context()
	const id = "https://api.example.com/v1"

	created, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("API"),
		Scopes: sdkScopes("read", "Read things", "write", "Write things"),
	})
	if err != nil {
		t.Fatalf("CreateResourceServer: %v", err)
	}
	want := rst.ResourceServer{UserPoolID: pool, Identifier: id, Name: "API", Scopes: scopes("read", "Read things", "write", "Write things")}
	if diff := cmp.Diff(want, fromSDK(created.ResourceServer)); diff != "" {
		t.Errorf("CreateResourceServer output (-want +got):\n%s", diff)
	}
	got, ok := s.ResourceServer(pool, id)
	if !ok {
		t.Fatalf("ResourceServer(%q, %q) not stored after CreateResourceServer", pool, id)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored server (-want +got):\n%s", diff)
	}

	described, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeResourceServer: %v", err)
	}
	if diff := cmp.Diff(want, fromSDK(described.ResourceServer)); diff != "" {
		t.Errorf("DescribeResourceServer output (-want +got):\n%s", diff)
	}

	want.Name = "API v2"
	want.Scopes = scopes("write", "Write", "admin", "Administer")
	updated, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("API v2"),
		Scopes: sdkScopes("write", "Write", "admin", "Administer"),
	})
	if err != nil {
		t.Fatalf("UpdateResourceServer: %v", err)
	}
	if diff := cmp.Diff(want, fromSDK(updated.ResourceServer)); diff != "" {
		t.Errorf("UpdateResourceServer output (-want +got):\n%s", diff)
	}

	listed, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatalf("ListResourceServers: %v", err)
	}
	if len(listed.ResourceServers) != 1 || listed.NextToken != nil {
		t.Fatalf("ListResourceServers = %d servers, NextToken %v; want 1 server and no token", len(listed.ResourceServers), listed.NextToken)
	}
	if diff := cmp.Diff(want, fromSDK(&listed.ResourceServers[0])); diff != "" {
		t.Errorf("ListResourceServers server (-want +got):\n%s", diff)
	}

	if _, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)}); err != nil {
		t.Fatalf("DeleteResourceServer: %v", err)
	}
	if _, ok := s.ResourceServer(pool, id); ok {
		t.Errorf("ResourceServer(%q, %q) still stored after DeleteResourceServer", pool, id)
	}
	_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeResourceServer after delete = %v, want ResourceNotFoundException", err)
	}

	wantLog := []rst.Request{
		{Operation: "CreateResourceServer", UserPoolID: pool, Identifier: id, Status: 200, Applied: true},
		{Operation: "DescribeResourceServer", UserPoolID: pool, Identifier: id, Status: 200, Applied: true},
		{Operation: "UpdateResourceServer", UserPoolID: pool, Identifier: id, Status: 200, Applied: true},
		{Operation: "ListResourceServers", UserPoolID: pool, Status: 200, Applied: true},
		{Operation: "DeleteResourceServer", UserPoolID: pool, Identifier: id, Status: 200, Applied: true},
		{Operation: "DescribeResourceServer", UserPoolID: pool, Identifier: id, Status: 400, Code: "ResourceNotFoundException", Message: "Resource server " + id + " does not exist."},
	}
	if diff := cmp.Diff(wantLog, s.Requests()); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
}

func TestCreateResourceServerValidation(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client(oneShot)

	long := func(n int) string { return strings.Repeat("a", n) }
	emoji := func(n int) string { return strings.Repeat("\U0001F600", n) }
	hundredAndOne := make([]string, 0, 202)
	for i := range 101 {
		hundredAndOne = append(hundredAndOne, fmt.Sprintf("s%d", i), "d")
	}
	// renderedScopes renders the first shown scopes of pairs as the service's Java toString
	// does; when the list is longer, the message names the number of scopes instead of the rest.
	renderedScopes := func(pairs []string, shown int) string {
		var parts []string
		for i := 0; i < 2*shown; i += 2 {
			parts = append(parts, "ResourceServerScopeType(scopeName="+pairs[i]+", scopeDescription="+pairs[i+1]+")")
		}
		if 2*shown < len(pairs) {
			parts = append(parts, fmt.Sprintf("... (%d scopes)", len(pairs)/2))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	const (
		poolPattern  = `Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`
		idPattern    = `Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+`
		namePattern  = `Member must satisfy regular expression pattern: [\w\s+=,.@-]+`
		scopePattern = `Member must satisfy regular expression pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`
	)

	tests := []struct {
		name       string
		pool       string // "" means the test pool
		identifier string
		srvName    string
		scopes     []string
		wantMsg    string // "" means accepted
	}{
		{name: "minimal", identifier: "api", srvName: "API"},
		{name: "URL identifier with colon and pipe", identifier: "https://api.example.com/v1:x|y", srvName: "API"},
		{name: "vertical tab in name", identifier: "vt", srvName: "a\x0Bb"},
		{name: "every Java whitespace in name", identifier: "ws", srvName: " \t\n\x0B\f\r"},
		{name: "name symbols", identifier: "sym", srvName: "a_b+c=d,e.f@g-h"},
		{name: "name of 256", identifier: "n256", srvName: long(256)},
		{name: "name of 257", identifier: "n257", srvName: long(257),
			wantMsg: "1 validation error detected: Value '" + long(257) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{name: "non-ASCII letter in name", identifier: "e", srvName: "caf\u00e9",
			wantMsg: "1 validation error detected: Value 'caf\u00e9' at 'name' failed to satisfy constraint: " + namePattern},
		{name: "description of 256 four-byte characters", identifier: "d256", srvName: "D", scopes: []string{"read", emoji(256)}},
		{name: "description of 257 four-byte characters", identifier: "d257", srvName: "D", scopes: []string{"read", emoji(257)},
			wantMsg: "1 validation error detected: Value '" + emoji(257) + "' at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{name: "several violations in one message", pool: "x y", identifier: "a b", srvName: "",
			wantMsg: "4 validation errors detected: " +
				"Value 'x y' at 'userPoolId' failed to satisfy constraint: " + poolPattern + "; " +
				"Value 'a b' at 'identifier' failed to satisfy constraint: " + idPattern + "; " +
				"Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'name' failed to satisfy constraint: " + namePattern},
		{name: "pool id of 56", pool: "us-east-1_" + long(46), identifier: "p", srvName: "P",
			wantMsg: "1 validation error detected: Value 'us-east-1_" + long(46) + "' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55"},
		{name: "identifier with quote", identifier: `a"b`, srvName: "Q",
			wantMsg: `1 validation error detected: Value 'a"b' at 'identifier' failed to satisfy constraint: ` + idPattern},
		{name: "identifier with backslash", identifier: `a\b`, srvName: "Q",
			wantMsg: `1 validation error detected: Value 'a\b' at 'identifier' failed to satisfy constraint: ` + idPattern},
		{name: "identifier of 257", identifier: long(257), srvName: "Q",
			wantMsg: "1 validation error detected: Value '" + long(257) + "' at 'identifier' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{name: "slash in second scope name", identifier: "sl", srvName: "S", scopes: []string{"ok", "d", "a/b", "d"},
			wantMsg: "1 validation error detected: Value 'a/b' at 'scopes.2.member.scopeName' failed to satisfy constraint: " + scopePattern},
		{name: "empty scope description", identifier: "ed", srvName: "S", scopes: []string{"read", ""},
			wantMsg: "1 validation error detected: Value '' at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "101 scopes", identifier: "many", srvName: "S", scopes: hundredAndOne,
			wantMsg: "1 validation error detected: Value '" + renderedScopes(hundredAndOne, 9) + "' at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{name: "100 scopes", identifier: "hundred", srvName: "S", scopes: hundredAndOne[:200]},
		{name: "repeated scope name", identifier: "dup", srvName: "S", scopes: []string{"read", "a", "write", "b", "read", "c"},
			wantMsg: "Duplicate scope name 'read': scope names must be unique within a resource server."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			poolID := pool
			if tt.pool != "" {
				poolID = tt.pool
			}
			_, err := c.CreateResourceServer(t.Context(), &cip.CreateResourceServerInput{
				UserPoolId: aws.String(poolID), Identifier: aws.String(tt.identifier), Name: aws.String(tt.srvName),
				Scopes: sdkScopes(tt.scopes...),
			})
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("CreateResourceServer(%q, %q) = %v, want success", tt.identifier, tt.srvName, err)
				}
				got, ok := s.ResourceServer(poolID, tt.identifier)
				want := rst.ResourceServer{UserPoolID: poolID, Identifier: tt.identifier, Name: tt.srvName, Scopes: scopes(tt.scopes...)}
				if diff := cmp.Diff(want, got); !ok || diff != "" {
					t.Errorf("stored server (found %t) (-want +got):\n%s", ok, diff)
				}
				return
			}
			var invalid *types.InvalidParameterException
			if !errors.As(err, &invalid) {
				t.Fatalf("CreateResourceServer(%q) = %v, want InvalidParameterException", tt.identifier, err)
			}
			if diff := cmp.Diff(tt.wantMsg, aws.ToString(invalid.Message)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if _, ok := s.ResourceServer(poolID, tt.identifier); ok {
				t.Errorf("refused server %q was stored", tt.identifier)
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithMaxResourceServers(300))
	other := s.CreateUserPool("other")
	c := s.Client(oneShot)
	ctx := t.Context()
	const missingPool = "us-east-1_Missing1"
	if _, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API")}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: other, Identifier: fmt.Sprint("o", i), Name: "O"}); err != nil {
			t.Fatal(err)
		}
	}
	otherPage, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(other), MaxResults: aws.Int32(1)})
	if err != nil || otherPage.NextToken == nil {
		t.Fatalf("ListResourceServers(other) = %v, %v; want a NextToken", otherPage, err)
	}

	tests := []struct {
		name     string
		call     func(context.Context) error
		wantCode string
		wantMsg  string
	}{
		{"describe in missing pool", func(ctx context.Context) error {
			_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(missingPool), Identifier: aws.String("api")})
			return err
		}, "ResourceNotFoundException", "User pool " + missingPool + " does not exist."},
		{"create in missing pool", func(ctx context.Context) error {
			_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(missingPool), Identifier: aws.String("api"), Name: aws.String("API")})
			return err
		}, "ResourceNotFoundException", "User pool " + missingPool + " does not exist."},
		{"list in missing pool", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(missingPool), MaxResults: aws.Int32(5)})
			return err
		}, "ResourceNotFoundException", "User pool " + missingPool + " does not exist."},
		{"describe missing server", func(ctx context.Context) error {
			_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://nope")})
			return err
		}, "ResourceNotFoundException", "Resource server https://nope does not exist."},
		{"update missing server", func(ctx context.Context) error {
			_, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://nope"), Name: aws.String("N")})
			return err
		}, "ResourceNotFoundException", "Resource server https://nope does not exist."},
		{"delete missing server", func(ctx context.Context) error {
			_, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://nope")})
			return err
		}, "ResourceNotFoundException", "Resource server https://nope does not exist."},
		{"duplicate identifier", func(ctx context.Context) error {
			_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("Again")})
			return err
		}, "InvalidParameterException", "api already exists in user pool " + pool + "."},
		{"update with repeated scope", func(ctx context.Context) error {
			_, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("N"), Scopes: sdkScopes("a", "1", "a", "2")})
			return err
		}, "InvalidParameterException", "Duplicate scope name 'a': scope names must be unique within a resource server."},
		{"list MaxResults 51", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(51)})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"list MaxResults 0", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(0)})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"list with forged token", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), NextToken: aws.String("forged")})
			return err
		}, "InvalidParameterException", "Invalid pagination token: forged"},
		{"list with another pool's token", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), NextToken: otherPage.NextToken})
			return err
		}, "InvalidParameterException", "Invalid pagination token: " + aws.ToString(otherPage.NextToken)},
		{"list with blank token", func(ctx context.Context) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), NextToken: aws.String("a b")})
			return err
		}, "InvalidParameterException", `1 validation error detected: Value 'a b' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
		{"describe missing user pool", func(ctx context.Context) error {
			_, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(missingPool)})
			return err
		}, "ResourceNotFoundException", "User pool " + missingPool + " does not exist."},
		{"delete missing user pool", func(ctx context.Context) error {
			_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(missingPool)})
			return err
		}, "ResourceNotFoundException", "User pool " + missingPool + " does not exist."},
		{"list user pools MaxResults 61", func(ctx context.Context) error {
			_, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"create user pool with bad name", func(ctx context.Context) error {
			_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("a/b")})
			return err
		}, "InvalidParameterException", `1 validation error detected: Value 'a/b' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := apiError(t, tt.call(t.Context()))
			if code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("error = %s %q, want %s %q", code, msg, tt.wantCode, tt.wantMsg)
			}
		})
	}
	if diff := cmp.Diff([]string{"api"}, identifiers(s.ResourceServers(pool))); diff != "" {
		t.Errorf("servers after failed calls (-want +got):\n%s", diff)
	}
}

func identifiers(rs []rst.ResourceServer) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Identifier)
	}
	return out
}

func TestLimitExceeded(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithMaxResourceServers(2))
	ctx := t.Context()
	create := func(c *cip.Client, id string) error {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("S")})
		return err
	}
	for _, id := range []string{"a", "b"} {
		if err := create(s.Client(), id); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	wantMsg := "Exceeded the maximum number of resource servers (2) for user pool " + pool + "."

	t.Run("one attempt", func(t *testing.T) {
		s.ResetRequests()
		err := create(s.Client(oneShot), "c")
		var limit *types.LimitExceededException
		if !errors.As(err, &limit) || aws.ToString(limit.Message) != wantMsg {
			t.Fatalf("third create = %v, want LimitExceededException %q", err, wantMsg)
		}
		if diff := cmp.Diff([]string{"LimitExceededException"}, codes(s.Requests())); diff != "" {
			t.Errorf("logged codes (-want +got):\n%s", diff)
		}
	})
	t.Run("standard retryer retries it", func(t *testing.T) {
		s.ResetRequests()
		err := create(s.Client(), "c")
		var limit *types.LimitExceededException
		if !errors.As(err, &limit) {
			t.Fatalf("third create = %v, want LimitExceededException", err)
		}
		// The SDK's standard retryer counts LimitExceededException as throttling: 3 attempts.
		want := []string{"LimitExceededException", "LimitExceededException", "LimitExceededException"}
		if diff := cmp.Diff(want, codes(s.Requests())); diff != "" {
			t.Errorf("logged codes (-want +got):\n%s", diff)
		}
	})
	if got := identifiers(s.ResourceServers(pool)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("servers = %v, want [a b]", got)
	}
}

// TestUpdateReplacesScopes checks what the conformance suite cannot (the service documents no
// order): the scopes an Update sends are stored and answered in the order sent. That an Update
// deletes the scopes it leaves out is in the suite (conformance.Run, UpdateResourceServerReplaces).
func TestUpdateReplacesScopes(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client()
	const id = "https://api.example.com"
	tests := []struct {
		name   string
		scopes []string
		want   []rst.Scope
	}{
		{name: "full list keeps all, in the order sent", scopes: []string{"c", "C", "b", "B", "a", "A"}, want: scopes("c", "C", "b", "B", "a", "A")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: id, Name: "Old", Scopes: scopes("a", "A", "b", "B", "c", "C")}); err != nil {
				t.Fatal(err)
			}
			out, err := c.UpdateResourceServer(t.Context(), &cip.UpdateResourceServerInput{
				UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("New"), Scopes: sdkScopes(tt.scopes...),
			})
			if err != nil {
				t.Fatalf("UpdateResourceServer: %v", err)
			}
			want := rst.ResourceServer{UserPoolID: pool, Identifier: id, Name: "New", Scopes: tt.want}
			if diff := cmp.Diff(want, fromSDK(out.ResourceServer)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			got, _ := s.ResourceServer(pool, id)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
			d, err := c.DescribeResourceServer(t.Context(), &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, fromSDK(d.ResourceServer)); diff != "" {
				t.Errorf("described (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListResourceServersPagination(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithMaxResourceServers(300))
	c := s.Client()
	ctx := t.Context()
	var want []string
	for i := range 120 {
		id := fmt.Sprintf("https://api.example.com/%03d", (i*37)%120) // created out of order
		want = append(want, id)
		if _, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("S")}); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	slices.Sort(want)

	tests := []struct {
		name       string
		maxResults *int32
	}{
		{"MaxResults 50", aws.Int32(50)},
		{"MaxResults unset pages by 50", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			var got []string
			p := cip.NewListResourceServersPaginator(c, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: tt.maxResults})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatalf("NextPage: %v", err)
				}
				sizes = append(sizes, len(page.ResourceServers))
				for _, rs := range page.ResourceServers {
					got = append(got, aws.ToString(rs.Identifier))
				}
			}
			if diff := cmp.Diff([]int{50, 50, 20}, sizes); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("identifiers (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("tokens survive deletions", func(t *testing.T) {
		first, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(10)})
		if err != nil {
			t.Fatal(err)
		}
		// Delete the last server of the first page and the first of the second.
		for _, id := range []string{want[9], want[10]} {
			if _, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		second, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(10), NextToken: first.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rs := range second.ResourceServers {
			got = append(got, aws.ToString(rs.Identifier))
		}
		if diff := cmp.Diff(want[11:21], got); diff != "" {
			t.Errorf("second page after deletions (-want +got):\n%s", diff)
		}
	})

	t.Run("exact multiple ends without token", func(t *testing.T) {
		s2, pool2 := setup(t)
		for i := range 4 {
			if err := s2.PutResourceServer(rst.ResourceServer{UserPoolID: pool2, Identifier: fmt.Sprint(i), Name: "S"}); err != nil {
				t.Fatal(err)
			}
		}
		c2 := s2.Client()
		first, err := c2.ListResourceServers(t.Context(), &cip.ListResourceServersInput{UserPoolId: aws.String(pool2), MaxResults: aws.Int32(2)})
		if err != nil || first.NextToken == nil {
			t.Fatalf("first page = %v, %v; want a token", first, err)
		}
		second, err := c2.ListResourceServers(t.Context(), &cip.ListResourceServersInput{UserPoolId: aws.String(pool2), MaxResults: aws.Int32(2), NextToken: first.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		if len(second.ResourceServers) != 2 || second.NextToken != nil {
			t.Errorf("last page = %d servers, token %v; want 2 and no token", len(second.ResourceServers), second.NextToken)
		}
	})
}

func TestUserPools(t *testing.T) {
	t.Parallel()
	s := rst.NewServer(rst.WithRegion("eu-west-3"))
	t.Cleanup(s.Close)
	c := s.Client()
	ctx := t.Context()
	idRE := regexp.MustCompile(`^eu-west-3_[0-9A-Za-z]{9}$`)

	var ids []string
	for i := range 5 {
		out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprint("pool ", i))})
		if err != nil {
			t.Fatalf("CreateUserPool: %v", err)
		}
		id := aws.ToString(out.UserPool.Id)
		if !idRE.MatchString(id) {
			t.Errorf("pool id %q does not match %s", id, idRE)
		}
		if out.UserPool.CreationDate == nil || out.UserPool.LastModifiedDate == nil || out.UserPool.CreationDate.IsZero() {
			t.Errorf("pool dates = %v, %v; want both set", out.UserPool.CreationDate, out.UserPool.LastModifiedDate)
		}
		ids = append(ids, id)
	}
	if id := s.CreateUserPool("direct"); !idRE.MatchString(id) {
		t.Errorf("CreateUserPool() = %q, does not match %s", id, idRE)
	} else {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(ids[0])})
	if err != nil || aws.ToString(d.UserPool.Id) != ids[0] || aws.ToString(d.UserPool.Name) == "" {
		t.Fatalf("DescribeUserPool = %+v, %v", d, err)
	}

	var listed []string
	var sizes []int
	p := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(4)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.UserPools))
		for _, up := range page.UserPools {
			listed = append(listed, aws.ToString(up.Id))
		}
	}
	if diff := cmp.Diff(ids, listed); diff != "" {
		t.Errorf("ListUserPools ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{4, 2}, sizes); diff != "" {
		t.Errorf("ListUserPools page sizes (-want +got):\n%s", diff)
	}

	victim := ids[0]
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: victim, Identifier: "api", Name: "API"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(victim)}); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	if _, ok := s.ResourceServer(victim, "api"); ok {
		t.Error("resource server survived DeleteUserPool")
	}
	_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(victim), Identifier: aws.String("api")})
	if code, msg := apiError(t, err); code != "ResourceNotFoundException" || msg != "User pool "+victim+" does not exist." {
		t.Errorf("describe in deleted pool = %s %q", code, msg)
	}
	if err := s.AddUserPool(victim, "reborn"); err != nil {
		t.Fatalf("AddUserPool(%q) after delete: %v", victim, err)
	}
	if _, ok := s.ResourceServer(victim, "api"); ok {
		t.Error("re-added pool has the old pool's servers")
	}
}
