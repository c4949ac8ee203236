package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
)

// commandEnv, set to 1 in the environment of the test binary, makes it
// run as the scopekeeper command (TestMain calls main) rather than run the
// tests: the tests that need the command as a process of its own start
// the test binary again, with nothing to build.
const commandEnv = "SCOPEKEEPER_TEST_AS_COMMAND"

// waitingParallel is the default of -parallel for this package: its
// process tests (TestBinary and the signal tests) wait on the command's
// pacing far more than they use the CPU, and with the default, GOMAXPROCS
// (2 on a small CI machine), they would wait one after the other.
const waitingParallel = 8

func TestMain(m *testing.M) {
	if os.Getenv(commandEnv) == "1" {
		main()
	}
	flag.Parse()
	proctest.DefaultParallel(waitingParallel)
	os.Exit(m.Run())
}

// command returns "scopekeeper args..." as a process of its own: the test
// binary run as the command, with the environment of the test and
// commandEnv.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), commandEnv+"=1")
	return cmd
}

// interruptedApply starts "scopekeeper apply -f FILE --auto-approve -o
// json" of n servers against srv, and returns the process once the
// emulator has seen creates CreateResourceServer calls.
func interruptedApply(t *testing.T, srv *cognitotest.Server, n, creates int) (*process, *syncBuffer, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("userPoolId: " + pool + "\nresourceServers:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {identifier: https://api%03d.example.com, name: API, scopes: [{name: read, description: Read}]}\n", i)
	}
	file := filepath.Join(dir, "scopes.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := command(t, "apply", "-f", file, "--auto-approve", "-o", "json")
	cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+srv.URL, "SCOPEKEEPER_ENDPOINT=", "SCOPEKEEPER_POOL_ID="+pool,
		"AWS_ACCESS_KEY_ID=", "AWS_PROFILE=", "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{Cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	for countOps(srv)["CreateResourceServer"] < creates {
		select {
		case <-p.done:
			t.Fatalf("the apply ended early:\n%s", stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return p, stdout, stderr
}

// process is a started command and its end.
type process struct {
	*exec.Cmd
	done chan struct{} // closed once Wait returned
	err  error         // Wait's error
}

// syncBuffer is a bytes.Buffer that a process writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Bytes() []byte { return []byte(s.String()) }

func countOps(srv *cognitotest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Requests() {
		out[r.Operation]++
	}
	return out
}

// exitCode waits for p and returns its exit code.
func exitCode(t *testing.T, p *process) int {
	t.Helper()
	<-p.done
	err := p.err
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// signalServer returns an emulator on loopback, for the command run as a
// process, holding the pool, with room for the files' servers.
func signalServer(t *testing.T) *cognitotest.Server {
	t.Helper()
	srv := cognitotest.NewServer(cognitotest.WithMaxResourceServers(100))
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestSignalStopsApplyTruthfully: the first SIGINT stops an apply paced
// to Cognito's quota; the writes in flight finish, every step is reported
// as the pool holds it, and the exit code is 130.
func TestSignalStopsApplyTruthfully(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process; run without -short")
	}
	t.Parallel()
	srv := signalServer(t)
	const n, seen = 30, 2 // servers in the file; creates seen before the signal
	cmd, stdout, stderr := interruptedApply(t, srv, n, seen)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 130 {
		t.Errorf("exit code %d, want 130; stderr:\n%s", code, stderr)
	}
	var res struct {
		Interrupted bool `json:"interrupted"`
		Steps       []struct {
			Target  string `json:"target"`
			Outcome string `json:"outcome"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not the result: %v\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if !res.Interrupted || len(res.Steps) != n {
		t.Fatalf("result: interrupted %v, %d steps; want true and %d", res.Interrupted, len(res.Steps), n)
	}
	held := map[string]bool{}
	for _, rs := range srv.ResourceServers(pool) {
		held[rs.Identifier] = true
	}
	count := map[string]int{}
	for _, s := range res.Steps {
		count[s.Outcome]++
		switch s.Outcome {
		case "done":
			if !held[s.Target] {
				t.Errorf("%s reported done, and the pool does not hold it", s.Target)
			}
		case "not tried":
			if held[s.Target] {
				t.Errorf("%s reported not tried, and the pool holds it", s.Target)
			}
		case "written, not verified":
		default:
			t.Errorf("%s: outcome %q", s.Target, s.Outcome)
		}
	}
	if count["done"] < seen || count["not tried"] == 0 {
		t.Errorf("outcomes %v: want the %d writes seen done, and the apply stopped before the end", count, seen)
	}
	if !strings.Contains(stderr.String(), "Send it again to exit at once") {
		t.Errorf("stderr does not say what the signal does:\n%s", stderr)
	}
}

// TestSecondSignalExitsAtOnce: a second SIGINT ends the command at once,
// while the first waits for writes in flight, with exit code 130 and no
// summary.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process; run without -short")
	}
	t.Parallel()
	srv := signalServer(t)
	cmd, stdout, stderr := interruptedApply(t, srv, 20, 2)
	// The listing that verifies the writes in flight never comes: only a
	// second signal ends the wait before the grace does.
	if err := srv.AddFaultRule(cognitotest.FaultRule{Operation: "ListResourceServers", Probability: 1, Fault: cognitotest.Fault{Delay: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stderr.String(), "Send it again") {
		select {
		case <-cmd.done:
			t.Fatalf("the command ended before the second signal:\n%s", stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 130 {
		t.Errorf("exit code %d, want 130; stderr:\n%s", code, stderr)
	}
	if stdout.String() != "" || !strings.Contains(stderr.String(), "exiting at once") {
		t.Errorf("stdout:\n%s\nstderr:\n%s\nwant no result and the exit said", stdout, stderr)
	}
}
