package reconcile_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// TestPlanProgress: a plan that reads the app clients reports the scan
// through PlanOptions.Progress, from the listing's end to the last read;
// one that needs no app client reports nothing.
func TestPlanProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read")
	for i := range 5 {
		e.putClient(t, fmt.Sprintf("worker%d", i), fmt.Sprintf("worker-%d", i), "https://orders.example.com/read")
	}
	const withGrants = `userPoolId: ` + pool + `
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
appClients:
  - clientName: worker-0
    scopes: [https://orders.example.com/read]
`
	const serversOnly = `userPoolId: ` + pool + `
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
`
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"grants: every app client read", withGrants, []string{"0/5", "1/5", "2/5", "3/5", "4/5", "5/5"}},
		{"no app-client read", serversOnly, nil},
	} {
		var got []string
		e.plan(t, tc.file, reconcile.PlanOptions{Progress: func(p appclient.Progress) {
			if p.UserPoolID != pool {
				t.Errorf("Progress.UserPoolID = %q, want %q", p.UserPoolID, pool)
			}
			got = append(got, fmt.Sprintf("%d/%d", p.Done, p.Total))
		}})
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: progress (-want +got):\n%s", tc.name, diff)
		}
	}
}
