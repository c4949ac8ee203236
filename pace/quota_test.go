package pace_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/time/rate"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
	"github.com/scopekeeper/scopekeeper/pace"
)

// The environment of a child process of the quota benchmarks.
const (
	childEnv     = "PACE_QUOTA_CHILD" // "paced" or "baseline"
	childURL     = "PACE_QUOTA_URL"
	childPool    = "PACE_QUOTA_POOL"
	childServers = "PACE_QUOTA_SERVERS" // identifiers, comma-separated
	childAdds    = "PACE_QUOTA_ADDS"    // scopes to add to each server
)

// The workload: add scopes to 25 resource servers of one pool, 2 each, one
// Describe and one Update per scope, at Cognito's 5 requests per second
// per category.
const (
	quotaRate    = 5
	quotaServers = 25
	quotaAdds    = 2
)

// childResult is what a child prints when its workload is done.
type childResult struct {
	Errors int    // calls whose error reached the caller
	First  string // the first such error
}

// runChild runs one replica: the workload on the servers of its
// environment, through [proctest.Serve].
func runChild() error {
	adds, err := strconv.Atoi(os.Getenv(childAdds))
	if err != nil {
		return err
	}
	client := cip.New(cip.Options{
		BaseEndpoint: aws.String(os.Getenv(childURL)),
		Region:       cognitotest.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCHILD", "secret", ""),
		HTTPClient:   cognitotest.BufferBodies(awshttp.NewBuildableClient()),
		Retryer:      retry.NewStandard(), // what config.LoadDefaultConfig gives
	})
	w := newWorkload(client, os.Getenv(childEnv) == "paced")
	return proctest.Serve(func() childResult {
		return w.run(context.Background(), os.Getenv(childPool), strings.Split(os.Getenv(childServers), ","), adds)
	})
}

// workload adds scopes with raw SDK calls, paced either by a pace.Pacer
// or, as a baseline, the way resourceserver paced before package pace: a
// rate.Limiter per category, Wait before each call, no adaptation.
type workload struct {
	client *cip.Client
	pacer  *pace.Pacer
	read   *rate.Limiter
	update *rate.Limiter
}

func newWorkload(client *cip.Client, paced bool) *workload {
	w := &workload{client: client}
	if paced {
		var log *slog.Logger
		if os.Getenv("PACE_QUOTA_LOG") != "" {
			log = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
		w.pacer, _ = pace.New(pace.Config{Logger: log})
	} else {
		w.read = rate.NewLimiter(quotaRate, 1)
		w.update = rate.NewLimiter(quotaRate, 1)
	}
	return w
}

// run adds adds scopes to each server, one goroutine per server, and
// counts the errors that reach it.
func (w *workload) run(ctx context.Context, pool string, servers []string, adds int) childResult {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var (
		mu  sync.Mutex
		res childResult
		wg  sync.WaitGroup
	)
	for _, id := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range adds {
				if err := w.addScope(ctx, pool, id, fmt.Sprintf("scope%d", i)); err != nil {
					mu.Lock()
					if res.Errors == 0 {
						res.First = err.Error()
					}
					res.Errors++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return res
}

// addScope is one read-modify-write: Describe, then Update with the scope
// added.
func (w *workload) addScope(ctx context.Context, pool, id, scope string) error {
	var readOpts, updateOpts []func(*cip.Options)
	if w.pacer != nil {
		readOpts = append(readOpts, w.pacer.Option(pool, pace.ResourceRead))
		updateOpts = append(updateOpts, w.pacer.Option(pool, pace.ResourceUpdate))
	} else if err := w.read.Wait(ctx); err != nil {
		return err
	}
	out, err := w.client.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(id),
	}, readOpts...)
	if err != nil {
		return err
	}
	rs := out.ResourceServer
	scopes := append(rs.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(scope), ScopeDescription: aws.String("added")})
	if w.pacer == nil {
		if err := w.update.Wait(ctx); err != nil {
			return err
		}
	}
	_, err = w.client.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: rs.Name, Scopes: scopes,
	}, updateOpts...)
	return err
}

// quotaRun is one measurement: the workload split among replicas, against
// an emulator with the given burst, optionally paused.
type quotaRun struct {
	mode     string // "paced" or "baseline"
	replicas int
	burst    int             // 0: the emulator's default (5)
	pauses   proctest.Pauses // how the (first) replica is stopped
}

// measure runs r once and reports, per run: quota-%, the share of the
// sustained quota that the successful calls used (their number over what
// 5 per second in each of the two categories allows in the elapsed time
// not spent paused; a burst can take it over 100); throttles, the
// TooManyRequestsException answers of the emulator; errors, the calls
// whose error reached the caller.
func measure(b *testing.B, r quotaRun) {
	opts := []cognitotest.Option{cognitotest.WithRateLimit(quotaRate)}
	if r.burst > 0 {
		opts = append(opts, cognitotest.WithBurst(r.burst))
	}
	srv := cognitotest.NewServer(opts...)
	defer srv.Close()
	pool := srv.CreateUserPool("quota")
	parts := make([][]string, r.replicas)
	for i := range quotaServers {
		id := fmt.Sprintf("https://api%02d.example.com", i)
		if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "api"}); err != nil {
			b.Fatal(err)
		}
		parts[i%r.replicas] = append(parts[i%r.replicas], id)
	}
	children := make([]*proctest.Child, r.replicas)
	for i := range children {
		children[i] = proctest.Start(b, childEnv+"="+r.mode, childURL+"="+srv.URL, childPool+"="+pool,
			childServers+"="+strings.Join(parts[i], ","), childAdds+"="+strconv.Itoa(quotaAdds))
	}
	run := proctest.Release[childResult](b, children, r.pauses)
	var errs int
	var first string
	for _, res := range run.Results {
		if first == "" {
			first = res.First
		}
		errs += res.Errors
	}
	throttles, done := 0, 0
	for _, req := range srv.Requests() {
		switch req.Code {
		case "TooManyRequestsException":
			throttles++
		case "":
			done++
		}
	}
	// The quota allows quotaRate calls per second in each of the two
	// categories.
	b.ReportMetric(100*float64(done)/(2*quotaRate*run.Active().Seconds()), "quota-%")
	b.ReportMetric(float64(throttles), "throttles")
	b.ReportMetric(float64(errs), "errors")
	if r.mode == "paced" && errs > 0 {
		b.Errorf("%d calls failed, want 0; the first: %s", errs, first)
	}
}

// BenchmarkQuota measures the workload above through pace.Pacer and
// through the baseline, in three conditions: one process paused 4 times
// for 1.5s, 3 replica processes, and a quota without burst. Each run takes
// about 10s; run it with -benchtime=1x.
func BenchmarkQuota(b *testing.B) {
	conds := []struct {
		name string
		run  quotaRun
	}{
		{"pauses", quotaRun{replicas: 1, pauses: proctest.Pauses{N: 4, After: time.Second, For: 1500 * time.Millisecond}}},
		{"replicas3", quotaRun{replicas: 3}},
		{"burst1", quotaRun{replicas: 1, burst: 1}},
	}
	for _, c := range conds {
		for _, mode := range []string{"baseline", "paced"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				r := c.run
				r.mode = mode
				for range b.N {
					measure(b, r)
				}
			})
		}
	}
}
