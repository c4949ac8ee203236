package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// runMainEnv makes the test binary run main instead of the tests, so that a test can start the
// command as a process without building it.
const runMainEnv = "COGNITO_EMULATOR_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

var listeningRE = regexp.MustCompile(`^cognito-emulator listening on (http://127\.0\.0\.1:[1-9][0-9]*)$`)

// emulator is a run of the command in the test's process.
type emulator struct {
	url    string
	lines  []string // what it printed after the first line, up to the number of pools asked for
	stop   context.CancelFunc
	code   chan int
	stderr *bytes.Buffer // read only after wait has returned
	once   sync.Once
	exit   int
}

// start runs the command with args plus "-addr 127.0.0.1:0" until the test ends, and returns
// once it has printed its first line and one line per pool.
func start(t *testing.T, pools int, args ...string) *emulator {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	e := &emulator{stop: stop, code: make(chan int, 1), stderr: new(bytes.Buffer)}
	go func() {
		e.code <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, e.stderr)
		_ = pw.Close()
	}()
	t.Cleanup(func() {
		stop()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		e.wait()
	})
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("run %v printed nothing; exit %d, stderr: %s", args, e.wait(), e.stderr)
	}
	m := listeningRE.FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("first line = %q, want the endpoint", lines.Text())
	}
	e.url = m[1]
	for range pools {
		if !lines.Scan() {
			t.Fatalf("run %v stopped after %q", args, e.lines)
		}
		e.lines = append(e.lines, lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return e
}

// wait stops the command and returns its exit status once it has returned.
func (e *emulator) wait() int {
	e.once.Do(func() {
		e.stop()
		e.exit = <-e.code
	})
	return e.exit
}

// client returns an SDK client of the emulator that makes each call a single request.
func (e *emulator) client() *cip.Client {
	return cip.New(cip.Options{
		BaseEndpoint:     aws.String(e.url),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("x", "x", ""),
		RetryMaxAttempts: 1,
	})
}

func TestServe(t *testing.T) {
	t.Parallel()
	e := start(t, 2, "-pool", "us-east-1_Example1=example", "-pool", "us-east-1_Example2")
	if diff := cmp.Diff([]string{"pool us-east-1_Example1", "pool us-east-1_Example2"}, e.lines); diff != "" {
		t.Errorf("pool lines (-want +got):\n%s", diff)
	}
	client := e.client()
	ctx := t.Context()
	_, err := client.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String("us-east-1_Example1"), Identifier: aws.String("https://api.example.com"), Name: aws.String("API"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}},
	})
	if err != nil {
		t.Errorf("CreateResourceServer: %v", err)
	}
	out, err := client.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String("us-east-1_Example1"), Identifier: aws.String("https://api.example.com")})
	if err != nil {
		t.Errorf("DescribeResourceServer: %v", err)
	} else if aws.ToString(out.ResourceServer.Name) != "API" || len(out.ResourceServer.Scopes) != 1 {
		t.Errorf("DescribeResourceServer = %+v", out.ResourceServer)
	}
	pool, err := client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Example2")})
	if err != nil || aws.ToString(pool.UserPool.Name) != "us-east-1_Example2" {
		t.Errorf("DescribeUserPool(Example2) = %v, %v; want the id as its name", pool, err)
	}

	created, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String("us-east-1_Example1"), ClientName: aws.String("m2m"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"https://api.example.com/read"},
	})
	if err != nil {
		t.Errorf("CreateUserPoolClient: %v", err)
	} else if described, err := client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String("us-east-1_Example1"), ClientId: created.UserPoolClient.ClientId}); err != nil {
		t.Errorf("DescribeUserPoolClient: %v", err)
	} else if diff := cmp.Diff([]string{"https://api.example.com/read"}, described.UserPoolClient.AllowedOAuthScopes); diff != "" {
		t.Errorf("AllowedOAuthScopes (-want +got):\n%s", diff)
	}

	// DNS rebinding: a request whose Host is not a loopback name is refused.
	for _, tc := range []struct {
		host string
		want int
	}{{"evil.example:9229", http.StatusForbidden}, {"127.0.0.1.evil.example", http.StatusForbidden}, {"localhost:9229", http.StatusOK}, {"[::1]:9229", http.StatusOK}} {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, strings.NewReader(`{"UserPoolId":"us-east-1_Example1"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = tc.host
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Host %q: status %d, want %d", tc.host, resp.StatusCode, tc.want)
		}
	}
	if code := e.wait(); code != 0 {
		t.Errorf("exit status %d when stopped, want 0; stderr: %s", code, e.stderr)
	}
}

// TestSignal runs the command as a process (this test binary, running main) and checks that
// SIGTERM stops it with status 0.
func TestSignal(t *testing.T) {
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !listeningRE.MatchString(lines.Text()) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("first line = %q, want the endpoint; stderr: %s", lines.Text(), stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0; stderr: %s", err, stderr.String())
	}
	if lines.Scan() {
		t.Errorf("extra output after the first line: %q", lines.Text())
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string // a fragment of stderr
	}{
		{"non-loopback host", []string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{"empty host", []string{"-addr", ":0"}, "not a loopback address"},
		{"bad pool id", []string{"-addr", "127.0.0.1:0", "-pool", "nounderscore"}, "-pool nounderscore"},
		{"duplicate pool", []string{"-addr", "127.0.0.1:0", "-pool", "us-east-1_A1", "-pool", "us-east-1_A1=again"}, "already exists"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, "unexpected arguments"},
		{"negative rate", []string{"-rate", "-1"}, "-rate"},
		{"zero servers", []string{"-max-resource-servers", "0"}, "-max-resource-servers"},
		{"zero app clients", []string{"-max-app-clients", "0"}, "-max-app-clients"},
		{"negative request log", []string{"-request-log", "-1"}, "-request-log"},
		{"NaN rate", []string{"-rate", "NaN"}, "-rate"},
		{"infinite rate", []string{"-rate", "+Inf"}, "-rate"},
		{"no port", []string{"-addr", "127.0.0.1"}, "-addr"},
		{"bad port", []string{"-addr", "127.0.0.1:abc"}, "-addr"},
		{"bad region", []string{"-addr", "127.0.0.1:0", "-region", "a b"}, "-region"},
		{"long region", []string{"-addr", "127.0.0.1:0", "-region", strings.Repeat("a", 46)}, "-region"},
		{"fault of an unknown operation", []string{"-fault", "UpdateUserPoolCliennt:ConcurrentModificationException:0.2"}, `-fault: unknown operation "UpdateUserPoolCliennt"`},
		{"fault of an unknown code", []string{"-fault", "UpdateUserPoolClient:ConcurrentModification:0.2"}, `-fault: unknown error code "ConcurrentModification"`},
		{"fault probability above 1", []string{"-fault", "UpdateUserPoolClient:ConcurrentModificationException:1.5"}, `-fault: probability "1.5"`},
		{"fault probability NaN", []string{"-fault", "*:InternalErrorException:NaN"}, `-fault: probability "NaN"`},
		{"fault without probability", []string{"-fault", "UpdateUserPoolClient:ConcurrentModificationException"}, "-fault: want operation:code:probability"},
		{"negative read timeout", []string{"-read-timeout", "-1s"}, "-read-timeout"},
		{"negative header timeout", []string{"-read-header-timeout", "-1s"}, "-read-header-timeout"},
		{"negative idle timeout", []string{"-idle-timeout", "-1s"}, "-idle-timeout"},
		{"bad timeout", []string{"-idle-timeout", "soon"}, "-idle-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tt.args, &stdout, &stderr); code != 2 {
				t.Fatalf("run %v = %d, want exit status 2; stderr: %s", tt.args, code, stderr.String())
			}
			// The command's own diagnostics are free text for people; this checks that the
			// right one was printed.
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr.String(), tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestFaultFlag(t *testing.T) {
	t.Parallel()
	const pool = "us-east-1_Example1"
	t.Run("always", func(t *testing.T) {
		t.Parallel()
		e := start(t, 1, "-pool", pool, "-fault", "UpdateUserPoolClient:ConcurrentModificationException:1", "-fault", "*:InternalErrorException:0")
		c := e.client()
		created, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web")})
		if err != nil {
			t.Fatalf("CreateUserPoolClient = %v, want success (no rule fires for it)", err)
		}
		_, err = c.UpdateUserPoolClient(t.Context(), &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: created.UserPoolClient.ClientId, ClientName: aws.String("renamed")})
		var conflict *types.ConcurrentModificationException
		if !errors.As(err, &conflict) {
			t.Errorf("UpdateUserPoolClient = %v, want ConcurrentModificationException", err)
		}
		got, err := c.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: created.UserPoolClient.ClientId})
		if err != nil || aws.ToString(got.UserPoolClient.ClientName) != "web" {
			t.Errorf("DescribeUserPoolClient = %v, %v; want the client unchanged", got, err)
		}
	})
	t.Run("seeded draws repeat", func(t *testing.T) {
		t.Parallel()
		draws := func() []bool {
			e := start(t, 1, "-pool", pool, "-seed", "7", "-fault", "DescribeUserPool:TooManyRequestsException:0.5")
			c := e.client()
			var out []bool
			for range 30 {
				_, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
				var tooMany *types.TooManyRequestsException
				if err != nil && !errors.As(err, &tooMany) {
					t.Fatalf("DescribeUserPool = %v, want success or TooManyRequestsException", err)
				}
				out = append(out, err != nil)
			}
			return out
		}
		first, second := draws(), draws()
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("two runs with -seed 7 differ (-first +second):\n%s", diff)
		}
		var n int
		for _, failed := range first {
			if failed {
				n++
			}
		}
		if n == 0 || n == len(first) {
			t.Errorf("%d of %d calls failed at probability 0.5", n, len(first))
		}
	})
}

// TestSlowClients checks that the timeouts cut off a client that sends its headers or its body
// slowly, or keeps a connection idle: the server closes the connection long before the client
// would have finished.
func TestSlowClients(t *testing.T) {
	t.Parallel()
	const (
		timeout = 200 * time.Millisecond
		trickle = 50 * time.Millisecond // between two bytes
		bytes   = 400                   // 20 s of trickling, 100 times the timeout
	)
	body := `{"UserPoolId":"us-east-1_Example1"}` + strings.Repeat(" ", bytes)
	head := "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.DescribeUserPool\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=x\r\nContent-Type: application/x-amz-json-1.1\r\n"
	tests := []struct {
		name    string
		prefix  string // sent at once
		slow    string // sent a byte at a time
		timeout string // the flag that should cut it off
	}{
		{"slow headers", "POST / HTTP/1.1\r\n", strings.Repeat("X-Pad: y\r\n", bytes/10), "-read-header-timeout"},
		{"slow body", head + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n", body, "-read-timeout"},
		{"idle connection", head + "Content-Length: 2\r\n\r\n{}", "", "-idle-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The other timeouts are an hour, so only the one under test can close the connection.
			args := []string{"-pool", "us-east-1_Example1", "-read-header-timeout", "1h", "-read-timeout", "1h", "-idle-timeout", "1h"}
			e := start(t, 1, append(args, tt.timeout, timeout.String())...)
			conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.prefix); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			go func() {
				defer close(closed)
				_, _ = io.Copy(io.Discard, conn) // returns when the server closes the connection
			}()
			sent := 0
		trickling:
			for ; sent < len(tt.slow); sent++ {
				select {
				case <-closed:
					break trickling
				case <-time.After(trickle):
				}
				if _, err := conn.Write([]byte{tt.slow[sent]}); err != nil {
					break
				}
			}
			select {
			case <-closed:
			case <-time.After(time.Duration(len(tt.slow)+1)*trickle + time.Minute):
				t.Fatalf("connection still open after the whole request was sent and a minute more")
			}
			if tt.slow != "" && sent == len(tt.slow) {
				t.Errorf("the client sent all %d slow bytes before the connection closed, want it cut off by %s", sent, tt.timeout)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("run(-h) = %d, want 0", code)
	}
	for _, flag := range []string{"-max-resource-servers", "-max-app-clients", "-inactive-scopes", "-request-log", "-fault", "-read-timeout", "-read-header-timeout", "-idle-timeout", "-seed"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("usage does not list %s: %q", flag, stderr.String())
		}
	}
}
