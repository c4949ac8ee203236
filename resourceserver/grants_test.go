package resourceserver_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

var _ resourceserver.GrantChecker = (*appclient.Client)(nil)

// TestGrantsCheck walks a scope through the app-client check, on an
// emulator that accepts inactive scopes sent back and on one that refuses
// them: a removal refused, then allowed, a re-definition refused, then
// cascaded, a cascaded removal, and a Delete refused.
func TestGrantsCheck(t *testing.T) {
	t.Parallel()
	for _, acceptInactive := range []bool{false, true} {
		t.Run(fmt.Sprintf("inactive scopes accepted=%t", acceptInactive), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := startEmulator(t, cognitotest.WithInactiveScopes(acceptInactive))
			put(t, s, makeServer(readScope, writeScope, adminScope))
			tok := func(sc resourceserver.Scope) string { return testID + "/" + sc.Name }
			machine := putClient(t, s, types.UserPoolClientType{
				ClientName: aws.String("machine"), ClientSecret: aws.String("machinesecret0123456789abcdefghij"),
				AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
				AllowedOAuthScopes: []string{tok(readScope), tok(writeScope), tok(adminScope)},
			})
			web := putClient(t, s, types.UserPoolClientType{
				ClientName: aws.String("web"), CallbackURLs: []string{"https://app.example.com/cb"},
				AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
				AllowedOAuthScopes: []string{"openid", tok(readScope)},
			})
			grants := appclient.New(emuClient(s), func(o *appclient.Options) { o.DisableRateLimit = true })
			c := resourceserver.New(emuClient(s), unpaced, func(o *resourceserver.Options) { o.Grants = grants })
			updates := func() int {
				n := 0
				for _, r := range s.Requests() {
					if r.Operation == opUpdate {
						n++
					}
				}
				return n
			}

			// 1. Removing a scope two app clients allow is refused, naming both.
			_, err := c.RemoveScopes(ctx, testPool, testID, readScope.Name)
			var ge *rserrors.GrantsError
			if !errors.As(err, &ge) || !rserrors.IsDanglingGrants(err) || rserrors.IsRegrant(err) {
				t.Fatalf("RemoveScopes() error = %v, want dangling grants", err)
			}
			if diff := cmp.Diff(map[string][]string{tok(readScope): sorted(machine, web)}, ge.Dangling); diff != "" {
				t.Errorf("GrantsError.Dangling mismatch (-want +got):\n%s", diff)
			}
			checkOpError(t, err, "RemoveScopes", testID)
			if n := updates(); n != 0 {
				t.Fatalf("%d Updates after a refused removal, want 0", n)
			}

			// 2. Allowed explicitly: the scope goes, the grants stay, inactive.
			if _, err := c.Apply(ctx, testPool, testID, resourceserver.Change{}.Remove(readScope.Name).WithGrantPolicy(resourceserver.KeepGrants)); err != nil {
				t.Fatalf("Apply(Remove, KeepGrants) error = %v", err)
			}
			if inactive, _ := s.InactiveScopes(testPool, machine); !slices.Contains(inactive, tok(readScope)) {
				t.Errorf("machine's inactive scopes = %v, want %s", inactive, tok(readScope))
			}

			// 3. Defining it again would grant it again silently: refused.
			_, err = c.AddScope(ctx, testPool, testID, readScope)
			if !errors.As(err, &ge) || !rserrors.IsRegrant(err) {
				t.Fatalf("AddScope() of an inactive scope error = %v, want a re-grant refused", err)
			}
			if diff := cmp.Diff(map[string][]string{tok(readScope): sorted(machine, web)}, ge.Regrant); diff != "" {
				t.Errorf("GrantsError.Regrant mismatch (-want +got):\n%s", diff)
			}

			// 4. Cascaded: the stale grants are revoked first, then the scope is added.
			if _, err := c.Apply(ctx, testPool, testID, resourceserver.Change{}.Add(readScope).WithGrantPolicy(resourceserver.RevokeGrants)); err != nil {
				t.Fatalf("Apply(Add, RevokeGrants) error = %v", err)
			}
			for _, id := range []string{machine, web} {
				if got := clientScopes(t, s, id); slices.Contains(got, tok(readScope)) {
					t.Errorf("app client %s still lists %s: %v", id, tok(readScope), got)
				}
			}
			if !slices.Contains(stored(t, s, testID).Scopes, readScope) {
				t.Errorf("scope %s not defined again", readScope.Name)
			}

			// 5. A cascaded removal revokes, then removes, and keeps the client's other fields.
			before, _ := s.AppClient(testPool, machine)
			cascading := resourceserver.New(emuClient(s), unpaced, func(o *resourceserver.Options) {
				o.Grants, o.GrantPolicy = grants, resourceserver.RevokeGrants
			})
			if _, err := cascading.RemoveScopes(ctx, testPool, testID, writeScope.Name); err != nil {
				t.Fatalf("RemoveScopes() with RevokeGrants error = %v", err)
			}
			after, _ := s.AppClient(testPool, machine)
			if diff := cmp.Diff([]string{tok(adminScope)}, after.AllowedOAuthScopes); diff != "" {
				t.Errorf("machine's scopes after the cascade mismatch (-want +got):\n%s", diff)
			}
			if !aws.ToBool(after.AllowedOAuthFlowsUserPoolClient) || aws.ToString(after.ClientSecret) != aws.ToString(before.ClientSecret) {
				t.Errorf("the cascade changed the machine client's OAuth settings or secret")
			}

			// 6. Deleting a server whose scope a client allows is refused.
			err = c.Delete(ctx, testPool, testID)
			if !rserrors.IsDanglingGrants(err) {
				t.Fatalf("Delete() error = %v, want dangling grants", err)
			}
			if _, ok := s.ResourceServer(testPool, testID); !ok {
				t.Error("the resource server was deleted")
			}
		})
	}
}

// TestGrantsCheckOnlyWhenScopesComeOrGo checks that a change that neither
// removes a scope nor defines a new one asks the GrantChecker nothing,
// and that a Client without one never asks.
func TestGrantsCheckOnlyWhenScopesComeOrGo(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope))
	g := &countingGrants{}
	c := newTestClient(f, func(o *resourceserver.Options) { o.Grants = g })
	ctx := t.Context()
	if _, err := c.Rename(ctx, testPool, testID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddScope(ctx, testPool, testID, resourceserver.Scope{Name: readScope.Name, Description: "New words"}); err != nil {
		t.Fatal(err)
	}
	if g.calls != 0 {
		t.Errorf("Holders called %d times for changes that add and remove no scope, want 0", g.calls)
	}
	if _, err := c.AddScope(ctx, testPool, testID, writeScope); err != nil {
		t.Fatal(err)
	}
	if g.calls != 1 {
		t.Errorf("Holders called %d times for a new scope, want 1", g.calls)
	}
}

type countingGrants struct{ calls int }

func (g *countingGrants) Holders(context.Context, string, []string) (map[string][]string, error) {
	g.calls++
	return nil, nil
}

func (g *countingGrants) Revoke(context.Context, string, string, []string) error { return nil }

func putClient(t *testing.T, s *cognitotest.Server, c types.UserPoolClientType) string {
	t.Helper()
	got, err := s.PutAppClient(testPool, c)
	if err != nil {
		t.Fatalf("PutAppClient() error = %v", err)
	}
	return aws.ToString(got.ClientId)
}

func clientScopes(t *testing.T, s *cognitotest.Server, id string) []string {
	t.Helper()
	c, ok := s.AppClient(testPool, id)
	if !ok {
		t.Fatalf("app client %s not stored", id)
	}
	return c.AllowedOAuthScopes
}

func sorted(ids ...string) []string {
	return slices.Sorted(slices.Values(ids))
}

// racingGrants is a GrantChecker whose app client "late" is granted the
// removed scope by another process between the check and the Update:
// Holders answers none before the first Update and "late" after it.
type racingGrants struct {
	f       *fakeAPI
	revoked []string
}

func (g *racingGrants) Holders(_ context.Context, _ string, scopes []string) (map[string][]string, error) {
	if len(g.f.updates()) == 0 {
		return map[string][]string{}, nil
	}
	out := map[string][]string{}
	for _, s := range scopes {
		if !slices.Contains(g.revoked, s) {
			out[s] = []string{"late"}
		}
	}
	return out, nil
}

func (g *racingGrants) Revoke(_ context.Context, _, scope string, ids []string) error {
	g.revoked = append(g.revoked, scope)
	return nil
}

// TestRemovalReportsAGrantRacingIt: without a Locker, a removal under
// Options.Grants reads the holders again after its Update, so an app
// client granted the scope meanwhile is reported (refuse) or revoked
// (revoke), never left dangling behind a nil error.
func TestRemovalReportsAGrantRacingIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy      resourceserver.GrantPolicy
		wantErr     bool
		wantRevoked []string
	}{
		{resourceserver.RefuseGrants, true, nil},
		{resourceserver.RevokeGrants, false, []string{testID + "/" + adminScope.Name}},
		{resourceserver.KeepGrants, false, nil},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			t.Parallel()
			f := newFake(makeServer(readScope, adminScope))
			g := &racingGrants{f: f}
			c := newTestClient(f, func(o *resourceserver.Options) { o.Grants, o.GrantPolicy = g, tc.policy })
			_, err := c.RemoveScopes(t.Context(), testPool, testID, adminScope.Name)
			var ge *rserrors.GrantsError
			if got := errors.As(err, &ge); got != tc.wantErr {
				t.Fatalf("RemoveScopes() error = %v, want a GrantsError: %t", err, tc.wantErr)
			}
			if tc.wantErr && !cmp.Equal(ge.Dangling, map[string][]string{testID + "/" + adminScope.Name: {"late"}}) {
				t.Errorf("GrantsError.Dangling = %v, want the scope held by late", ge.Dangling)
			}
			if !tc.wantErr && err != nil {
				t.Errorf("RemoveScopes() error = %v", err)
			}
			if !cmp.Equal(g.revoked, tc.wantRevoked) {
				t.Errorf("revoked %v, want %v", g.revoked, tc.wantRevoked)
			}
			if n := len(f.updates()); n != 1 {
				t.Errorf("%d Updates, want 1: the removal lands either way", n)
			}
		})
	}
}
