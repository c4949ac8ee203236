package resourceserver_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs one replica of BenchmarkDeployQuota when the test binary
// is started as its child process (deployChildEnv is set; see
// deploy_bench_test.go), and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(deployChildEnv) != "" {
		if err := runDeployChild(); err != nil {
			fmt.Fprintln(os.Stderr, "deploy child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
