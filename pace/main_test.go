package pace_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the replica workload of the quota benchmarks when the test
// binary is started as a child process by them (see quota_test.go), and
// the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := runChild(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
