package appclient_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// grantsEmulator starts an emulator on a loopback port holding testPool
// with servers resource servers (each with one scope) and n machine
// clients, each allowed the scope of server i%servers.
func grantsEmulator(tb testing.TB, n, servers int, opts ...cognitotest.Option) *cognitotest.Server {
	tb.Helper()
	return fillGrants(tb, cognitotest.NewServer, n, servers, opts...)
}

// grantsInProcess is grantsEmulator on the in-process emulator, for the
// tests that run in a synctest bubble (and call it inside the bubble).
func grantsInProcess(tb testing.TB, n, servers int, opts ...cognitotest.Option) *cognitotest.Server {
	tb.Helper()
	return fillGrants(tb, cognitotest.NewInProcessServer, n, servers, opts...)
}

// fillGrants starts an emulator with start and fills it as grantsEmulator
// says.
func fillGrants(tb testing.TB, start func(...cognitotest.Option) *cognitotest.Server, n, servers int, opts ...cognitotest.Option) *cognitotest.Server {
	tb.Helper()
	s := start(append([]cognitotest.Option{cognitotest.WithMaxResourceServers(servers), cognitotest.WithMaxAppClients(n)}, opts...)...)
	tb.Cleanup(s.Close)
	if err := s.AddUserPool(testPool, "test"); err != nil {
		tb.Fatalf("AddUserPool() error = %v", err)
	}
	for i := range servers {
		putServer(tb, s, fmt.Sprintf("https://api%03d.example.com", i), "read")
	}
	for i := range n {
		putClient(tb, s, machine(fmt.Sprintf("c%04d", i), fmt.Sprintf("https://api%03d.example.com/read", i%servers)))
	}
	return s
}

// countOps counts the emulator's requests by operation.
func countOps(s *cognitotest.Server) map[string]int {
	m := map[string]int{}
	for _, r := range s.Requests() {
		m[r.Operation]++
	}
	return m
}

// TestEmulatorGrantsCost checks the calls of Grants through the real SDK
// client: one ListResourceServers per 50 servers, one ListUserPoolClients
// per 60 app clients, one DescribeUserPoolClient per app client.
func TestEmulatorGrantsCost(t *testing.T) {
	t.Parallel()
	s := grantsInProcess(t, 200, 60)
	g, err := appclient.New(s.Client(), noWait).Grants(context.Background(), testPool)
	if err != nil {
		t.Fatalf("Grants() error = %v", err)
	}
	if g.AppClients != 200 || len(g.Scopes) != 60 || len(g.Inactive()) != 0 {
		t.Errorf("Grants() = %d app clients, %d scopes, %d inactive; want 200, 60, 0", g.AppClients, len(g.Scopes), len(g.Inactive()))
	}
	want := map[string]int{"ListResourceServers": 2, "ListUserPoolClients": 4, "DescribeUserPoolClient": 200}
	if got := countOps(s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
}

// BenchmarkGrants reads the grants of 200 and 1,000 app clients (and 25
// resource servers) through the real SDK client against the emulator, with
// Cognito's quota raised to 100 requests per second per category on both
// sides (a rate at which the scheduler's jitter on a loaded machine stays
// small next to the spacing). It reports the calls per Grants, the time Grants would take at
// Cognito's real quota of 5 per second predicted from those calls (each
// read category paced at burst 1), the measured time at the raised
// quota as a fraction of the time predicted for it, and the estimate of
// the time left that the first Progress report gives (at the end of the
// listing) as a fraction of the time the scan then took:
//
//	go test -run '^$' -bench BenchmarkGrants -benchtime 1x ./appclient
func BenchmarkGrants(b *testing.B) {
	const raised = 100
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			s := grantsEmulator(b, n, 25, cognitotest.WithRateLimit(raised))
			var took, estimated, left time.Duration
			for b.Loop() {
				s.ResetRequests()
				var listed time.Time
				c := appclient.New(s.Client(), func(o *appclient.Options) {
					o.ReadRate = raised
					o.Progress = func(p appclient.Progress) {
						if p.Done == 0 {
							listed, estimated = time.Now(), estimated+p.Remaining()
						}
					}
				})
				start := time.Now()
				if _, err := c.Grants(context.Background(), testPool); err != nil {
					b.Fatalf("Grants() error = %v", err)
				}
				took += time.Since(start)
				left += time.Since(listed)
			}
			ops := countOps(s)
			clientReads := ops["ListUserPoolClients"] + ops["DescribeUserPoolClient"]
			resourceReads := ops["ListResourceServers"]
			// The first request of each category goes at once; the others
			// are spaced 1/rate apart, and the categories follow one another.
			predict := func(rate float64) float64 {
				return float64(clientReads-1+resourceReads-1) / rate
			}
			b.ReportMetric(float64(clientReads+resourceReads), "calls/op")
			b.ReportMetric(float64(ops["DescribeUserPoolClient"]), "describes/op")
			b.ReportMetric(float64(ops["ListUserPoolClients"]), "lists/op")
			b.ReportMetric(predict(appclient.DefaultRate), "s-at-quota/op")
			b.ReportMetric(took.Seconds()/float64(b.N)/predict(raised), "measured/predicted")
			b.ReportMetric(estimated.Seconds()/left.Seconds(), "estimate/actual")
		})
	}
}
