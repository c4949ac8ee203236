package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

const ordersRead = "https://orders.example.com/orders.read"

// putClients gives the pool of srv the resource server
// https://orders.example.com (orders.read, orders.admin) and n app
// clients, worker001 to worker<n> (named worker-001...), that allow
// orders.read.
func putClients(t *testing.T, srv *cognitotest.Server, n int) {
	t.Helper()
	if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://orders.example.com", Name: "Orders API",
		Scopes: []cognitotest.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "orders.admin", Description: "Administer orders"}}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := srv.PutAppClient(pool, types.UserPoolClientType{
			ClientId: aws.String(fmt.Sprintf("worker%03d", i)), ClientName: aws.String(fmt.Sprintf("worker-%03d", i)),
			ClientSecret:                    aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
			AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
			AllowedOAuthScopes: []string{ordersRead},
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// grantsFile adds orders.write and grants it to worker-001: two steps,
// after a plan that reads every app client.
const grantsFile = ordersFile + `appClients:
  - clientName: worker-001
    scopes: [https://orders.example.com/orders.read, https://orders.example.com/orders.write]
`

// TestProgress drives the command with standard error a fake terminal (a
// buffer the terminal check says is one), or not, and checks what it
// draws there.
func TestProgress(t *testing.T) {
	t.Parallel()
	// A scan's bar: done of total, the pacer's rate and the estimate from
	// it. Right after the listing, 12 reads at 97% of Cognito's 5 per
	// second are 2.5 s away.
	scanStart := regexp.MustCompile(`\r +0% \| +\| \(0/12\) \[0s\] app clients read, 4\.8/s, about 2s left`)
	scanEnd := regexp.MustCompile(`\r 100% \|█+\| \(12/12\) \[2s\] app clients read, 4\.8/s \n`)
	// apply's steps, each on a line of its own above the bar (the bar
	// erased first), then the bar at its end.
	stepLines := []*regexp.Regexp{
		regexp.MustCompile(`\r\[1/2\] change https://orders\.example\.com: written, not verified\n`),
		regexp.MustCompile(`\r\[1/2\] change https://orders\.example\.com: done\n`),
		regexp.MustCompile(`\r\[2/2\] grant https://orders\.example\.com/orders\.write to app client worker001: done\n`),
	}
	plainSteps := "[1/2] change https://orders.example.com: written, not verified\n" +
		"[1/2] change https://orders.example.com: done\n" +
		"[2/2] grant https://orders.example.com/orders.write to app client worker001: done\n"
	applyEnd := regexp.MustCompile(`\r 100% \|█+\| \(2/2\) \[0s\] steps finished, \d+\.\d/s \n`)
	for _, tc := range []struct {
		name   string
		args   []string // {"FILE"} stands for the path of grantsFile
		tty    bool     // standard error is a terminal
		env    map[string]string
		stderr []*regexp.Regexp // each must match; none: standard error is plain
		plain  string           // standard error when not drawn (no bar)
		absent string           // not in standard error, if set
		fail   string           // an operation that fails once with InvalidParameterException
		code   int              // the exit code
	}{
		{name: "who-allows on a terminal", args: []string{"who-allows", ordersRead}, tty: true,
			stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "who-allows -o json on a terminal", args: []string{"-o", "json", "who-allows", ordersRead}, tty: true,
			stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "export on a terminal", args: []string{"export"}, tty: true, stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "plan on a terminal", args: []string{"plan", "-f", "FILE"}, tty: true, stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "apply on a terminal", args: []string{"apply", "-f", "FILE", "--auto-approve"}, tty: true,
			stderr: append([]*regexp.Regexp{scanStart, scanEnd, applyEnd}, stepLines...)},
		{name: "remove-scope on a terminal", args: []string{"remove-scope", "https://orders.example.com", "orders.admin"}, tty: true,
			stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "audit on a terminal", args: []string{"audit"}, tty: true, stderr: []*regexp.Regexp{scanStart, scanEnd}},
		{name: "apply -o json on a terminal", args: []string{"-o", "json", "apply", "-f", "FILE", "--auto-approve"}, tty: true,
			stderr: []*regexp.Regexp{scanStart, scanEnd, applyEnd}, absent: "[1/2]"},
		{name: "apply failing on a terminal", args: []string{"apply", "-f", "FILE", "--auto-approve"}, tty: true,
			fail: "UpdateResourceServer", code: 1, stderr: []*regexp.Regexp{
				regexp.MustCompile(`\r\[1/2\] change https://orders\.example\.com: failed: [^\r\n]*InvalidParameterException[^\r\n]*\n`),
				regexp.MustCompile(`\r\[2/2\] grant https://orders\.example\.com/orders\.write to app client worker001: not tried\n`),
				// The bar ends its line before the error.
				regexp.MustCompile(`\r 100% \|█+\| \(2/2\) \[0s\] steps finished, \d+\.\d/s \nscopekeeper: reconcile: apply`),
			}},
		{name: "who-allows failing on a terminal", args: []string{"who-allows", ordersRead}, tty: true,
			fail: "DescribeUserPoolClient", code: 1, stderr: []*regexp.Regexp{
				// The bar, stopped short, ends its line before the error.
				regexp.MustCompile(`\r +\d+% \|[ █]+\| \(\d+/12\) \[0s\] app clients read[^\r\n]* \nscopekeeper: [^\r]*InvalidParameterException[^\r]*$`),
			}},
		{name: "who-allows not on a terminal", args: []string{"who-allows", ordersRead}},
		{name: "who-allows --quiet", args: []string{"who-allows", "--quiet", ordersRead}, tty: true},
		{name: "who-allows -q", args: []string{"-q", "who-allows", ordersRead}, tty: true},
		{name: "who-allows on a dumb terminal", args: []string{"who-allows", ordersRead}, tty: true, env: map[string]string{"TERM": "dumb"}},
		{name: "export not on a terminal", args: []string{"export"}},
		{name: "plan not on a terminal", args: []string{"plan", "-f", "FILE"}},
		{name: "apply not on a terminal", args: []string{"apply", "-f", "FILE", "--auto-approve"}, plain: plainSteps},
		{name: "apply --quiet on a terminal", args: []string{"apply", "-f", "FILE", "--auto-approve", "--quiet"}, tty: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := newCLI(t)
				putClients(t, c.srv, 12)
				c.ttyErr, c.env = tc.tty, tc.env
				file := c.write("grants.yaml", grantsFile)
				args := make([]string, len(tc.args))
				for i, a := range tc.args {
					args[i] = strings.ReplaceAll(a, "FILE", file)
				}
				if tc.fail != "" {
					if err := c.srv.FailNext(tc.fail, 1, cognitotest.Fault{Code: "InvalidParameterException"}); err != nil {
						t.Fatal(err)
					}
				}
				code, out, errOut := c.run("", args...)
				if code != tc.code {
					t.Fatalf("run(%q) = %d, want %d\nstdout:\n%s\nstderr:\n%q", args, code, tc.code, out, errOut)
				}
				for _, re := range tc.stderr {
					if !re.MatchString(errOut) {
						t.Errorf("run(%q): standard error does not match %q:\n%q", args, re, errOut)
					}
				}
				if tc.absent != "" && strings.Contains(errOut, tc.absent) {
					t.Errorf("run(%q): standard error holds %q:\n%q", args, tc.absent, errOut)
				}
				if len(tc.stderr) == 0 && errOut != tc.plain {
					t.Errorf("run(%q): standard error = %q, want %q", args, errOut, tc.plain)
				}
				if strings.Contains(out, "\r") || strings.Contains(out, "app clients read") {
					t.Errorf("run(%q): progress on standard output:\n%q", args, out)
				}
				if args[0] == "-o" && !json.Valid([]byte(out)) {
					t.Errorf("run(%q): standard output is not JSON:\n%q", args, out)
				}
				if args[0] == "-o" && args[2] == "who-allows" {
					var v struct{ Clients []json.RawMessage }
					if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Clients) != 12 {
						t.Errorf("run(%q): standard output is not the JSON of 12 app clients (%v):\n%s", args, err, out)
					}
				}
			})
		})
	}
}

// stampedWriter records each write with the (virtual) time it came.
type stampedWriter struct {
	mu     sync.Mutex
	writes []stamped
}

type stamped struct {
	at   time.Time
	text string
}

func (w *stampedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, stamped{time.Now(), string(p)})
	return len(p), nil
}

// TestScanEstimate measures the estimate of a grants scan of 1,000 app
// clients on the emulator at Cognito's quota (5 reads per second per
// pool, 15 per account): the estimate drawn as the reads start, once a
// few app clients are read and half-way must each be within 20% of the
// time the scan then takes. In a synctest bubble its 200-odd seconds pass
// in virtual time.
func TestScanEstimate(t *testing.T) {
	t.Parallel()
	const clients = 1000
	synctest.Test(t, func(t *testing.T) {
		srv := cognitotest.NewInProcessServer(cognitotest.WithRateLimit(5), cognitotest.WithAccountRateLimit(20, 15))
		defer srv.Close()
		if err := srv.AddUserPool(pool, "test"); err != nil {
			t.Fatal(err)
		}
		putClients(t, srv, clients)
		var stdout bytes.Buffer
		stderr := &stampedWriter{}
		a := &app{
			httpClient: &http.Client{Transport: endpointTransport{srv}},
			getenv:     func(string) string { return "" },
			isTerminal: func(f any) bool { return f == io.Writer(stderr) },
		}
		start := time.Now()
		args := []string{"--endpoint", srv.URL, "--pool", pool, "who-allows", ordersRead}
		if code := a.run(t.Context(), args, strings.NewReader(""), &stdout, stderr); code != 0 {
			t.Fatalf("run(%q) = %d", args, code)
		}
		took := time.Since(start)

		// The last line drawn with each count: when, and what it estimated.
		bar := regexp.MustCompile(`\((\d+)/` + strconv.Itoa(clients) + `\) \[[^]]+\] app clients read(?:, ([\d.]+/s))?(?:, about (\S+) left)?`)
		type drawn struct {
			at         time.Time
			rate, left string
		}
		lines := map[int]drawn{}
		for _, w := range stderr.writes {
			if m := bar.FindStringSubmatch(w.text); m != nil {
				done, _ := strconv.Atoi(m[1])
				lines[done] = drawn{w.at, m[2], m[3]}
			}
		}
		end, ok := lines[clients]
		if !ok {
			t.Fatalf("run(%q): no line drawn with %d/%d", args, clients, clients)
		}
		t.Logf("who-allows over %d app clients at 5 reads/s per pool: the command took %v, the reads %v", clients,
			took.Round(time.Millisecond), end.at.Sub(lines[0].at).Round(time.Millisecond))
		for _, done := range []int{0, 5, clients / 2} {
			l, ok := lines[done]
			if !ok || l.left == "" {
				t.Errorf("no estimate drawn with %d/%d read: %+v", done, clients, l)
				continue
			}
			estimate, err := time.ParseDuration(l.left)
			if err != nil {
				t.Fatalf("estimate %q: %v", l.left, err)
			}
			actual := end.at.Sub(l.at)
			ratio := estimate.Seconds() / actual.Seconds()
			t.Logf("at %4d/%d read: %s, about %v left; it took %v (estimate/actual %.3f)", done, clients, l.rate, estimate, actual.Round(time.Millisecond), ratio)
			if ratio < 0.8 || ratio > 1.2 {
				t.Errorf("at %d/%d read the estimate was %v, the scan then took %v: estimate/actual %.3f, want within 20%%", done, clients, estimate, actual, ratio)
			}
		}
	})
}
