package pace_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	"github.com/scopekeeper/scopekeeper/internal/pace"
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

// runChild runs one replica: it prints "ready", waits for a line on
// standard input, adds the scopes, and prints a childResult as JSON.
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
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return err
	}
	res := w.run(context.Background(), os.Getenv(childPool), strings.Split(os.Getenv(childServers), ","), adds)
	return json.NewEncoder(os.Stdout).Encode(res)
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

// child is a replica process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
}

// startChild starts the test binary as a replica working on servers and
// waits until it is ready.
func startChild(b *testing.B, mode, url, pool string, servers []string) *child {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childURL+"="+url, childPool+"="+pool,
		childServers+"="+strings.Join(servers, ","), childAdds+"="+strconv.Itoa(quotaAdds))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if line, err := c.stdout.ReadString('\n'); err != nil || line != "ready\n" {
		b.Fatalf("child: got %q, %v; want ready", line, err)
	}
	return c
}

// result waits for the child's result.
func (c *child) result() (childResult, error) {
	var res childResult
	line, err := c.stdout.ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("child: %w", err)
	}
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return res, fmt.Errorf("child: %q: %w", line, err)
	}
	return res, c.cmd.Wait()
}

// quotaRun is one measurement: the workload split among replicas, against
// an emulator with the given burst, optionally paused.
type quotaRun struct {
	mode     string // "paced" or "baseline"
	replicas int
	burst    int  // 0: the emulator's default (5)
	pauses   bool // pause the (first) replica 4 times for 1.5s
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
	children := make([]*child, r.replicas)
	for i := range children {
		children[i] = startChild(b, r.mode, srv.URL, pool, parts[i])
	}
	start := time.Now()
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
			b.Fatal(err)
		}
	}
	var paused time.Duration
	pausing := make(chan struct{})
	go func() {
		defer close(pausing)
		if !r.pauses {
			return
		}
		p := children[0].cmd.Process
		for range 4 {
			time.Sleep(time.Second)
			t := time.Now()
			if p.Signal(syscall.SIGSTOP) != nil {
				return
			}
			time.Sleep(1500 * time.Millisecond)
			_ = p.Signal(syscall.SIGCONT)
			paused += time.Since(t)
		}
	}()
	var errs int
	var first string
	for _, c := range children {
		res, err := c.result()
		if err != nil {
			b.Fatal(err)
		}
		if first == "" {
			first = res.First
		}
		errs += res.Errors
	}
	elapsed := time.Since(start)
	<-pausing
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
	b.ReportMetric(100*float64(done)/(2*quotaRate*(elapsed-paused).Seconds()), "quota-%")
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
		{"pauses", quotaRun{replicas: 1, pauses: true}},
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
