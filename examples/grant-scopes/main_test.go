package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestRun runs the example against the emulator and checks its
// whole output and that it leaves no app client and no resource server.
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
		servers, clients := srv.ResourceServers(pool), srv.AppClients(pool)
		if err != nil {
			t.Fatalf("run() = %v\noutput:\n%s", err, out.String())
		}
		want := `grant-scopes
created  resource server https://reports.example.com with the scope reports.read
created  app client "reporting-job": client_credentials, reports.read, access tokens valid 15 minutes
grant    reports.export refused, nothing written: 1 scope(s) do not exist
grant    reports.export: scopes reports.read, reports.export; OAuth on: true, flows [client_credentials], access tokens 15 minutes (kept)
remove   reports.read refused, nothing written: 1 app client(s) hold it
remove   reports.read: revoked from the app client, then removed from the resource server
grants   reports.export: 1 app client(s), inactive: false
inactive scopes left in the pool: 0
`
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
		if len(servers) != 0 || len(clients) != 0 {
			t.Errorf("left behind: %d resource server(s), %d app client(s)", len(servers), len(clients))
		}
	})
}
