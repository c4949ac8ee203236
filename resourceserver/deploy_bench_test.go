package resourceserver_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// These benchmarks measure the Client as it is deployed: replicas in
// separate processes sharing one pool's quota, processes paused by their
// host, a quota without burst, and many goroutines of one service changing
// one resource server at start-up. They run only with -bench; see
// docs/concurrency.md for the figures.

// The environment of a child process of BenchmarkDeployQuota.
const (
	deployChildEnv = "SCOPEKEEPER_DEPLOY_CHILD" // "paced" or "unpaced"
	deployURLEnv   = "SCOPEKEEPER_DEPLOY_URL"
	deployIDsEnv   = "SCOPEKEEPER_DEPLOY_SERVERS" // identifiers, comma-separated
	deployLogEnv   = "SCOPEKEEPER_DEPLOY_LOG"     // set: the Client logs its decisions to standard error
)

// The workload of BenchmarkDeployQuota: 2 scopes added to each of 25
// resource servers of one pool, one goroutine per server adding its two
// one after the other, against Cognito's quota of 5 requests per second
// per pool and category.
const (
	deployServers = 25
	deployAdds    = 2
	deployRate    = 5
)

// deployID is the identifier of resource server i of the workload.
func deployID(i int) string { return fmt.Sprintf("https://deploy-%02d.example.com", i) }

// deployScope is the j-th scope that the workload adds to a server.
func deployScope(j int) resourceserver.Scope {
	return resourceserver.Scope{Name: fmt.Sprintf("deploy.%d", j), Description: fmt.Sprintf("Added at start-up, %d", j)}
}

// deployResult is what a child prints when its workload is done.
type deployResult struct {
	Errors    int    // AddScope calls that returned an error
	Throttled int    // of which *rserrors.TooManyRequestsError
	First     string // the first error
}

// runDeployChild runs one replica, through [proctest.Serve]: a Client with
// the default Options (pacing off when the mode is "unpaced") on its own
// SDK client, configured as config.LoadDefaultConfig would (the standard
// retryer: 3 attempts, jittered backoff, retry quota), running the
// workload on its servers.
func runDeployChild() error {
	api := cip.New(cip.Options{
		BaseEndpoint: aws.String(os.Getenv(deployURLEnv)),
		Region:       cognitotest.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDREPLICA", "replica-secret", ""),
		HTTPClient:   cognitotest.BufferBodies(awshttp.NewBuildableClient()),
		Retryer:      retry.NewStandard(),
	})
	c := resourceserver.New(api, func(o *resourceserver.Options) {
		o.DisableRateLimit = os.Getenv(deployChildEnv) == "unpaced"
		if os.Getenv(deployLogEnv) != "" {
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	})
	return proctest.Serve(func() deployResult {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		return deployWork(ctx, c, strings.Split(os.Getenv(deployIDsEnv), ","))
	})
}

// deployWork adds deployAdds scopes to each of ids through c, one
// goroutine per server, and counts the errors.
func deployWork(ctx context.Context, c *resourceserver.Client, ids []string) deployResult {
	var (
		mu  sync.Mutex
		res deployResult
		wg  sync.WaitGroup
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range deployAdds {
				_, err := c.AddScopes(ctx, testPool, id, deployScope(j))
				if err == nil {
					continue
				}
				mu.Lock()
				if res.Errors == 0 {
					res.First = err.Error()
				}
				res.Errors++
				if rserrors.IsTooManyRequests(err) {
					res.Throttled++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res
}

// deployRun is one condition of BenchmarkDeployQuota.
type deployRun struct {
	mode     string          // "paced" (the default Options) or "unpaced" (DisableRateLimit)
	replicas int             // child processes, the servers dealt among them
	burst    int             // the emulator's burst; 0: its default (5)
	pauses   proctest.Pauses // how the (first) replica is stopped
}

// measureDeploy runs r once and reports:
//
//   - quota-%: the successful requests of the binding category, reads
//     (a verified AddScope sends 2 Describes for 1 Update), over what
//     deployRate per second allows in the time from the start signal to
//     the last replica's end, not counting the pauses; a burst can take it
//     over 100;
//   - update-%: the same for the successful Updates (at most 50% when
//     reads run at the quota);
//   - throttles: TooManyRequestsException answers of the emulator;
//   - errors: AddScope calls that returned an error to their caller.
//
// A paced run fails if any call returned an error or any scope is
// missing at the end.
func measureDeploy(b *testing.B, r deployRun) {
	opts := []cognitotest.Option{cognitotest.WithRateLimit(deployRate)}
	if r.burst > 0 {
		opts = append(opts, cognitotest.WithBurst(r.burst))
	}
	s := startEmulator(b, opts...)
	parts := make([][]string, r.replicas)
	for i := range deployServers {
		rs := makeServer(readScope)
		rs.Identifier = deployID(i)
		put(b, s, rs)
		parts[i%r.replicas] = append(parts[i%r.replicas], rs.Identifier)
	}
	children := make([]*proctest.Child, r.replicas)
	for i := range children {
		children[i] = proctest.Start(b, deployChildEnv+"="+r.mode, deployURLEnv+"="+s.URL, deployIDsEnv+"="+strings.Join(parts[i], ","))
	}
	run := proctest.Release[deployResult](b, children, r.pauses)
	var total deployResult
	for _, res := range run.Results {
		if total.First == "" {
			total.First = res.First
		}
		total.Errors += res.Errors
		total.Throttled += res.Throttled
	}
	secs := run.Active().Seconds()

	var reads, updates, throttles int
	for _, q := range s.Requests() {
		switch {
		case q.Code == rserrors.CodeTooManyRequests:
			throttles++
		case q.Code != "":
		case q.Operation == opDescribe:
			reads++
		case q.Operation == opUpdate:
			updates++
		}
	}
	missing := 0
	for i := range deployServers {
		have := make(map[string]bool)
		for _, sc := range stored(b, s, deployID(i)).Scopes {
			have[sc.Name] = true
		}
		for j := range deployAdds {
			if !have[deployScope(j).Name] {
				missing++
			}
		}
	}
	b.ReportMetric(100*float64(reads)/(deployRate*secs), "quota-%")
	b.ReportMetric(100*float64(updates)/(deployRate*secs), "update-%")
	b.ReportMetric(float64(throttles), "throttles")
	b.ReportMetric(float64(total.Errors), "errors")
	if r.mode == "paced" {
		if total.Errors > 0 {
			b.Fatalf("%d of %d AddScopes failed (%d throttled), want 0; the first: %s",
				total.Errors, deployServers*deployAdds, total.Throttled, total.First)
		}
		if missing > 0 {
			b.Fatalf("%d of %d scopes missing at the end, want 0", missing, deployServers*deployAdds)
		}
	}
}

// BenchmarkDeployQuota adds 50 scopes to 25 resource servers of one pool
// (2 each, one after the other), through Clients with the default Options
// (verification on) in child processes, each with its own SDK client and
// the SDK's standard retryer, against the emulator enforcing Cognito's
// quota of 5 per second per category, in three conditions:
//
//   - pauses: one Client whose process the benchmark stops 4 times for
//     1.5s with SIGSTOP and SIGCONT;
//   - replicas3: 3 Clients in 3 processes, the servers dealt among them
//     (9, 8 and 8);
//   - burst1: one Client against a quota without burst (WithBurst(1)).
//
// Each condition runs "paced" (the default Options), which must let no
// error reach a caller, and "unpaced", the baseline of the same run: a
// Client with DisableRateLimit, which leaves throttles to the SDK's
// retryer. See measureDeploy for the figures. A paced run takes 20 to
// 30s; run it with -benchtime 1x.
func BenchmarkDeployQuota(b *testing.B) {
	conds := []struct {
		name string
		run  deployRun
	}{
		{"pauses", deployRun{replicas: 1, pauses: proctest.Pauses{N: 4, After: time.Second, For: 1500 * time.Millisecond}}},
		{"replicas3", deployRun{replicas: 3}},
		{"burst1", deployRun{replicas: 1, burst: 1}},
	}
	for _, c := range conds {
		for _, mode := range []string{"paced", "unpaced"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				r := c.run
				r.mode = mode
				for range b.N {
					measureDeploy(b, r)
				}
			})
		}
	}
}

// coalesceAdds is how many goroutines of BenchmarkDeployCoalesce add a
// scope to one resource server at once.
const coalesceAdds = 12

// BenchmarkDeployCoalesce adds 12 scopes to one resource server at
// start-up, as 12 goroutines of one service would, against the emulator
// enforcing Cognito's quota of 5 per second per category, with the
// default Options (pacing and verification on):
//
//   - coalesced: one Client, the 12 AddScopes at once, which it merges
//     into shared read-modify-writes;
//   - sequential: one Client, the 12 AddScopes one after the other, which
//     is what one Client cost before it coalesced (its per-server lock ran
//     them one at a time) and the baseline;
//   - clients12: 12 Clients, each with its own SDK client, one AddScope
//     each, all at once: what 12 replicas cost, which cannot coalesce.
//
// It reports calls/op (every request the emulator received, throttled
// ones included), throttles/op, errors/op (AddScopes that returned an
// error) and lost/op (scopes whose AddScopes returned nil but that are
// not stored at the end); ns/op is the time
// from the first AddScope to the last result. The one-Client cases fail
// on any error or missing scope; clients12 only reports them.
func BenchmarkDeployCoalesce(b *testing.B) {
	for _, tt := range []struct {
		name string
		run  func(ctx context.Context, s *cognitotest.Server) []error
	}{
		{"coalesced", func(ctx context.Context, s *cognitotest.Server) []error {
			c := resourceserver.New(emuClient(s))
			return coalesceAll(func(i int) error {
				_, err := c.AddScopes(ctx, testPool, testID, deployScope(i))
				return err
			})
		}},
		{"sequential", func(ctx context.Context, s *cognitotest.Server) []error {
			c := resourceserver.New(emuClient(s))
			errs := make([]error, coalesceAdds)
			for i := range errs {
				_, errs[i] = c.AddScopes(ctx, testPool, testID, deployScope(i))
			}
			return errs
		}},
		{"clients12", func(ctx context.Context, s *cognitotest.Server) []error {
			cs := make([]*resourceserver.Client, coalesceAdds)
			for i := range cs {
				cs[i] = resourceserver.New(emuClient(s))
			}
			return coalesceAll(func(i int) error {
				_, err := cs[i].AddScopes(ctx, testPool, testID, deployScope(i))
				return err
			})
		}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var calls, throttles, errs, lost int
			for range b.N {
				b.StopTimer()
				s := startEmulator(b, cognitotest.WithRateLimit(deployRate))
				put(b, s, makeServer(readScope))
				b.StartTimer()
				got := tt.run(b.Context(), s)
				b.StopTimer()
				for _, err := range got {
					if err != nil {
						errs++
						if tt.name != "clients12" {
							b.Fatalf("AddScopes() error = %v", err)
						}
						b.Logf("AddScopes() error = %v (conflict: %t, throttled: %t)", err, rserrors.IsConflict(err), rserrors.IsTooManyRequests(err))
					}
				}
				have := make(map[string]bool)
				for _, sc := range stored(b, s, testID).Scopes {
					have[sc.Name] = true
				}
				for i := range coalesceAdds {
					if !have[deployScope(i).Name] && got[i] == nil {
						lost++
						if tt.name != "clients12" {
							b.Fatalf("scope %s lost: AddScopes returned nil, but it is not stored", deployScope(i).Name)
						}
					}
				}
				for _, q := range s.Requests() {
					calls++
					if q.Code == rserrors.CodeTooManyRequests {
						throttles++
					}
				}
				s.Close()
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(float64(calls)/n, "calls/op")
			b.ReportMetric(float64(throttles)/n, "throttles/op")
			b.ReportMetric(float64(errs)/n, "errors/op")
			b.ReportMetric(float64(lost)/n, "lost/op")
		})
	}
}

// coalesceAll runs add(0) to add(coalesceAdds-1) at once and returns what
// each returned.
func coalesceAll(add func(i int) error) []error {
	errs := make([]error, coalesceAdds)
	atOnce(coalesceAdds, func(i int) { errs[i] = add(i) })
	return errs
}
