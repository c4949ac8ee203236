package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// newServersWithGrants stores n app clients, each holding a scope of a
// server the file leaves alone, and returns a file of servers new
// resource servers "https://new<i>.example.com" (scope read) and grants
// to each app client of the read scope of three of them.
func newServersWithGrants(t testing.TB, e *env, servers, clients int) string {
	t.Helper()
	e.put(t, "https://base.example.com", "Base", "base")
	var b strings.Builder
	b.WriteString("userPoolId: " + pool + "\nresourceServers:\n")
	for i := range servers {
		fmt.Fprintf(&b, "  - identifier: https://new%02d.example.com\n    name: New %d\n    scopes: [{name: read, description: Read}]\n", i, i)
	}
	b.WriteString("appClients:\n")
	for i := range clients {
		id := e.putClient(t, fmt.Sprintf("client%02d", i), fmt.Sprintf("worker-%d", i), "https://base.example.com/base")
		fmt.Fprintf(&b, "  - clientId: %s\n    scopes: [https://new%02d.example.com/read, https://new%02d.example.com/read, https://new%02d.example.com/read]\n",
			id, i%servers, (i+10)%servers, (i+20)%servers)
	}
	return b.String()
}

// quotaCategory is the Cognito quota category of each operation.
var quotaCategory = map[string]string{
	"DescribeResourceServer": "UserPoolResourceRead", "ListResourceServers": "UserPoolResourceRead",
	"CreateResourceServer": "UserPoolResourceUpdate", "UpdateResourceServer": "UserPoolResourceUpdate", "DeleteResourceServer": "UserPoolResourceUpdate",
	"DescribeUserPoolClient": "UserPoolClientRead", "ListUserPoolClients": "UserPoolClientRead",
	"UpdateUserPoolClient": "UserPoolClientUpdate",
}

func countCategories(reqs []cognitotest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[quotaCategory[r.Operation]]++
	}
	return out
}

// TestApplyNewServersWithGrantsCalls: an apply of 30 new resource servers
// and grants to 20 app clients sends no DescribeResourceServer (the
// listings showed every granted scope) and three DescribeUserPoolClient per
// app client in all: one in the plan, the grant's read and its
// verification (the apply reuses the plan's fresh read of the app
// clients).
func TestApplyNewServersWithGrantsCalls(t *testing.T) {
	t.Parallel()
	const servers, clients = 30, 20
	e := newEnv(t, cognitotest.WithMaxResourceServers(servers+1))
	api := e.srv.Client()
	e.rec = reconcile.New(api, appclient.New(api, func(o *appclient.Options) { o.DisableRateLimit = true }), func(o *reconcile.Options) {
		o.Settle = -1
		o.ResourceServerOptions = []func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}
	})
	file := newServersWithGrants(t, e, servers, clients)
	e.srv.ResetRequests()
	p := e.plan(t, file, reconcile.PlanOptions{})
	e.apply(t, p, reconcile.ApplyOptions{})
	ops := countOps(e.srv.Requests())
	if ops["DescribeResourceServer"] != 0 {
		t.Errorf("plan and apply sent %d DescribeResourceServer, want 0 (the plan's listing showed every scope)", ops["DescribeResourceServer"])
	}
	if got, want := ops["DescribeUserPoolClient"], 3*clients; got != want {
		t.Errorf("plan and apply sent %d DescribeUserPoolClient, want %d (3 per app client)", got, want)
	}
	// Four listings: the plan's, the one of appclient's Grants (which
	// inactive scopes), the apply's check, and one for the whole wave.
	if ops["CreateResourceServer"] != servers || ops["UpdateUserPoolClient"] != clients || ops["ListResourceServers"] != 4 {
		t.Errorf("calls = %v, want %d creates, %d client updates, 4 listings (plan, Grants, apply's check, the wave)", ops, servers, clients)
	}
	for i := range clients {
		if got := e.scopesOf(t, fmt.Sprintf("client%02d", i)); len(got) != 4 {
			t.Errorf("client%02d scopes = %v, want base and three granted", i, got)
		}
	}
}

// BenchmarkApplyNewServersWithGrants measures `scopekeeper apply` of 30
// new resource servers and grants to 20 app clients at Cognito's quota (5
// requests per second per category, burst 1, enforced by the emulator),
// with every Client at its defaults. It reports the calls per category,
// the seconds taken, and their ratio to the quota's bound for those calls:
// each phase (the plan; the servers; the grants) takes at least its
// busiest category's calls over the rate, and the phases run in turn.
//
//	go test -run '^$' -bench ApplyNewServersWithGrants -benchtime 1x ./reconcile
func BenchmarkApplyNewServersWithGrants(b *testing.B) {
	const servers, clients, quota = 30, 20, 5.0
	for b.Loop() {
		srv := cognitotest.NewServer(cognitotest.WithRateLimit(quota), cognitotest.WithBurst(1), cognitotest.WithMaxResourceServers(servers+1))
		if err := srv.AddUserPool(pool, "bench"); err != nil {
			b.Fatal(err)
		}
		e := &env{srv: srv}
		file := newServersWithGrants(b, e, servers, clients)
		api := srv.Client()
		e.rec = reconcile.New(api, appclient.New(api))
		f, err := reconcile.Parse("bench.yaml", []byte(file))
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second) // a fresh quota
		srv.ResetRequests()
		ctx := context.Background()
		start := time.Now()
		p, err := e.rec.Plan(ctx, f, reconcile.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		planReqs := srv.Requests()
		if _, err := e.rec.Apply(ctx, p, reconcile.ApplyOptions{}); err != nil {
			b.Fatalf("Apply() error = %v", err)
		}
		took := time.Since(start)
		all := srv.Requests()
		applyReqs := all[len(planReqs):]
		var serverReqs, grantReqs []cognitotest.Request
		for _, r := range applyReqs {
			if strings.HasPrefix(quotaCategory[r.Operation], "UserPoolResource") {
				serverReqs = append(serverReqs, r)
			} else {
				grantReqs = append(grantReqs, r)
			}
		}
		bound := 0.0
		for _, phase := range [][]cognitotest.Request{planReqs, serverReqs, grantReqs} {
			busiest := 0
			for _, n := range countCategories(phase) {
				busiest = max(busiest, n)
			}
			bound += float64(max(busiest-1, 0)) / quota
		}
		throttles := 0
		for _, r := range all {
			if r.Code == "TooManyRequestsException" {
				throttles++
			}
		}
		srv.Close()
		ops := countOps(all)
		for cat, n := range countCategories(all) {
			b.ReportMetric(float64(n), cat)
		}
		b.ReportMetric(float64(ops["DescribeResourceServer"]), "DescribeResourceServer")
		b.ReportMetric(float64(ops["DescribeUserPoolClient"])/clients, "DescribeUserPoolClient/client")
		b.ReportMetric(float64(throttles), "throttles")
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(took.Seconds()/bound, "x-bound")
	}
}
