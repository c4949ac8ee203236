// Command testtime measures what the tests of a module cost on top of
// building them: it times `go test -count=1 -json <packages>` against the
// same command with -run '^$' (every test binary built, linked and
// started, no test, example or fuzz seed run), and prints the ratio of
// the two wall-clock times, which the project keeps at most 1.5, with the
// packages whose tests take longest:
//
//	go run ./internal/testtime                  # ./... of the main module
//	go run ./internal/testtime -n 3 -race ./... # medians of 3 runs each, with -race
//	go run ./internal/testtime -C dynamolock    # the dynamolock module
//
// It first runs the no-test command once, unmeasured, so that both
// measured commands find the build cache warm; then it alternates the two
// commands -n times (default 2), so that a load that comes and goes on the
// machine weighs on both alike, and reports the median of each. The
// figures are a ratio measured in one run, not a bound on absolute time:
// nothing fails on a slow machine. It exits 1 if a go test command fails.
package main
