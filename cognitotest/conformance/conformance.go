package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// cleanupTimeout bounds the deletes that end each subtest.
const cleanupTimeout = 2 * time.Minute

// Run runs the suite against the user pool poolID through client, each check a subtest of t
// (one after another, to stay within Cognito's rate quotas). Every resource server and app
// client a subtest creates has a name no other run uses, and is deleted when the subtest ends,
// whatever its outcome; a delete that fails is reported as a test error.
func Run(t *testing.T, client *cip.Client, poolID string) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, &env{t: t, api: client, pool: poolID, prefix: "sk-conformance-" + randomHex()})
		})
	}
}

// checks are the suite's subtests, in the order Run runs them.
var checks = []struct {
	name string
	run  func(*testing.T, *env)
}{
	{"ResourceServerLifecycle", resourceServerLifecycle},
	{"UpdateResourceServerReplaces", updateResourceServerReplaces},
	{"ResourceServerValidation", resourceServerValidation},
	{"ResourceServerNotFound", resourceServerNotFound},
	{"ListResourceServersPages", listResourceServersPages},
	{"AppClientDefaults", appClientDefaults},
	{"UpdateUserPoolClientResets", updateUserPoolClientResets},
	{"AppClientValidation", appClientValidation},
	{"AppClientNotFound", appClientNotFound},
	{"ListUserPoolClientsPages", listUserPoolClientsPages},
	{"InactiveScopes", inactiveScopes},
}

// env is what a check works with.
type env struct {
	t      *testing.T
	api    *cip.Client
	pool   string
	prefix string // unique to the subtest
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// name returns a unique name for the subtest's n-th resource.
func (e *env) name(n int) string { return fmt.Sprintf("%s-%d", e.prefix, n) }

// ctx returns the subtest's context.
func (e *env) ctx() context.Context { return e.t.Context() }

// createServer creates a resource server and deletes it when the subtest ends.
func (e *env) createServer(identifier, name string, scopes ...types.ResourceServerScopeType) *types.ResourceServerType {
	e.t.Helper()
	out, err := e.api.CreateResourceServer(e.ctx(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String(e.pool), Identifier: aws.String(identifier), Name: aws.String(name), Scopes: scopes,
	})
	if err != nil {
		e.t.Fatalf("CreateResourceServer(%s): %v", identifier, err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		_, err := e.api.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(identifier)})
		if nf := (*types.ResourceNotFoundException)(nil); err != nil && !errors.As(err, &nf) {
			e.t.Errorf("cleanup: DeleteResourceServer(%s): %v", identifier, err)
		}
	})
	return out.ResourceServer
}

// createClient creates an app client from in (UserPoolId set here) and deletes it when the
// subtest ends.
func (e *env) createClient(in cip.CreateUserPoolClientInput) *types.UserPoolClientType {
	e.t.Helper()
	in.UserPoolId = aws.String(e.pool)
	out, err := e.api.CreateUserPoolClient(e.ctx(), &in)
	if err != nil {
		e.t.Fatalf("CreateUserPoolClient(%s): %v", aws.ToString(in.ClientName), err)
	}
	e.deleteClientAtEnd(out.UserPoolClient.ClientId)
	return out.UserPoolClient
}

func (e *env) deleteClientAtEnd(id *string) {
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		_, err := e.api.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: id})
		if nf := (*types.ResourceNotFoundException)(nil); err != nil && !errors.As(err, &nf) {
			e.t.Errorf("cleanup: DeleteUserPoolClient(%s): %v", aws.ToString(id), err)
		}
	})
}

func (e *env) describeServer(identifier string) (*types.ResourceServerType, error) {
	out, err := e.api.DescribeResourceServer(e.ctx(), &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(identifier)})
	if err != nil {
		return nil, err
	}
	return out.ResourceServer, nil
}

func (e *env) describeClient(id *string) *types.UserPoolClientType {
	e.t.Helper()
	out, err := e.api.DescribeUserPoolClient(e.ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: id})
	if err != nil {
		e.t.Fatalf("DescribeUserPoolClient(%s): %v", aws.ToString(id), err)
	}
	return out.UserPoolClient
}

// scope builds a scope.
func scope(name, description string) types.ResourceServerScopeType {
	return types.ResourceServerScopeType{ScopeName: aws.String(name), ScopeDescription: aws.String(description)}
}

// scopeMap returns a server's scopes by name: the service documents no order.
func scopeMap(scopes []types.ResourceServerScopeType) map[string]string {
	m := make(map[string]string, len(scopes))
	for _, sc := range scopes {
		m[aws.ToString(sc.ScopeName)] = aws.ToString(sc.ScopeDescription)
	}
	return m
}

// checkServer reports how rs differs from the identifier, name and scopes wanted.
func checkServer(t *testing.T, what string, rs *types.ResourceServerType, pool, identifier, name string, scopes map[string]string) {
	t.Helper()
	if rs == nil {
		t.Errorf("%s: no resource server", what)
		return
	}
	if aws.ToString(rs.UserPoolId) != pool || aws.ToString(rs.Identifier) != identifier || aws.ToString(rs.Name) != name {
		t.Errorf("%s = pool %q, identifier %q, name %q; want %q, %q, %q", what, aws.ToString(rs.UserPoolId), aws.ToString(rs.Identifier), aws.ToString(rs.Name), pool, identifier, name)
	}
	if got := scopeMap(rs.Scopes); !maps.Equal(got, scopes) || len(rs.Scopes) != len(scopes) {
		t.Errorf("%s scopes = %v, want %v", what, got, scopes)
	}
}

// wantError reports an error unless err holds an E, the SDK's type for one exception.
func wantError[E error](t *testing.T, what string, err error) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Errorf("%s = %v, want %T", what, err, target)
	}
}

func resourceServerLifecycle(t *testing.T, e *env) {
	id := "https://" + e.prefix + ".example.com/v1"
	want := map[string]string{"read": "Read", "write": "Write orders"}
	created := e.createServer(id, "Orders API", scope("read", "Read"), scope("write", "Write orders"))
	checkServer(t, "CreateResourceServer", created, e.pool, id, "Orders API", want)
	described, err := e.describeServer(id)
	if err != nil {
		t.Fatalf("DescribeResourceServer: %v", err)
	}
	checkServer(t, "DescribeResourceServer", described, e.pool, id, "Orders API", want)

	var listed *types.ResourceServerType
	for page := range pages(t, e.listServers(50)) {
		for i := range page {
			if aws.ToString(page[i].Identifier) == id {
				listed = &page[i]
			}
		}
	}
	checkServer(t, "ListResourceServers", listed, e.pool, id, "Orders API", want)

	if _, err := e.api.DeleteResourceServer(e.ctx(), &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(id)}); err != nil {
		t.Fatalf("DeleteResourceServer: %v", err)
	}
	_, err = e.describeServer(id)
	wantError[*types.ResourceNotFoundException](t, "DescribeResourceServer after delete", err)
}

func updateResourceServerReplaces(t *testing.T, e *env) {
	id := e.name(1)
	e.createServer(id, "Before", scope("read", "Read"), scope("write", "Write"), scope("admin", "Admin"))
	update := func(name string, scopes ...types.ResourceServerScopeType) {
		t.Helper()
		out, err := e.api.UpdateResourceServer(e.ctx(), &cip.UpdateResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(id), Name: aws.String(name), Scopes: scopes})
		if err != nil {
			t.Fatalf("UpdateResourceServer(%s): %v", name, err)
		}
		checkServer(t, "UpdateResourceServer("+name+")", out.ResourceServer, e.pool, id, name, scopeMap(scopes))
		described, err := e.describeServer(id)
		if err != nil {
			t.Fatalf("DescribeResourceServer: %v", err)
		}
		checkServer(t, "DescribeResourceServer after UpdateResourceServer("+name+")", described, e.pool, id, name, scopeMap(scopes))
	}
	// A partial list deletes the scopes it leaves out, and a description changes in place.
	update("Partial", scope("read", "Read everything"), scope("audit", "Audit"))
	// No Scopes at all deletes every scope.
	update("Empty")
}

func resourceServerValidation(t *testing.T, e *env) {
	taken := e.name(0)
	e.createServer(taken, "Taken")
	many := make([]types.ResourceServerScopeType, 101)
	for i := range many {
		many[i] = scope(fmt.Sprintf("s%d", i), "d")
	}
	tests := []struct {
		name       string
		identifier string
		srvName    string
		scopes     []types.ResourceServerScopeType
	}{
		{"identifier with a space", e.name(1) + " x", "API", nil},
		{"identifier with a quote", e.name(2) + `"`, "API", nil},
		{"identifier too long", e.name(3) + strings.Repeat("a", 257), "API", nil},
		{"empty name", e.name(4), "", nil},
		{"name with a slash", e.name(5), "a/b", nil},
		{"scope name with a slash", e.name(6), "API", []types.ResourceServerScopeType{scope("a/b", "d")}},
		{"empty scope description", e.name(7), "API", []types.ResourceServerScopeType{scope("read", "")}},
		{"101 scopes", e.name(8), "API", many},
		{"identifier taken", taken, "API", nil},
	}
	for _, tt := range tests {
		_, err := e.api.CreateResourceServer(e.ctx(), &cip.CreateResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(tt.identifier), Name: aws.String(tt.srvName), Scopes: tt.scopes})
		if err == nil {
			e.t.Cleanup(func() {
				_, _ = e.api.DeleteResourceServer(context.Background(), &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(tt.identifier)})
			})
		}
		wantError[*types.InvalidParameterException](t, "CreateResourceServer, "+tt.name, err)
	}
}

func resourceServerNotFound(t *testing.T, e *env) {
	missing := aws.String(e.name(1))
	pool := aws.String(e.pool)
	_, err := e.api.DescribeResourceServer(e.ctx(), &cip.DescribeResourceServerInput{UserPoolId: pool, Identifier: missing})
	wantError[*types.ResourceNotFoundException](t, "DescribeResourceServer of a missing server", err)
	_, err = e.api.UpdateResourceServer(e.ctx(), &cip.UpdateResourceServerInput{UserPoolId: pool, Identifier: missing, Name: aws.String("API")})
	wantError[*types.ResourceNotFoundException](t, "UpdateResourceServer of a missing server", err)
	_, err = e.api.DeleteResourceServer(e.ctx(), &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: missing})
	wantError[*types.ResourceNotFoundException](t, "DeleteResourceServer of a missing server", err)

	region, _, _ := strings.Cut(e.pool, "_")
	noPool := aws.String(region + "_NoSuchPool0" + strings.ToUpper(e.prefix[len(e.prefix)-4:]))
	_, err = e.api.DescribeResourceServer(e.ctx(), &cip.DescribeResourceServerInput{UserPoolId: noPool, Identifier: missing})
	wantError[*types.ResourceNotFoundException](t, "DescribeResourceServer in a missing pool", err)
	_, err = e.api.ListResourceServers(e.ctx(), &cip.ListResourceServersInput{UserPoolId: noPool, MaxResults: aws.Int32(50)})
	wantError[*types.ResourceNotFoundException](t, "ListResourceServers of a missing pool", err)
}

// listServers returns a function that fetches the pages of ListResourceServers.
func (e *env) listServers(size int32) func(token *string) ([]types.ResourceServerType, *string, error) {
	return func(token *string) ([]types.ResourceServerType, *string, error) {
		out, err := e.api.ListResourceServers(e.ctx(), &cip.ListResourceServersInput{UserPoolId: aws.String(e.pool), MaxResults: aws.Int32(size), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ResourceServers, out.NextToken, nil
	}
}

// pages yields the pages that fetch returns, following NextToken until it is absent; an error
// ends the test. It stops after 1,000 pages: a token that never ends is a failure too.
func pages[T any](t *testing.T, fetch func(token *string) ([]T, *string, error)) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		t.Helper()
		var token *string
		for range 1000 {
			page, next, err := fetch(token)
			if err != nil {
				t.Fatalf("page after token %v: %v", aws.ToString(token), err)
			}
			if !yield(page) || next == nil {
				return
			}
			token = next
		}
		t.Fatal("more than 1,000 pages")
	}
}

// countOnce checks that every name wanted appears once in seen, and nothing of the prefix else.
func countOnce(t *testing.T, what string, seen map[string]int, want []string) {
	t.Helper()
	for _, n := range want {
		if seen[n] != 1 {
			t.Errorf("%s listed %s %d times, want once", what, n, seen[n])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%s listed %v, want exactly %v", what, slices.Sorted(maps.Keys(seen)), want)
	}
}

func listResourceServersPages(t *testing.T, e *env) {
	want := []string{e.name(1), e.name(2), e.name(3)}
	for _, id := range want {
		e.createServer(id, "API")
	}
	seen := map[string]int{}
	for page := range pages(t, e.listServers(1)) {
		if len(page) > 1 {
			t.Errorf("a page of %d servers with MaxResults 1", len(page))
		}
		for _, rs := range page {
			if id := aws.ToString(rs.Identifier); strings.HasPrefix(id, e.prefix) {
				seen[id]++
			}
		}
	}
	countOnce(t, "ListResourceServers", seen, want)
}

func appClientDefaults(t *testing.T, e *env) {
	created := e.createClient(cip.CreateUserPoolClientInput{ClientName: aws.String(e.name(1))})
	for what, c := range map[string]*types.UserPoolClientType{"CreateUserPoolClient": created, "DescribeUserPoolClient": e.describeClient(created.ClientId)} {
		checkDefaults(t, what, c)
		if aws.ToString(c.ClientName) != e.name(1) || aws.ToString(c.UserPoolId) != e.pool || c.ClientSecret != nil {
			t.Errorf("%s = name %q, pool %q, secret %v; want %q, %q, none", what, aws.ToString(c.ClientName), aws.ToString(c.UserPoolId), c.ClientSecret != nil, e.name(1), e.pool)
		}
	}
}

// checkDefaults checks the fields of a client that was created, or last updated, with a name
// only: the defaults present, the fields absent.
func checkDefaults(t *testing.T, what string, c *types.UserPoolClientType) {
	t.Helper()
	type field struct {
		name      string
		got, want any
	}
	for _, f := range []field{
		{"RefreshTokenValidity", c.RefreshTokenValidity, int32(30)},
		{"AuthSessionValidity", aws.ToInt32(c.AuthSessionValidity), int32(3)},
		{"EnableTokenRevocation", c.EnableTokenRevocation != nil && *c.EnableTokenRevocation, true},
		{"EnablePropagateAdditionalUserContextData", c.EnablePropagateAdditionalUserContextData != nil && !*c.EnablePropagateAdditionalUserContextData, true},
		{"AllowedOAuthFlowsUserPoolClient", c.AllowedOAuthFlowsUserPoolClient != nil && !*c.AllowedOAuthFlowsUserPoolClient, true},
		{"PreventUserExistenceErrors", c.PreventUserExistenceErrors, types.PreventUserExistenceErrorTypes("")},
		{"AccessTokenValidity", c.AccessTokenValidity, (*int32)(nil)},
		{"IdTokenValidity", c.IdTokenValidity, (*int32)(nil)},
		{"ExplicitAuthFlows", len(c.ExplicitAuthFlows), 0},
		{"TokenValidityUnits", c.TokenValidityUnits == nil || *c.TokenValidityUnits == (types.TokenValidityUnitsType{}), true},
		{"CallbackURLs", len(c.CallbackURLs), 0},
		{"AllowedOAuthScopes", len(c.AllowedOAuthScopes), 0},
	} {
		if f.got != f.want {
			t.Errorf("%s: %s = %#v, want %#v", what, f.name, f.got, f.want)
		}
	}
}

func updateUserPoolClientResets(t *testing.T, e *env) {
	created := e.createClient(cip.CreateUserPoolClientInput{
		ClientName: aws.String(e.name(1)), RefreshTokenValidity: 10, AccessTokenValidity: aws.Int32(2), IdTokenValidity: aws.Int32(2),
		AuthSessionValidity: aws.Int32(10), EnableTokenRevocation: aws.Bool(false), CallbackURLs: []string{"https://app.example.com/cb"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth},
	})
	if created.RefreshTokenValidity != 10 || aws.ToInt32(created.AccessTokenValidity) != 2 || len(created.CallbackURLs) != 1 {
		t.Errorf("CreateUserPoolClient = refresh %d, access %v, callbacks %v; want 10, 2, one", created.RefreshTokenValidity, aws.ToInt32(created.AccessTokenValidity), created.CallbackURLs)
	}
	// An Update that sends only the name resets every other field to its default.
	out, err := e.api.UpdateUserPoolClient(e.ctx(), &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: created.ClientId, ClientName: aws.String(e.name(2))})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	for what, c := range map[string]*types.UserPoolClientType{"UpdateUserPoolClient": out.UserPoolClient, "DescribeUserPoolClient after it": e.describeClient(created.ClientId)} {
		checkDefaults(t, what, c)
		if aws.ToString(c.ClientName) != e.name(2) || aws.ToString(c.ClientId) != aws.ToString(created.ClientId) {
			t.Errorf("%s = name %q, id %q; want %q, %q", what, aws.ToString(c.ClientName), aws.ToString(c.ClientId), e.name(2), aws.ToString(created.ClientId))
		}
	}
}

func appClientValidation(t *testing.T, e *env) {
	api := e.createServer(e.name(0), "API", scope("read", "Read"))
	custom := aws.ToString(api.Identifier) + "/read"
	flows := func(f ...types.OAuthFlowType) []types.OAuthFlowType { return f }
	tests := []struct {
		name  string
		in    cip.CreateUserPoolClientInput
		check func(t *testing.T, what string, err error)
	}{
		{"refresh token validity above the model's maximum", cip.CreateUserPoolClientInput{RefreshTokenValidity: 315360001}, wantError[*types.InvalidParameterException]},
		{"auth session of 16 minutes", cip.CreateUserPoolClientInput{AuthSessionValidity: aws.Int32(16)}, wantError[*types.InvalidParameterException]},
		{"unknown OAuth flow", cip.CreateUserPoolClientInput{AllowedOAuthFlows: flows("password")}, wantError[*types.InvalidParameterException]},
		{"undefined scope", cip.CreateUserPoolClientInput{AllowedOAuthScopes: []string{aws.ToString(api.Identifier) + "/nope"}}, wantError[*types.ScopeDoesNotExistException]},
		{"code flow without CallbackURLs", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows(types.OAuthFlowTypeCode), AllowedOAuthScopes: []string{"openid"}}, wantError[*types.InvalidOAuthFlowException]},
		{"implicit flow without CallbackURLs", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows(types.OAuthFlowTypeImplicit), AllowedOAuthScopes: []string{"openid"}}, wantError[*types.InvalidOAuthFlowException]},
		{"client_credentials without a secret", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows(types.OAuthFlowTypeClientCredentials), AllowedOAuthScopes: []string{custom}}, wantError[*types.InvalidOAuthFlowException]},
	}
	for i, tt := range tests {
		in := tt.in
		in.UserPoolId, in.ClientName = aws.String(e.pool), aws.String(e.name(i+1))
		out, err := e.api.CreateUserPoolClient(e.ctx(), &in)
		if err == nil {
			e.deleteClientAtEnd(out.UserPoolClient.ClientId)
		}
		tt.check(t, "CreateUserPoolClient, "+tt.name, err)
	}
}

func appClientNotFound(t *testing.T, e *env) {
	pool, missing := aws.String(e.pool), aws.String("a1b2c3d4e5f6g7h8i9j0k1l2m3")
	_, err := e.api.DescribeUserPoolClient(e.ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: missing})
	wantError[*types.ResourceNotFoundException](t, "DescribeUserPoolClient of a missing client", err)
	_, err = e.api.UpdateUserPoolClient(e.ctx(), &cip.UpdateUserPoolClientInput{UserPoolId: pool, ClientId: missing, ClientName: aws.String("x")})
	wantError[*types.ResourceNotFoundException](t, "UpdateUserPoolClient of a missing client", err)
	_, err = e.api.DeleteUserPoolClient(e.ctx(), &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: missing})
	wantError[*types.ResourceNotFoundException](t, "DeleteUserPoolClient of a missing client", err)
}

func listUserPoolClientsPages(t *testing.T, e *env) {
	want := []string{e.name(1), e.name(2), e.name(3)}
	ids := map[string]string{}
	for _, n := range want {
		ids[aws.ToString(e.createClient(cip.CreateUserPoolClientInput{ClientName: aws.String(n)}).ClientId)] = n
	}
	fetch := func(token *string) ([]types.UserPoolClientDescription, *string, error) {
		out, err := e.api.ListUserPoolClients(e.ctx(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(e.pool), MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.UserPoolClients, out.NextToken, nil
	}
	seen := map[string]int{}
	for page := range pages(t, fetch) {
		if len(page) > 1 {
			t.Errorf("a page of %d app clients with MaxResults 1", len(page))
		}
		for _, c := range page {
			if name, ok := ids[aws.ToString(c.ClientId)]; ok {
				seen[name]++
				if aws.ToString(c.ClientName) != name || aws.ToString(c.UserPoolId) != e.pool {
					t.Errorf("listed %s as name %q in pool %q, want %q in %q", aws.ToString(c.ClientId), aws.ToString(c.ClientName), aws.ToString(c.UserPoolId), name, e.pool)
				}
			}
		}
	}
	countOnce(t, "ListUserPoolClients", seen, want)
}

func inactiveScopes(t *testing.T, e *env) {
	id := "https://" + e.prefix + ".example.com"
	e.createServer(id, "API", scope("read", "Read"), scope("write", "Write"))
	allowed := []string{id + "/read", id + "/write"}
	app := e.createClient(cip.CreateUserPoolClientInput{
		ClientName: aws.String(e.name(1)), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: allowed,
	})
	stillAllowed := func(when string) {
		t.Helper()
		got := e.describeClient(app.ClientId).AllowedOAuthScopes
		if !slices.Equal(slices.Sorted(slices.Values(got)), allowed) {
			t.Errorf("AllowedOAuthScopes %s = %v, want %v (a scope stays on the client)", when, got, allowed)
		}
	}
	update := func(scopes ...types.ResourceServerScopeType) {
		t.Helper()
		if _, err := e.api.UpdateResourceServer(e.ctx(), &cip.UpdateResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(id), Name: aws.String("API"), Scopes: scopes}); err != nil {
			t.Fatalf("UpdateResourceServer: %v", err)
		}
	}
	update(scope("read", "Read"))
	stillAllowed("after write was removed from the server")
	update(scope("read", "Read"), scope("write", "Write again"))
	stillAllowed("after write was defined again")
	if _, err := e.api.DeleteResourceServer(e.ctx(), &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String(id)}); err != nil {
		t.Fatalf("DeleteResourceServer: %v", err)
	}
	stillAllowed("after the server was deleted")
}
