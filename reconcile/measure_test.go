package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// manyServers returns a file of n resource servers "https://api<i>.example.com"
// with one scope each; with changed, every server also gets a second scope.
func manyServers(n int, changed bool) string {
	var b strings.Builder
	b.WriteString("userPoolId: " + pool + "\nresourceServers:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - identifier: https://api%03d.example.com\n    name: API %d\n    scopes:\n      - {name: read, description: Read}\n", i, i)
		if changed {
			b.WriteString("      - {name: write, description: Write}\n")
		}
	}
	return b.String()
}

// planMany plans manyServers(n, changed) with rec, failing tb on an error.
func planMany(tb testing.TB, rec *reconcile.Reconciler, n int, changed bool) *reconcile.Plan {
	tb.Helper()
	f, err := reconcile.Parse("many.yaml", []byte(manyServers(n, changed)))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := rec.Plan(context.Background(), f, reconcile.PlanOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// putMany stores the servers of manyServers(n, false).
func (e *env) putMany(t testing.TB, n int) {
	t.Helper()
	for i := range n {
		e.put(t, fmt.Sprintf("https://api%03d.example.com", i), fmt.Sprintf("API %d", i), "read=Read")
	}
}

func countOps(reqs []cognitotest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Operation]++
	}
	return out
}

// TestPlanReadsPages: a plan of 300 resource servers costs 6
// ListResourceServers and no DescribeResourceServer; app clients are read
// only when the plan adds or removes scopes.
func TestPlanReadsPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		changed bool
		want    map[string]int
	}{
		{"no changes", false, map[string]int{"ListResourceServers": 6}},
		// The removals need the holders of their scopes: the listing of
		// the app clients by name, then Holders' own listing.
		{"300 changes", true, map[string]int{"ListResourceServers": 6, "ListUserPoolClients": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, cognitotest.WithMaxResourceServers(300))
			e.putMany(t, 300)
			f, err := reconcile.Parse("many.yaml", []byte(manyServers(300, tc.changed)))
			if err != nil {
				t.Fatal(err)
			}
			e.srv.ResetRequests()
			p, err := e.rec.Plan(t.Context(), f, reconcile.PlanOptions{})
			if err != nil {
				t.Fatalf("Plan() error = %v", err)
			}
			if got := countOps(e.srv.Requests()); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Plan() sent %v, want %v", got, tc.want)
			}
			if _, change, _ := p.Counts(); tc.changed && change != 300 {
				t.Errorf("plan changes %d servers, want 300", change)
			}
		})
	}
}

// BenchmarkApply100 applies a plan that changes 100 resource servers at
// Cognito's real quota (5 requests per second per category, enforced by
// the emulator), and reports the fraction of the write quota the apply
// used (updates / (seconds × 5)) and the throttles Cognito answered. As a
// baseline in the same run, 20 changes through a verifying
// resourceserver.Client (Describe, Update, verifying Describe: bound by
// reads at R/2 changes per second) report the same fraction.
//
//	go test -run '^$' -bench Apply100 -benchtime 1x ./reconcile
func BenchmarkApply100(b *testing.B) {
	const n, baseline, quota = 100, 20, 5.0
	for b.Loop() {
		srv := cognitotest.NewServer(cognitotest.WithRateLimit(quota), cognitotest.WithMaxResourceServers(n))
		if err := srv.AddUserPool(pool, "bench"); err != nil {
			b.Fatal(err)
		}
		e := &env{srv: srv}
		e.putMany(b, n)
		api := srv.Client()
		e.rec = reconcile.New(api, appclient.New(api))
		f, err := reconcile.Parse("many.yaml", []byte(manyServers(n, true)))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		p, err := e.rec.Plan(ctx, f, reconcile.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second) // a fresh quota for the apply
		srv.ResetRequests()
		start := time.Now()
		res, err := e.rec.Apply(ctx, p, reconcile.ApplyOptions{})
		took := time.Since(start)
		if err != nil {
			b.Fatalf("Apply() error = %v", err)
		}
		ops := countOps(srv.Requests())
		throttles := 0
		for _, r := range srv.Requests() {
			if r.Code == "TooManyRequestsException" {
				throttles++
			}
		}
		if len(res.Done()) != n {
			b.Fatalf("Apply() done %d steps, want %d", len(res.Done()), n)
		}
		fraction := float64(ops["UpdateResourceServer"]) / (took.Seconds() * quota)

		// Baseline: verified changes through one Client, 4 at a time.
		c := resourceserver.New(api)
		time.Sleep(time.Second)
		bstart := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, baseline)
		sem := make(chan struct{}, 4)
		for i := range baseline {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				_, err := c.AddScope(ctx, pool, fmt.Sprintf("https://api%03d.example.com", i), resourceserver.Scope{Name: "admin", Description: "Admin"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatalf("baseline AddScope() error = %v", err)
			}
		}
		baseFraction := float64(baseline) / (time.Since(bstart).Seconds() * quota)
		srv.Close()

		b.ReportMetric(fraction, "write-quota-fraction")
		b.ReportMetric(baseFraction, "baseline-fraction")
		b.ReportMetric(fraction/baseFraction, "x-baseline")
		b.ReportMetric(float64(throttles), "throttles")
		b.ReportMetric(float64(ops["ListResourceServers"]), "lists")
		b.ReportMetric(float64(ops["DescribeResourceServer"]), "describes")
		b.ReportMetric(took.Seconds(), "apply-s")
	}
}
