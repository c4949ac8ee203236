package proctest

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The lines of the exchange; a result is a line of JSON.
const (
	readyLine = "ready\n"
	startLine = "go\n"
)

// Serve is the child's side: it prints "ready", waits for the start line
// that [Release] writes to its standard input, calls work and prints what
// work returns as one line of JSON on standard output. It returns the
// error of reading the start line or of writing the result.
func Serve[R any](work func() R) error {
	if _, err := io.WriteString(os.Stdout, readyLine); err != nil {
		return err
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("waiting for the start line: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(work())
}

// A Child is the test binary running as a child process, seen from the
// parent.
type Child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
}

// Start runs the test binary again with no test selected and env
// ("NAME=value" pairs) added to the test's environment, and waits until
// the child, in [Serve], is ready. The child writes its standard error to
// the test's. Start fails tb if the child cannot start or is not ready;
// the child is resumed if stopped, and killed, when tb ends.
func Start(tb testing.TB, env ...string) *Child {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &Child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if line, err := c.stdout.ReadString('\n'); err != nil || line != readyLine {
		tb.Fatalf("child %v: got %q, %v; want %q", env, line, err, readyLine)
	}
	return c
}

// result reads the child's result into v and waits for it to exit.
func (c *Child) result(v any) error {
	line, err := c.stdout.ReadString('\n')
	if err != nil {
		return fmt.Errorf("child %d: reading its result: %w", c.cmd.Process.Pid, err)
	}
	if err := json.Unmarshal([]byte(line), v); err != nil {
		return fmt.Errorf("child %d: result %q: %w", c.cmd.Process.Pid, line, err)
	}
	if err := c.cmd.Wait(); err != nil {
		return fmt.Errorf("child %d: %w", c.cmd.Process.Pid, err)
	}
	return nil
}

// Pauses says how [Release] stops the first child while it works: N
// times, each after After of work, for For, with SIGSTOP and then
// SIGCONT, as a host stops and resumes a process it suspends. The zero
// value stops nothing.
type Pauses struct {
	N          int
	After, For time.Duration
}

// A Pause is one interval in which a child was stopped.
type Pause struct{ From, To time.Time }

// A Run is what [Release] observed.
type Run[R any] struct {
	Results    []R       // each child's result, in the order of the children
	Start, End time.Time // when the start line was written; when the last result was read
	Pauses     []Pause   // the stops of the first child
}

// Active returns the time from Start to End not spent in Pauses.
func (r Run[R]) Active() time.Duration {
	d := r.End.Sub(r.Start)
	for _, p := range r.Pauses {
		if !p.From.Before(r.End) {
			continue
		}
		to := p.To
		if to.After(r.End) {
			to = r.End
		}
		d -= to.Sub(p.From)
	}
	return d
}

// Release writes the start line to each child, one after the other
// without waiting, stops the first child as p says while the children
// work, and then reads each child's result (its one line of JSON) into a
// value of R and waits for its exit. It fails tb if a start line cannot
// be written, a result cannot be read, or a child exits with an error.
func Release[R any](tb testing.TB, children []*Child, p Pauses) Run[R] {
	tb.Helper()
	run := Run[R]{Results: make([]R, len(children)), Start: time.Now()}
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, startLine); err != nil {
			tb.Fatal(err)
		}
	}
	done := make(chan struct{})
	pauses := make(chan []Pause, 1)
	go func() {
		if p.N == 0 || len(children) == 0 {
			pauses <- nil
			return
		}
		pauses <- pause(children[0].cmd.Process, p, done)
	}()
	for i, c := range children {
		if err := c.result(&run.Results[i]); err != nil {
			close(done)
			tb.Fatal(err)
		}
	}
	run.End = time.Now()
	close(done)
	run.Pauses = <-pauses
	return run
}

// pause stops proc as p says until done is closed or proc is gone, and
// returns the pauses it made.
func pause(proc *os.Process, p Pauses, done <-chan struct{}) []Pause {
	var ps []Pause
	for range p.N {
		select {
		case <-done:
			return ps
		case <-time.After(p.After):
		}
		from := time.Now()
		if proc.Signal(syscall.SIGSTOP) != nil {
			return ps
		}
		time.Sleep(p.For)
		_ = proc.Signal(syscall.SIGCONT)
		ps = append(ps, Pause{from, time.Now()})
	}
	return ps
}

// DefaultParallel makes n the default of -test.parallel, unless the
// command line sets it; a TestMain calls it after flag.Parse. Tests that
// wait on processes, leases or pacing far more than they use the CPU
// would otherwise run GOMAXPROCS (2 on a small CI machine) at a time.
func DefaultParallel(n int) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(n)); err != nil {
			panic("proctest: " + err.Error())
		}
	}
}
