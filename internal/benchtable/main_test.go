package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sampleOutputs are outputs of the three runs of plan, by -bench pattern.
var sampleOutputs = map[string]string{
	"^BenchmarkUpdateResourceServerInput$": `goos: linux
goarch: amd64
pkg: github.com/scopekeeper/scopekeeper/validate
cpu: Test CPU
BenchmarkUpdateResourceServerInput/hand-2         	  170000	      7000 ns/op	       0 B/op	       0 allocs/op
BenchmarkUpdateResourceServerInput/regexp-2       	   16000	     70000 ns/op	    3500 B/op	       3 allocs/op
PASS
ok  	github.com/scopekeeper/scopekeeper/validate	3.1s
`,
	"^BenchmarkAddScope$": `goos: linux
goarch: amd64
pkg: github.com/scopekeeper/scopekeeper/resourceserver
cpu: Test CPU
BenchmarkAddScope/client-2         	     300	   3000000 ns/op	  200000 B/op	    3000 allocs/op
BenchmarkAddScope/client-noverify-2         	    1000	   1500000 ns/op	  150000 B/op	    2000 allocs/op
BenchmarkAddScope/raw-2                     	    1000	   1000000 ns/op	  100000 B/op	    2000 allocs/op
PASS
`,
	"^BenchmarkCalls$": `pkg: github.com/scopekeeper/scopekeeper/resourceserver
BenchmarkCalls/AddScope/client-2         	     100	   3000000 ns/op	         3.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/AddScope/client-noverify-2         	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/AddScope/raw-2                     	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/AddScope-noop/client-2             	     100	    250000 ns/op	         1.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/AddScope-noop/client-noverify-2    	     100	    250000 ns/op	         1.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/AddScope-noop/raw-2                	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/RemoveScopes/client-2              	     100	   3000000 ns/op	         3.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/RemoveScopes/client-noverify-2     	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/RemoveScopes/raw-2                 	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/Rename/client-2                    	     100	   3000000 ns/op	         3.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/Rename/client-noverify-2           	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/Rename/raw-2                       	     100	   1000000 ns/op	         2.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/List120/client-2                   	     100	   2000000 ns/op	         3.000 calls/op	  1 B/op	    1 allocs/op
BenchmarkCalls/List120/raw-2                      	     100	   2500000 ns/op	         3.000 calls/op	  1 B/op	    1 allocs/op
PASS
`,
	"^BenchmarkDeployCoalesce$": `pkg: github.com/scopekeeper/scopekeeper/resourceserver
BenchmarkDeployCoalesce/coalesced-2         	       1	 200000000 ns/op	         3.000 calls/op	         0 errors/op	         0 lost/op	         0 throttles/op	  1 B/op	    1 allocs/op
BenchmarkDeployCoalesce/sequential-2        	       1	5000000000 ns/op	        36.00 calls/op	         0 errors/op	         0 lost/op	         0 throttles/op	  1 B/op	    1 allocs/op
BenchmarkDeployCoalesce/clients12-2         	       1	5500000000 ns/op	       108.0 calls/op	         2.000 errors/op	         0 lost/op	        66.00 throttles/op	  1 B/op	    1 allocs/op
PASS
`,
}

// fakeGo answers each run of plan with its sample output, after checking
// that it is a `go test -bench` command; it also records the commands.
type fakeGo struct {
	outputs map[string]string
	got     [][]string
}

func (f *fakeGo) run(_ context.Context, args []string) ([]byte, error) {
	f.got = append(f.got, args)
	if len(args) < 5 || args[0] != "test" || args[3] != "-bench" {
		return nil, fmt.Errorf("unexpected command go %q", args)
	}
	out, ok := f.outputs[args[4]]
	if !ok {
		return nil, fmt.Errorf("no sample output for -bench %s", args[4])
	}
	return []byte(out), nil
}

func TestRun(t *testing.T) {
	t.Parallel()
	f := &fakeGo{outputs: sampleOutputs}
	var out, progress strings.Builder
	if err := run(t.Context(), &out, &progress, "2s", "10x", f.run); err != nil {
		t.Fatalf("run() = %v", err)
	}
	want := "scopekeeper benchmarks: " + runtime.Version() + ` linux/amd64, Test CPU, GOMAXPROCS 2.
Each figure: value (ratio to the group's baseline, measured in the same run; below 1× is less).

| Benchmark | Case | ns/op | B/op | allocs/op | calls/op |
|---|---|--:|--:|--:|--:|
| validate a 100-scope UpdateResourceServer input | hand-written validate | 7,000 (0.10×) | 0 (0.00×) | 0 (0.00×) |  |
|  | regexp reference (baseline) | 70,000 (1.00×) | 3,500 (1.00×) | 3 (1.00×) |  |
| AddScope on the emulator (20 scopes, rate limits off) | Client (Describe, Update, verifying Describe) | 3,000,000 (3.00×) | 200,000 (2.00×) | 3,000 (1.50×) |  |
|  | Client, DisableVerify | 1,500,000 (1.50×) | 150,000 (1.50×) | 2,000 (1.00×) |  |
|  | raw SDK Describe + Update (baseline) | 1,000,000 (1.00×) | 100,000 (1.00×) | 2,000 (1.00×) |  |
| calls: AddScope | Client | 3,000,000 (3.00×) |  |  | 3.00 (1.50×) |
|  | Client, DisableVerify | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
|  | raw Describe + Update (baseline) | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
| calls: AddScope, nothing to add | Client | 250,000 (0.25×) |  |  | 1.00 (0.50×) |
|  | Client, DisableVerify | 250,000 (0.25×) |  |  | 1.00 (0.50×) |
|  | raw Describe + Update (baseline) | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
| calls: RemoveScopes | Client | 3,000,000 (3.00×) |  |  | 3.00 (1.50×) |
|  | Client, DisableVerify | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
|  | raw Describe + Update (baseline) | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
| calls: Rename | Client | 3,000,000 (3.00×) |  |  | 3.00 (1.50×) |
|  | Client, DisableVerify | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
|  | raw Describe + Update (baseline) | 1,000,000 (1.00×) |  |  | 2.00 (1.00×) |
| calls: list 120 resource servers | Client | 2,000,000 (0.80×) |  |  | 3.00 (1.00×) |
|  | raw paginator, 50 per page (baseline) | 2,500,000 (1.00×) |  |  | 3.00 (1.00×) |
| 12 AddScopes at once on one resource server (quota 5/s, default Options) | one Client, 12 goroutines (coalesced) | 200,000,000 (0.040×) |  |  | 3.00 (0.083×) |
|  | 12 Clients, one AddScope each | 5,500,000,000 (1.10×) |  |  | 108.00 (3.00×) |
|  | one Client, one after another (baseline) | 5,000,000,000 (1.00×) |  |  | 36.00 (1.00×) |

Rate limits are off in the Clients (they change timing, not calls), except in the last group, which runs once against the emulator enforcing Cognito's quota. Calls are counted by the emulator's request log. Commands:

    go test -run '^$' -bench '^BenchmarkUpdateResourceServerInput$' -benchmem -benchtime 2s github.com/scopekeeper/scopekeeper/validate
    go test -run '^$' -bench '^BenchmarkAddScope$' -benchmem -benchtime 2s github.com/scopekeeper/scopekeeper/resourceserver
    go test -run '^$' -bench '^BenchmarkCalls$' -benchmem -benchtime 10x github.com/scopekeeper/scopekeeper/resourceserver
    go test -run '^$' -bench '^BenchmarkDeployCoalesce$' -benchmem -benchtime 1x github.com/scopekeeper/scopekeeper/resourceserver
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("run() output (-want +got):\n%s", diff)
	}
	wantArgs := [][]string{
		{"test", "-run", "^$", "-bench", "^BenchmarkUpdateResourceServerInput$", "-benchmem", "-benchtime", "2s", validatePkg},
		{"test", "-run", "^$", "-bench", "^BenchmarkAddScope$", "-benchmem", "-benchtime", "2s", rsPkg},
		{"test", "-run", "^$", "-bench", "^BenchmarkCalls$", "-benchmem", "-benchtime", "10x", rsPkg},
		{"test", "-run", "^$", "-bench", "^BenchmarkDeployCoalesce$", "-benchmem", "-benchtime", "1x", rsPkg},
	}
	if diff := cmp.Diff(wantArgs, f.got); diff != "" {
		t.Errorf("go commands (-want +got):\n%s", diff)
	}
	if got := strings.Count(progress.String(), "benchtable: go test "); got != 4 {
		t.Errorf("progress shows %d commands, want 4:\n%s", got, progress.String())
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	errGo := errors.New("go test failed")
	without := func(pattern, line string) map[string]string {
		m := make(map[string]string, len(sampleOutputs))
		for k, v := range sampleOutputs {
			m[k] = v
		}
		var kept []string
		for _, l := range strings.SplitAfter(m[pattern], "\n") {
			if !strings.HasPrefix(l, line) {
				kept = append(kept, l)
			}
		}
		m[pattern] = strings.Join(kept, "")
		return m
	}
	tests := []struct {
		name    string
		goCmd   func(context.Context, []string) ([]byte, error)
		wantErr error // matched with errors.Is
	}{
		{
			name:    "go test fails",
			goCmd:   func(context.Context, []string) ([]byte, error) { return nil, errGo },
			wantErr: errGo,
		},
		{
			name:    "no results",
			goCmd:   func(context.Context, []string) ([]byte, error) { return []byte("PASS\n"), nil },
			wantErr: errMissing,
		},
		{
			name:    "baseline missing",
			goCmd:   (&fakeGo{outputs: without("^BenchmarkAddScope$", "BenchmarkAddScope/raw")}).run,
			wantErr: errMissing,
		},
		{
			name:    "case missing",
			goCmd:   (&fakeGo{outputs: without("^BenchmarkCalls$", "BenchmarkCalls/Rename/client-noverify")}).run,
			wantErr: errMissing,
		},
		{
			name: "unit missing",
			goCmd: (&fakeGo{outputs: func() map[string]string {
				m := without("^BenchmarkUpdateResourceServerInput$", "BenchmarkUpdateResourceServerInput/")
				m["^BenchmarkUpdateResourceServerInput$"] += "BenchmarkUpdateResourceServerInput/hand-2 1 5 ns/op\n" +
					"BenchmarkUpdateResourceServerInput/regexp-2 1 5 ns/op\n"
				return m
			}()}).run,
			wantErr: errMissing,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			err := run(t.Context(), &out, &strings.Builder{}, "1s", "1x", tt.goCmd)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("run() = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	values := []struct {
		v    float64
		unit string
		want string
	}{
		{0, "allocs/op", "0"},
		{3, "allocs/op", "3"},
		{999, "B/op", "999"},
		{1000, "B/op", "1,000"},
		{3573836.4, "ns/op", "3,573,836"},
		{95.5, "ns/op", "96"},
		{2.345, "ns/op", "2.35"},
		{3, "calls/op", "3.00"},
		{2.5, "calls/op", "2.50"},
	}
	for _, tt := range values {
		if got := formatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
	ratios := []struct {
		v, base float64
		want    string
	}{
		{1, 1, "1.00×"},
		{3, 2, "1.50×"},
		{25, 2, "12.5×"},
		{1234, 2, "617×"},
		{1, 10, "0.10×"},
		{6876, 74140, "0.093×"},
		{1, 80000, "0.000013×"},
		{0, 3, "0.00×"},
		{0, 0, "1.00×"},
		{3, 0, "n/a"},
	}
	for _, tt := range ratios {
		if got := formatRatio(tt.v, tt.base); got != tt.want {
			t.Errorf("formatRatio(%v, %v) = %q, want %q", tt.v, tt.base, got, tt.want)
		}
	}
}
