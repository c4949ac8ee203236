package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestRun runs the quickstart against the emulator and checks its
// whole output and that it leaves nothing behind.
// The emulator runs in process, in a synctest bubble: the pacing waits
// pass in virtual time. main runs it over loopback in CI.
func TestRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := cognitotest.NewInProcessServer()
		t.Cleanup(srv.Close)
		pool := srv.CreateUserPool("test")
		var out strings.Builder
		err := run(t.Context(), &out, srv.Client, pool)
		left := srv.ResourceServers(pool)
		if err != nil {
			t.Fatalf("run() = %v\noutput:\n%s", err, out.String())
		}
		want := `scopekeeper quickstart
(requests are paced at Cognito's quota: 5 per second per user pool and category)
ensured  https://orders.example.com "Orders API", scopes: orders.read
added    scopes: orders.read, orders.write, orders.admin
renamed  to "Orders API v2", scopes kept: orders.read, orders.write, orders.admin
applying the change:
  + orders.read "Read every order"
  - orders.admin
applied  scopes: orders.read, orders.write
listed   1 resource server(s) in the pool, ours among them
token scopes (in access tokens and app clients' AllowedOAuthScopes):
  https://orders.example.com/orders.read
  https://orders.example.com/orders.write
deleted  https://orders.example.com
get after delete: rserrors.IsResourceServerNotFound(err) = true
  OpError.Op = Get; cause ResourceNotFoundException: Resource server https://orders.example.com does not exist.
`
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
		if len(left) != 0 {
			t.Errorf("resource servers left in the pool: %v", left)
		}
	})
}
