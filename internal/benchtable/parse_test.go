package main

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		want     []Result
		wantInfo map[string]string
	}{
		{
			name: "standard output with -benchmem and a custom metric",
			in: `goos: linux
goarch: amd64
pkg: github.com/scopekeeper/scopekeeper/resourceserver
cpu: AMD EPYC
BenchmarkCalls/AddScope/client-2         	      50	   3573836 ns/op	         3.000 calls/op	  219106 B/op	    2761 allocs/op
BenchmarkCalls/AddScope/client-noverify-2         	      50	   1182593 ns/op	         2.000 calls/op	  163027 B/op	    2029 allocs/op
PASS
ok  	github.com/scopekeeper/scopekeeper/resourceserver	1.479s
`,
			want: []Result{
				{
					Pkg: "github.com/scopekeeper/scopekeeper/resourceserver", Name: "BenchmarkCalls/AddScope/client", Procs: 2, N: 50,
					Metrics: map[string]float64{"ns/op": 3573836, "calls/op": 3, "B/op": 219106, "allocs/op": 2761},
				},
				{
					Pkg: "github.com/scopekeeper/scopekeeper/resourceserver", Name: "BenchmarkCalls/AddScope/client-noverify", Procs: 2, N: 50,
					Metrics: map[string]float64{"ns/op": 1182593, "calls/op": 2, "B/op": 163027, "allocs/op": 2029},
				},
			},
			wantInfo: map[string]string{"goos": "linux", "goarch": "amd64", "cpu": "AMD EPYC", "pkg": "github.com/scopekeeper/scopekeeper/resourceserver"},
		},
		{
			name: "GOMAXPROCS 1 has no suffix, fractional ns/op",
			in:   "BenchmarkShorten/ascii 	12345678	        95.12 ns/op	       0 B/op	       0 allocs/op\n",
			want: []Result{{Name: "BenchmarkShorten/ascii", Procs: 1, N: 12345678,
				Metrics: map[string]float64{"ns/op": 95.12, "B/op": 0, "allocs/op": 0}}},
			wantInfo: map[string]string{},
		},
		{
			name: "output printed between the name and the figures",
			in: `BenchmarkNoisy-8   	some line the benchmark printed
3 things happened
    1000	      1234 ns/op
--- BENCH: BenchmarkNoisy-8
    bench_test.go:10: a log line
`,
			want:     []Result{{Name: "BenchmarkNoisy", Procs: 8, N: 1000, Metrics: map[string]float64{"ns/op": 1234}}},
			wantInfo: map[string]string{},
		},
		{
			name: "failed benchmark has no figures",
			in: `BenchmarkBroken-2   	--- FAIL: BenchmarkBroken-2
    bench_test.go:12: boom
BenchmarkFine-2   	     10	      5 ns/op
FAIL
`,
			want:     []Result{{Name: "BenchmarkFine", Procs: 2, N: 10, Metrics: map[string]float64{"ns/op": 5}}},
			wantInfo: map[string]string{},
		},
		{
			name:     "no benchmarks",
			in:       "PASS\nok  \tgithub.com/x/y\t0.01s\n",
			wantInfo: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got.Results); diff != "" {
				t.Errorf("Parse() results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantInfo, got.Info); diff != "" {
				t.Errorf("Parse() info (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []error // each matched with errors.Is
	}{
		{"bad value", "BenchmarkX-2 \t 10 \t 12x ns/op\n", []error{errFigures, strconv.ErrSyntax}},
		{"value without unit", "BenchmarkX-2 \t 10 \t 12 ns/op 7\n", []error{errFigures}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tt.in))
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, want)
				}
			}
		})
	}
}

func TestSplitProcs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantName  string
		wantProcs int
	}{
		{"BenchmarkX-2", "BenchmarkX", 2},
		{"BenchmarkX/client-noverify-16", "BenchmarkX/client-noverify", 16},
		{"BenchmarkX/client-noverify", "BenchmarkX/client-noverify", 1},
		{"BenchmarkX-", "BenchmarkX-", 1},
		{"BenchmarkX-+2", "BenchmarkX-+2", 1},
		{"BenchmarkX", "BenchmarkX", 1},
	}
	for _, tt := range tests {
		name, procs := splitProcs(tt.in)
		if name != tt.wantName || procs != tt.wantProcs {
			t.Errorf("splitProcs(%q) = %q, %d; want %q, %d", tt.in, name, procs, tt.wantName, tt.wantProcs)
		}
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	out := &Output{Results: []Result{
		{Pkg: "a", Name: "BenchmarkX", N: 1},
		{Pkg: "b", Name: "BenchmarkX", N: 2},
		{Pkg: "a", Name: "BenchmarkX", N: 3},
	}}
	tests := []struct {
		pkg, name string
		wantN     int64
		wantOK    bool
	}{
		{"a", "BenchmarkX", 3, true},
		{"b", "BenchmarkX", 2, true},
		{"", "BenchmarkX", 3, true},
		{"a", "BenchmarkY", 0, false},
	}
	for _, tt := range tests {
		got, ok := out.Find(tt.pkg, tt.name)
		if ok != tt.wantOK || got.N != tt.wantN {
			t.Errorf("Find(%q, %q) = N %d, %t; want N %d, %t", tt.pkg, tt.name, got.N, ok, tt.wantN, tt.wantOK)
		}
	}
}
