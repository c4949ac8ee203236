package appclient_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// The workload of BenchmarkSharedPacer: a resourceserver.Client and an
// appclient.Client on one SDK client and one pool, at once: sharedAdds
// AddScopes (one per resource server) and sharedAdds GrantScopes (one per
// app client, each granting an existing scope, which the appclient.Client
// checks with a DescribeResourceServer), against Cognito's quota of
// sharedRate requests per second per pool and category, with no burst.
const (
	sharedAdds = 10
	sharedRate = 5
)

// BenchmarkSharedPacer measures the workload above with the Clients'
// default Options, which share pace.Default(), against a baseline in the
// same run where each Client has a Pacer of its own (Options.Pacer set to
// two separate Pacers), as each Client had before Clients shared one. Both
// pace UserPoolResourceRead: alone, each keeps within the quota, and
// together they exceed it. It reports throttled-%, the share of the
// requests that the emulator answered TooManyRequestsException; requests,
// how many it received; errors, the calls whose error reached the caller;
// and s/op. It fails when a Client with the shared Pacer lets an error
// reach its caller. Each run takes about 9s (30 resource-server reads at
// 5 per second, and the waits before verifying reads):
//
//	go test -run '^$' -bench BenchmarkSharedPacer -benchtime 3x ./appclient
func BenchmarkSharedPacer(b *testing.B) {
	for _, mode := range []string{"separate", "shared"} {
		b.Run(mode, func(b *testing.B) {
			var throttled, requests, errs int
			for range b.N {
				var rsPacer, appsPacer *pace.Pacer // nil: pace.Default()
				if mode == "separate" {
					rsPacer, appsPacer = pacetest.New(b, pace.Config{}), pacetest.New(b, pace.Config{})
				}
				t, r, e := runShared(b, rsPacer, appsPacer)
				throttled, requests, errs = throttled+t, requests+r, errs+e
			}
			b.ReportMetric(100*float64(throttled)/float64(requests), "throttled-%")
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(errs)/float64(b.N), "errors/op")
			if mode == "shared" && errs > 0 {
				b.Errorf("%d calls failed with the shared Pacer, want 0", errs)
			}
		})
	}
}

// runShared runs the workload once on a new emulator and a new pool (whose
// pacing, by pace.Default() too, starts afresh), and returns the requests
// throttled, the requests received and the calls that failed.
func runShared(b *testing.B, rsPacer, appsPacer *pace.Pacer) (throttled, requests, errs int) {
	b.StopTimer()
	s := cognitotest.NewServer(cognitotest.WithRateLimit(sharedRate), cognitotest.WithBurst(1))
	defer s.Close()
	pool := s.CreateUserPool("shared")
	for i := range sharedAdds {
		id := fmt.Sprintf("https://api%02d.example.com", i)
		rs := cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "api", Scopes: []cognitotest.Scope{{Name: "read", Description: "read"}}}
		if err := s.PutResourceServer(rs); err != nil {
			b.Fatal(err)
		}
		if _, err := s.PutAppClient(pool, machine(fmt.Sprintf("c%02d", i))); err != nil {
			b.Fatal(err)
		}
	}
	api := s.Client()
	rs := resourceserver.New(api, func(o *resourceserver.Options) { o.Pacer = rsPacer })
	apps := appclient.New(api, func(o *appclient.Options) { o.Pacer = appsPacer })
	b.StartTimer()

	ctx := context.Background()
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	fail := func(err error) {
		if err != nil {
			mu.Lock()
			errs++
			mu.Unlock()
		}
	}
	for i := range sharedAdds {
		id := fmt.Sprintf("https://api%02d.example.com", i)
		wg.Go(func() {
			_, err := rs.AddScope(ctx, pool, id, resourceserver.Scope{Name: "write", Description: "write"})
			fail(err)
		})
		wg.Go(func() {
			_, err := apps.GrantScopes(ctx, pool, fmt.Sprintf("c%02d", i), id+"/read")
			fail(err)
		})
	}
	wg.Wait()
	b.StopTimer()
	for _, r := range s.Requests() {
		if r.Code == "TooManyRequestsException" {
			throttled++
		}
	}
	return throttled, len(s.Requests()), errs
}
