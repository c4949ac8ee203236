package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
)

const (
	validatePkg = "github.com/scopekeeper/scopekeeper/validate"
	rsPkg       = "github.com/scopekeeper/scopekeeper/resourceserver"
)

// A benchRun is one `go test -bench` invocation.
type benchRun struct {
	pkg       string
	bench     string // the -bench pattern
	benchtime string
}

// args returns the arguments of `go` for r.
func (r benchRun) args() []string {
	return []string{"test", "-run", "^$", "-bench", r.bench, "-benchmem", "-benchtime", r.benchtime, r.pkg}
}

// plan returns the runs and the table's groups, which refer to the runs by
// index.
func plan(benchtime, callstime string) ([]benchRun, []group) {
	runs := []benchRun{
		{validatePkg, "^BenchmarkUpdateResourceServerInput$", benchtime},
		{rsPkg, "^BenchmarkAddScope$", benchtime},
		{rsPkg, "^BenchmarkCalls$", callstime},
		// Paced at Cognito's quota, one iteration takes seconds.
		{rsPkg, "^BenchmarkDeployCoalesce$", "1x"},
	}
	groups := []group{
		{
			title: "validate a 100-scope UpdateResourceServer input",
			run:   0, pkg: validatePkg,
			rows:     []row{{"BenchmarkUpdateResourceServerInput/hand", "hand-written validate"}},
			baseline: row{"BenchmarkUpdateResourceServerInput/regexp", "regexp reference"},
			units:    []string{"ns/op", "B/op", "allocs/op"},
		},
		{
			title: "AddScope on the emulator (20 scopes, rate limits off)",
			run:   1, pkg: rsPkg,
			rows: []row{
				{"BenchmarkAddScope/client", "Client (Describe, Update, verifying Describe)"},
				{"BenchmarkAddScope/client-noverify", "Client, DisableVerify"},
			},
			baseline: row{"BenchmarkAddScope/raw", "raw SDK Describe + Update"},
			units:    []string{"ns/op", "B/op", "allocs/op"},
		},
	}
	for _, op := range []struct{ name, title, raw string }{
		{"AddScope", "calls: AddScope", "raw Describe + Update"},
		{"AddScope-noop", "calls: AddScope, nothing to add", "raw Describe + Update"},
		{"RemoveScopes", "calls: RemoveScopes", "raw Describe + Update"},
		{"Rename", "calls: Rename", "raw Describe + Update"},
		{"List120", "calls: list 120 resource servers", "raw paginator, 50 per page"},
	} {
		g := group{
			title: op.title, run: 2, pkg: rsPkg,
			rows:     []row{{"BenchmarkCalls/" + op.name + "/client", "Client"}},
			baseline: row{"BenchmarkCalls/" + op.name + "/raw", op.raw},
			units:    []string{"ns/op", "calls/op"},
		}
		if op.name != "List120" {
			g.rows = append(g.rows, row{"BenchmarkCalls/" + op.name + "/client-noverify", "Client, DisableVerify"})
		}
		groups = append(groups, g)
	}
	groups = append(groups, group{
		title: "12 AddScopes at once on one resource server (quota 5/s, default Options)",
		run:   3, pkg: rsPkg,
		rows: []row{
			{"BenchmarkDeployCoalesce/coalesced", "one Client, 12 goroutines (coalesced)"},
			{"BenchmarkDeployCoalesce/clients12", "12 Clients, one AddScope each"},
		},
		baseline: row{"BenchmarkDeployCoalesce/sequential", "one Client, one after another"},
		units:    []string{"ns/op", "calls/op"},
	})
	return runs, groups
}

// goTest runs `go <args>` and returns its standard output; on failure the
// error holds the output and standard error too.
func goTest(ctx context.Context, args []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// run executes the runs with goCmd, parses their output and writes the
// table to out, with a header naming the machine and a footer with the
// commands; progress goes to progress.
func run(ctx context.Context, out, progress io.Writer, benchtime, callstime string,
	goCmd func(context.Context, []string) ([]byte, error)) error {
	runs, groups := plan(benchtime, callstime)
	outs := make([]*Output, len(runs))
	for i, r := range runs {
		fmt.Fprintf(progress, "benchtable: go %s\n", quoteArgs(r.args()))
		b, err := goCmd(ctx, r.args())
		if err != nil {
			return err
		}
		if outs[i], err = Parse(bytes.NewReader(b)); err != nil {
			return fmt.Errorf("go %s: %w", quoteArgs(r.args()), err)
		}
		if len(outs[i].Results) == 0 {
			return fmt.Errorf("go %s: benchmark results: %w", quoteArgs(r.args()), errMissing)
		}
	}
	info := outs[0].Info
	procs := outs[0].Results[0].Procs
	fmt.Fprintf(out, "scopekeeper benchmarks: %s %s/%s, %s, GOMAXPROCS %d.\n", runtime.Version(), info["goos"], info["goarch"], info["cpu"], procs)
	fmt.Fprintf(out, "Each figure: value (ratio to the group's baseline, measured in the same run; below 1× is less).\n\n")
	if err := render(out, groups, outs); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nRate limits are off in the Clients (they change timing, not calls), except in the last group, which runs once against the emulator enforcing Cognito's quota. Calls are counted by the emulator's request log. Commands:\n\n")
	for _, r := range runs {
		fmt.Fprintf(out, "    go %s\n", quoteArgs(r.args()))
	}
	return nil
}

// quoteArgs joins args for a shell, quoting those with special characters.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if strings.ContainsAny(a, "^$*|() ") {
			q[i] = "'" + a + "'"
		}
	}
	return strings.Join(q, " ")
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchtable: ")
	benchtime := flag.String("benchtime", "1s", "`-benchtime` of the timing benchmarks")
	callstime := flag.String("callstime", "300x", "`-benchtime` of the call-count benchmarks")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, *benchtime, *callstime, goTest); err != nil {
		stop()
		log.Fatal(err)
	}
}
