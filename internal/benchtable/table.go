package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// A row is one benchmark shown in the table.
type row struct {
	name  string // full benchmark name without the GOMAXPROCS suffix
	label string // what the table calls it
}

// A group is a set of rows compared with one baseline, all from one run.
type group struct {
	title    string
	run      int // index into the runs
	pkg      string
	rows     []row // the cases, shown first
	baseline row   // shown last, every figure 1.00×
	units    []string
}

// errMissing is wrapped by the errors about a benchmark or a figure that
// the output of `go test -bench` lacks.
var errMissing = errors.New("missing from the benchmark output")

// units are the table's columns, in order.
var units = []string{"ns/op", "B/op", "allocs/op", "calls/op"}

// render writes the Markdown table of groups, taking each figure from the
// output of its group's run. It fails if a benchmark or one of its units
// is missing from that output.
func render(w io.Writer, groups []group, outs []*Output) error {
	var b strings.Builder
	b.WriteString("| Benchmark | Case |")
	for _, u := range units {
		b.WriteString(" " + u + " |")
	}
	b.WriteString("\n|---|---|")
	for range units {
		b.WriteString("--:|")
	}
	b.WriteString("\n")
	for _, g := range groups {
		out := outs[g.run]
		base, ok := out.Find(g.pkg, g.baseline.name)
		if !ok {
			return fmt.Errorf("%s: baseline %s of %s: %w", g.title, g.baseline.name, g.pkg, errMissing)
		}
		for i, r := range append(append([]row(nil), g.rows...), g.baseline) {
			res, ok := out.Find(g.pkg, r.name)
			if !ok {
				return fmt.Errorf("%s: %s of %s: %w", g.title, r.name, g.pkg, errMissing)
			}
			title, label := "", r.label
			if i == 0 {
				title = g.title
			}
			if r == g.baseline {
				label += " (baseline)"
			}
			fmt.Fprintf(&b, "| %s | %s |", title, label)
			for _, u := range units {
				cell, err := figure(g, res, base, u)
				if err != nil {
					return fmt.Errorf("%s: %s: %w", g.title, r.name, err)
				}
				b.WriteString(" " + cell + " |")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// figure returns the cell of unit u for res: "value (ratio×)", or "" if
// the group does not show u.
func figure(g group, res, base Result, u string) (string, error) {
	shown := false
	for _, x := range g.units {
		shown = shown || x == u
	}
	if !shown {
		return "", nil
	}
	v, ok := res.Metrics[u]
	if !ok {
		return "", fmt.Errorf("%s figure: %w", u, errMissing)
	}
	bv, ok := base.Metrics[u]
	if !ok {
		return "", fmt.Errorf("%s figure of the baseline: %w", u, errMissing)
	}
	return formatValue(v, u) + " (" + formatRatio(v, bv) + ")", nil
}

// formatValue prints a figure: calls/op, and fractions below 10, with two
// decimals; everything else rounded to a whole number with thousands
// separators.
func formatValue(v float64, unit string) string {
	if unit == "calls/op" || (math.Abs(v) < 10 && v != math.Trunc(v)) {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	n := int64(math.Round(v))
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// formatRatio returns v/base as "0.25×": two decimals from 0.1 to 10,
// fewer above, two significant digits below; "1.00×" when both are zero
// and "n/a" when only base is.
func formatRatio(v, base float64) string {
	switch {
	case base == 0 && v == 0:
		return "1.00×"
	case base == 0:
		return "n/a"
	}
	r := v / base
	switch {
	case r >= 100:
		return strconv.FormatFloat(r, 'f', 0, 64) + "×"
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	case r >= 0.1 || r == 0:
		return strconv.FormatFloat(r, 'f', 2, 64) + "×"
	}
	// Two significant digits.
	return strconv.FormatFloat(r, 'f', 1-int(math.Floor(math.Log10(r))), 64) + "×"
}
