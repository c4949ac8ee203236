package proctest_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/proctest"
)

// The environment of a child of these tests.
const (
	childEnv = "PROCTEST_CHILD" // set: the binary runs as a child
	nameEnv  = "PROCTEST_NAME"  // echoed in the result
	watchEnv = "PROCTEST_WATCH" // how long the child watches its clock, as for time.ParseDuration; unset: not at all
)

// result is what a child prints.
type result struct {
	Name    string        // the value of nameEnv
	Started int64         // when work began, Unix ns
	MaxGap  time.Duration // the longest time between two of its clock readings, 2ms apart
}

// TestMain runs work when the binary is started by Start, and the tests
// otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := proctest.Serve(work); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// work echoes nameEnv and, for the duration in watchEnv, reads its clock
// every 2ms to see how long it was stopped.
func work() result {
	res := result{Name: os.Getenv(nameEnv), Started: time.Now().UnixNano()}
	watch, _ := time.ParseDuration(os.Getenv(watchEnv))
	start := time.Now()
	for last := start; time.Since(start) < watch; {
		time.Sleep(2 * time.Millisecond)
		now := time.Now()
		res.MaxGap = max(res.MaxGap, now.Sub(last))
		last = now
	}
	return res
}
