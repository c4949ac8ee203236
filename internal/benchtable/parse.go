package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errFigures is wrapped by the error of Parse for a benchmark line whose
// figures cannot be read.
var errFigures = errors.New("malformed benchmark figures")

// Result is one benchmark line of `go test -bench` output.
type Result struct {
	// Pkg is the import path from the preceding "pkg:" line, "" if none.
	Pkg string
	// Name is the benchmark's full name, sub-benchmarks included, without
	// the "-<GOMAXPROCS>" suffix, such as "BenchmarkAddScope/raw".
	Name string
	// Procs is GOMAXPROCS from the suffix; 1 when there is none (testing
	// leaves it out when GOMAXPROCS is 1).
	Procs int
	// N is the number of iterations.
	N int64
	// Metrics maps each unit, such as "ns/op", "B/op", "allocs/op" or a
	// custom one like "calls/op", to its value.
	Metrics map[string]float64
}

// Output is what Parse finds in the output of `go test -bench`.
type Output struct {
	// Info holds the "key: value" header lines, such as "goos", "goarch"
	// and "cpu" (the last "pkg" line too).
	Info map[string]string
	// Results holds the benchmark lines in order.
	Results []Result
}

// Find returns the last result of that package and name, and whether there
// is one; an empty pkg matches any package.
func (o *Output) Find(pkg, name string) (Result, bool) {
	for i := len(o.Results) - 1; i >= 0; i-- {
		r := o.Results[i]
		if r.Name == name && (pkg == "" || r.Pkg == pkg) {
			return r, true
		}
	}
	return Result{}, false
}

// infoKeys are the header lines that `go test -bench` prints.
var infoKeys = map[string]bool{"goos": true, "goarch": true, "pkg": true, "cpu": true}

// Parse reads the output of `go test -bench` and returns its header lines
// and benchmark results. Other lines (PASS, ok, logs) are skipped. A
// benchmark line is its name, the iteration count and then value–unit
// pairs; when the benchmark itself printed something between its name and
// its figures, the name is taken from the line that started it. The
// "-<digits>" at the end of a name is read as GOMAXPROCS, so a benchmark's
// own name must not end in "-<digits>". It fails on a malformed figure or
// a read error.
func Parse(r io.Reader) (*Output, error) {
	out := &Output{Info: make(map[string]string)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	pkg, pending := "", ""
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if k, v, ok := strings.Cut(text, ": "); ok && infoKeys[k] {
			out.Info[k] = strings.TrimSpace(v)
			if k == "pkg" {
				pkg = out.Info[k]
			}
			continue
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		name, sameLine := pending, false
		if strings.HasPrefix(fields[0], "Benchmark") {
			name, fields, sameLine = fields[0], fields[1:], true
			pending = name
		}
		if name == "" || len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			// The benchmark printed something after its name; its
			// figures come on a later line.
			continue
		}
		res, err := parseFigures(fields[1:])
		if err != nil {
			if !sameLine {
				continue // a line the benchmark printed, not its figures
			}
			return nil, fmt.Errorf("line %d: %s: %w", line, name, err)
		}
		pending = ""
		res.Pkg, res.N = pkg, n
		res.Name, res.Procs = splitProcs(name)
		out.Results = append(out.Results, res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	return out, nil
}

// parseFigures reads value–unit pairs.
func parseFigures(f []string) (Result, error) {
	if len(f)%2 != 0 {
		return Result{}, fmt.Errorf("%w: %q are not value-unit pairs", errFigures, strings.Join(f, " "))
	}
	res := Result{Metrics: make(map[string]float64, len(f)/2)}
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, fmt.Errorf("%w: value %q of unit %q: %w", errFigures, f[i], f[i+1], err)
		}
		res.Metrics[f[i+1]] = v
	}
	return res, nil
}

// splitProcs splits "BenchmarkX/y-2" into "BenchmarkX/y" and 2; a name
// without such a suffix has GOMAXPROCS 1.
func splitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 {
		return name, 1
	}
	p, err := strconv.Atoi(name[i+1:])
	if err != nil || p < 1 || strings.IndexFunc(name[i+1:], func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return name, 1
	}
	return name[:i], p
}
