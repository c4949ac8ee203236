package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// event is the part of a test2json event that testtime reads.
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
}

// run is one timed go test command.
type run struct {
	wall     time.Duration
	packages map[string]float64 // the Elapsed of each package's pass or fail, in seconds
	tests    map[string]float64 // the Elapsed of each top-level test, keyed "package Test"
}

// goTest runs go test -count=1 -json with args in dir and returns its
// timing. A failing command is fatal: its figures would measure nothing.
func goTest(dir string, args []string) run {
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-json"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	r := run{packages: map[string]float64{}, tests: map[string]float64{}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	var failed []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || (e.Action != "pass" && e.Action != "fail") {
			continue
		}
		switch {
		case e.Test == "":
			r.packages[e.Package] = e.Elapsed
			if e.Action == "fail" {
				failed = append(failed, e.Package)
			}
		case !strings.Contains(e.Test, "/"):
			r.tests[e.Package+" "+e.Test] = e.Elapsed
		}
	}
	err = cmd.Wait()
	r.wall = time.Since(start)
	if err != nil {
		log.Fatalf("go test %s: %v; failed: %s\n%s", strings.Join(args, " "), err, strings.Join(failed, ", "), stderr.Bytes())
	}
	return r
}

// median returns the median of the walls of runs.
func median(runs []run) time.Duration {
	w := make([]time.Duration, len(runs))
	for i, r := range runs {
		w[i] = r.wall
	}
	slices.Sort(w)
	if len(w)%2 == 1 {
		return w[len(w)/2]
	}
	return (w[len(w)/2-1] + w[len(w)/2]) / 2
}

// row is one line of a table of the slowest packages or tests.
type row struct {
	name       string
	none, full float64 // seconds with -run '^$' and with the tests
}

// slowest returns the top rows of full, by time over the no-test run.
func slowest(full, none map[string]float64, top int) []row {
	var rows []row
	for name, s := range full {
		rows = append(rows, row{name, none[name], s})
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(b.full-b.none, a.full-a.none) })
	return rows[:min(top, len(rows))]
}

func report(w io.Writer, args []string, none, full []run, top int) {
	mn, mf := median(none), median(full)
	fmt.Fprintf(w, "go test -count=1 %s\n", strings.Join(args, " "))
	fmt.Fprintf(w, "  no test (-run '^$'): %6.1f s  (median of %d)\n", mn.Seconds(), len(none))
	fmt.Fprintf(w, "  tests:               %6.1f s  (median of %d)\n", mf.Seconds(), len(full))
	fmt.Fprintf(w, "  ratio:               %6.2f   (goal: at most 1.5)\n\n", mf.Seconds()/mn.Seconds())
	last := len(full) - 1
	fmt.Fprintf(w, "packages whose tests take longest (last run; seconds from the package's start to its end):\n")
	for _, r := range slowest(full[last].packages, none[last].packages, top) {
		fmt.Fprintf(w, "  %6.2f  (%5.2f without tests)  %s\n", r.full, r.none, r.name)
	}
	fmt.Fprintf(w, "\nslowest top-level tests (last run):\n")
	for _, r := range slowest(full[last].tests, nil, top) {
		fmt.Fprintf(w, "  %6.2f  %s\n", r.full, r.name)
	}
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("testtime: ")
	n := flag.Int("n", 2, "measured runs of each command")
	top := flag.Int("top", 10, "rows of the tables of the slowest packages and tests")
	race := flag.Bool("race", false, "pass -race to go test")
	dir := flag.String("C", "", "run go test in this directory, such as the root of another module")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: testtime [-n runs] [-top rows] [-race] [-C dir] [packages] (default ./...)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *n < 1 || *top < 0 {
		log.Fatal("-n must be at least 1 and -top at least 0")
	}
	args := flag.Args()
	if len(args) == 0 {
		args = []string{"./..."}
	}
	if *race {
		args = append([]string{"-race"}, args...)
	}
	noTest := append([]string{"-run", "^$"}, args...)
	fmt.Fprintln(os.Stderr, "testtime: warming the build cache (go test -run '^$')")
	goTest(*dir, noTest)
	var none, full []run
	for i := range *n {
		fmt.Fprintf(os.Stderr, "testtime: run %d of %d\n", i+1, *n)
		none = append(none, goTest(*dir, noTest))
		full = append(full, goTest(*dir, args))
	}
	report(os.Stdout, args, none, full, *top)
}
