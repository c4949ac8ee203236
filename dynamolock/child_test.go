package dynamolock_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/dynamolock"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// The process tests run the test binary again as separate processes:
// TestMain calls runChild when childEnv names a mode, with the
// childConfig in JSON in configEnv. A child talks to its parent in lines:
// it reads commands on stdin and writes events on stdout.
const (
	childEnv  = "DYNAMOLOCK_TEST_CHILD"
	configEnv = "DYNAMOLOCK_TEST_CONFIG"
)

// Child modes.
const (
	// modeAdd prints "ready"; then, for each line "go" or "go <identifier>"
	// it reads, it adds Scopes scopes named "<Prefix>-<i>" one AddScope at
	// a time to ID or that identifier, and prints "done" or "error <err>".
	// It exits when its stdin closes. Each time its Locker locks, it
	// prints "locked <unix ns>".
	modeAdd = "add"
	// modeHold locks Key through its Locker, prints "locked", and keeps
	// the lock (renewing it) until it is killed or its stdin closes.
	modeHold = "hold"
	// modePause adds the scope "<Prefix>-0" and, after the Describe it
	// makes under the lock (its second: the first, without the lock, only
	// finds that there is something to write), prints "described" and
	// waits for a line before it goes on. It prints "update" before each UpdateResourceServer it sends,
	// then "result ok", "result lost" (an error matching
	// rserrors.ErrLockLost) or "result error <err>".
	modePause = "pause"
	// modeReplica is a replica starting up, in internal/proctest's
	// exchange: once released, it Ensures the resource server ID with the
	// scope "base" and adds Scopes scopes named "<Prefix>-<i>", through a
	// Locker at the default Options, and prints a replicaResult.
	modeReplica = "replica"
)

type childConfig struct {
	Dynamo, Table     string        // dynalite's endpoint and the lock table
	Cognito, Pool, ID string        // the emulator, the user pool, the resource server
	Prefix            string        // scope names
	Scopes            int           // how many scopes modeAdd adds
	Lease             time.Duration // the Locker's lease
	Key               string        // the key modeHold locks
}

// runChild runs a child process in mode and returns its exit code.
func runChild(mode string) int {
	var cfg childConfig
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "child: bad %s: %v\n", configEnv, err)
		return 2
	}
	if mode == modeReplica {
		if err := proctest.Serve(func() replicaResult { return runReplica(cfg) }); err != nil {
			fmt.Fprintf(os.Stderr, "child: %v\n", err)
			return 1
		}
		return 0
	}
	out := &lineWriter{w: os.Stdout}
	in := bufio.NewReader(os.Stdin)
	ctx := context.Background()
	locker, err := dynamolock.New(dynamoClientAt(cfg.Dynamo), func(o *dynamolock.Options) {
		o.Table, o.Lease, o.Heartbeat = cfg.Table, cfg.Lease, testHeartbeat(cfg.Lease)
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "child: %v\n", err)
		return 2
	}
	api := cognitoClientAt(cfg.Cognito)
	switch mode {
	case modeHold:
		if _, err := locker.Lock(ctx, cfg.Key); err != nil {
			out.printf("error %v", err)
			return 1
		}
		out.printf("locked")
		io.Copy(io.Discard, os.Stdin) // until the parent goes away
		return 0
	case modeAdd:
		c := resourceserver.New(api, func(o *resourceserver.Options) {
			o.Locker = reportingLocker{locker, out}
			o.DisableRateLimit = true
		})
		out.printf("ready")
		for {
			// "go" adds to cfg.ID; "go <identifier>" to another server.
			line, err := in.ReadString('\n')
			if err != nil {
				return 0 // the parent has no more rounds
			}
			id := cfg.ID
			if arg, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
				id = arg
			}
			for i := range cfg.Scopes {
				s := resourceserver.Scope{Name: fmt.Sprintf("%s-%02d", cfg.Prefix, i), Description: "added by " + cfg.Prefix}
				if _, err := c.AddScope(ctx, cfg.Pool, id, s); err != nil {
					out.printf("error %v", err)
					return 1
				}
			}
			out.printf("done")
		}
	case modePause:
		c := resourceserver.New(&pausingAPI{API: api, in: in, out: out}, func(o *resourceserver.Options) {
			o.Locker = locker
			o.DisableRateLimit = true
		})
		_, err := c.AddScope(ctx, cfg.Pool, cfg.ID, resourceserver.Scope{Name: cfg.Prefix + "-0", Description: "added by " + cfg.Prefix})
		switch {
		case err == nil:
			out.printf("result ok")
		case rserrors.IsLockLost(err):
			out.printf("result lost")
		default:
			out.printf("result error %v", err)
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "child: unknown mode %q\n", mode)
	return 2
}

// cognitoClientAt returns an SDK client aimed at the emulator at url.
// It buffers bodies so that an Update is not sent twice (see
// cognitotest.BufferBodies); the DynamoDB clients keep the race: the
// Locker must cope with a retried request that had landed.
func cognitoClientAt(url string) resourceserver.API {
	return cip.New(cip.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCHILD", "child-secret", ""),
		HTTPClient:   cognitotest.BufferBodies(awshttp.NewBuildableClient()),
	})
}

// lineWriter writes whole lines from several goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}

// reportingLocker prints "locked <unix ns>" when it has locked and
// "unlocking <unix ns>" when it is about to unlock.
type reportingLocker struct {
	resourceserver.Locker
	out *lineWriter
}

func (r reportingLocker) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	lk, err := r.Locker.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	r.out.printf("locked %d", time.Now().UnixNano())
	return reportingLock{lk, r.out}, nil
}

type reportingLock struct {
	resourceserver.Lock
	out *lineWriter
}

func (r reportingLock) Unlock(ctx context.Context) error {
	r.out.printf("unlocking %d", time.Now().UnixNano())
	return r.Lock.Unlock(ctx)
}

// holdings returns the intervals, from "locked" to "unlocking", that the
// lines of a child report.
func holdings(t testing.TB, name string, lines []string) [][2]int64 {
	t.Helper()
	var spans [][2]int64
	for _, line := range lines {
		verb, ns, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil {
			continue
		}
		switch verb {
		case "locked":
			spans = append(spans, [2]int64{n, 0})
		case "unlocking":
			if len(spans) == 0 || spans[len(spans)-1][1] != 0 {
				t.Fatalf("child %s: unlocking without a lock", name)
			}
			spans[len(spans)-1][1] = n
		}
	}
	return spans
}

// checkExclusive fails t if two of spans overlap: two holders at once.
func checkExclusive(t testing.TB, spans map[string][][2]int64) {
	t.Helper()
	type span struct {
		who        string
		start, end int64
	}
	var all []span
	for who, ss := range spans {
		for _, s := range ss {
			all = append(all, span{who, s[0], s[1]})
		}
	}
	slices.SortFunc(all, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for i := 1; i < len(all); i++ {
		prev := all[i-1] // the span that ends last of those before i
		if prev.end == 0 || all[i].start < prev.end {
			t.Fatalf("%s locked at %d ns while %s held the lock from %d to %d ns", all[i].who, all[i].start, prev.who, prev.start, prev.end)
		}
	}
}

// pausingAPI waits for a line after its second Describe, the one made
// under the lock, and reports each Update before sending it.
type pausingAPI struct {
	resourceserver.API
	in        *bufio.Reader
	out       *lineWriter
	describes int
}

func (p *pausingAPI) DescribeResourceServer(ctx context.Context, in *cip.DescribeResourceServerInput, optFns ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error) {
	out, err := p.API.DescribeResourceServer(ctx, in, optFns...)
	if p.describes++; p.describes == 2 {
		p.out.printf("described")
		p.in.ReadString('\n')
	}
	return out, err
}

func (p *pausingAPI) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	p.out.printf("update")
	return p.API.UpdateResourceServer(ctx, in, optFns...)
}

// child is a running child process, seen from the parent.
type child struct {
	t     testing.TB
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // its stdout, closed at EOF
	read  []string    // the lines read from lines so far
	exit  chan error  // its exit status, once
}

// startChild starts the test binary as a child in mode with cfg, and kills
// it when the test ends if it is still running.
func startChild(t testing.TB, name, mode string, cfg childConfig) *child {
	t.Helper()
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, configEnv+"="+string(js))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting child %s: %v", name, err)
	}
	c := &child{t: t, name: name, cmd: cmd, stdin: stdin, lines: make(chan string, 100), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		stdin.Close()
		for range c.lines {
		}
	})
	return c
}

// expect reads lines until one starts with prefix, and returns it; it
// fails the test on EOF or after d. Lines "locked <ns>" it skips are
// passed to onLocked when set.
func (c *child) expect(prefix string, d time.Duration, onLocked func(time.Time)) string {
	c.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("child %s ended before printing %q", c.name, prefix)
			}
			c.read = append(c.read, line)
			if strings.HasPrefix(line, prefix) {
				return line
			}
			if ns, ok := strings.CutPrefix(line, "locked "); ok && onLocked != nil {
				if n, err := strconv.ParseInt(ns, 10, 64); err == nil {
					onLocked(time.Unix(0, n))
				}
			}
			if strings.HasPrefix(line, "error ") {
				c.t.Fatalf("child %s: %s", c.name, line)
			}
		case <-timeout:
			c.t.Fatalf("child %s printed no %q within %v", c.name, prefix, d)
		}
	}
}

// send writes a line to the child.
func (c *child) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatalf("writing to child %s: %v", c.name, err)
	}
}

// wait closes the child's stdin, waits for it to exit, and fails the test
// unless it exits 0.
func (c *child) wait(d time.Duration) {
	c.t.Helper()
	c.stdin.Close()
	for line := range c.lines {
		c.read = append(c.read, line)
	}
	select {
	case err := <-c.exit:
		if err != nil {
			c.t.Errorf("child %s: %v", c.name, err)
		}
	case <-time.After(d):
		c.t.Fatalf("child %s still running after %v", c.name, d)
	}
}
