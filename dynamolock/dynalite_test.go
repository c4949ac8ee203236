package dynamolock_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/scopekeeper/scopekeeper/dynamolock"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
)

// The tests run against dynalite, an implementation of DynamoDB in
// Node.js, installed with npm into the directory $DYNALITE_DIR (by
// default $HOME/.cache/scopekeeper/dynalite, where .ci-install.sh puts it).
// One dynalite serves the whole test binary, on a free loopback port; each
// test makes its own table.
const installHint = "dynalite is not installed in %[1]s: run `npm install --prefix %[1]q dynalite@4.0.0` " +
	"(Node 20 or newer) or `bash dynamolock/.ci-install.sh`, or set DYNALITE_DIR to the npm prefix that holds node_modules/dynalite"

// dynaliteScript starts dynalite from the module path in argv[1] on a
// free loopback port, prints the port, and exits when its stdin closes.
//
// dynalite throws from a request's 'error' event (index.js:
// `req.on('error', function (err) { throw err })`), so a client that
// abandons a request half-sent (a context that ends, a busy machine)
// would kill it, and every later request would be refused. The script
// catches those errors of a connection cut by its client and goes on;
// any other uncaught exception still ends the process, which the tests
// notice (see dynaliteAlive).
const dynaliteScript = `
const dynalite = require(process.argv[1]);
const cut = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
process.on('uncaughtException', (err) => {
  if (err && (cut.has(err.code) || err.message === 'aborted')) {
    console.error('dynalite: a client abandoned its request (' + (err.code || err.message) + '); going on');
    return;
  }
  console.error('dynalite: uncaught exception:', err);
  process.exit(70);
});
const server = dynalite({createTableMs: 50, deleteTableMs: 50, updateTableMs: 50});
server.on('clientError', (err, socket) => socket.destroy());
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`

var dynalite struct {
	once     sync.Once
	endpoint string
	err      error
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	exited   chan struct{} // closed when the process has ended
	exitErr  error         // its exit status, once exited is closed
	stopping atomic.Bool   // stopDynalite closed its stdin
}

// waitingParallel is the default of -parallel for this package's tests,
// which wait on leases, on dynalite and on child processes far more than
// they use the CPU: with the default, GOMAXPROCS (2 on a small CI
// machine), they would wait their leases out two at a time.
const waitingParallel = 8

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	flag.Parse()
	proctest.DefaultParallel(waitingParallel)
	code := m.Run()
	stopDynalite()
	os.Exit(code)
}

// dynaliteDir returns where dynalite is installed.
func dynaliteDir() string {
	if d := os.Getenv("DYNALITE_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "scopekeeper", "dynalite")
}

// portWriter takes the first line the script prints, its port.
type portWriter struct {
	once sync.Once
	buf  []byte
	port chan string
}

func (w *portWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
		w.once.Do(func() { w.port <- strings.TrimSpace(string(w.buf[:i])) })
	}
	return len(p), nil
}

// startDynalite starts the shared dynalite once and returns its endpoint.
func startDynalite() (string, error) {
	dynalite.once.Do(func() {
		dir := dynaliteDir()
		mod := filepath.Join(dir, "node_modules", "dynalite")
		if _, err := os.Stat(filepath.Join(mod, "package.json")); err != nil {
			dynalite.err = fmt.Errorf(installHint, dir)
			return
		}
		node := os.Getenv("NODE")
		if node == "" {
			node = "node"
		}
		cmd := exec.Command(node, "-e", dynaliteScript, mod)
		cmd.Stderr = os.Stderr
		out := &portWriter{port: make(chan string, 1)}
		cmd.Stdout = out
		stdin, err := cmd.StdinPipe()
		if err != nil {
			dynalite.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			dynalite.err = fmt.Errorf("starting dynalite with %s: %w (Node 20 or newer is needed)", node, err)
			return
		}
		dynalite.cmd, dynalite.stdin, dynalite.exited = cmd, stdin, make(chan struct{})
		go func() {
			dynalite.exitErr = cmd.Wait()
			close(dynalite.exited)
		}()
		select {
		case p := <-out.port:
			dynalite.endpoint = "http://127.0.0.1:" + p
		case <-dynalite.exited:
			dynalite.err = fmt.Errorf("dynalite exited without printing its port: %v", dynalite.exitErr)
		case <-time.After(30 * time.Second):
			dynalite.err = fmt.Errorf("dynalite did not start within 30s")
		}
	})
	return dynalite.endpoint, dynalite.err
}

// dynaliteAlive returns an error that says so when the shared dynalite
// has ended: the tests that use it after that fail on "connection
// refused", and this names the cause.
func dynaliteAlive() error {
	if dynalite.exited == nil {
		return nil
	}
	select {
	case <-dynalite.exited:
		if dynalite.stopping.Load() {
			return nil
		}
		return fmt.Errorf("dynalite (pid %d) exited during the tests: %v; its last words are on stderr above, and requests to it fail with \"connection refused\"",
			dynalite.cmd.Process.Pid, dynalite.exitErr)
	default:
		return nil
	}
}

func stopDynalite() {
	if dynalite.cmd == nil {
		return
	}
	dynalite.stopping.Store(true)
	dynalite.stdin.Close()
	select {
	case <-dynalite.exited:
	case <-time.After(5 * time.Second):
		dynalite.cmd.Process.Kill()
		<-dynalite.exited
	}
}

// dynamoClientAt returns an SDK client aimed at endpoint.
func dynamoClientAt(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDDYNALITE", "dynalite-secret", ""),
	})
}

// dynamoClient returns an SDK client aimed at the shared dynalite, which
// it starts if needed, and fails t if dynalite cannot run.
func dynamoClient(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	endpoint, err := startDynalite()
	if err == nil {
		err = dynaliteAlive()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dynaliteAlive(); err != nil {
			t.Error(err)
		}
	})
	return dynamoClientAt(endpoint), endpoint
}

// newTable creates a lock table of its own for t and returns the client,
// the endpoint and the table's name.
func newTable(t testing.TB) (*dynamodb.Client, string, string) {
	t.Helper()
	ddb, endpoint := dynamoClient(t)
	table := "locks-" + strings.ToLower(rand.Text()[:12])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := dynamolock.CreateTable(ctx, ddb, table); err != nil {
		t.Fatalf("CreateTable(%q) error = %v", table, err)
	}
	return ddb, endpoint, table
}

// newLocker returns a Locker on table with the lease, a heartbeat of an
// eighth of it (testHeartbeat) and the default poll.
func newLocker(t testing.TB, api dynamolock.API, table string, lease time.Duration) *dynamolock.Locker {
	t.Helper()
	l, err := dynamolock.New(api, func(o *dynamolock.Options) {
		o.Table, o.Lease, o.Heartbeat = table, lease, testHeartbeat(lease)
	})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return l
}

// TestDynaliteAbandonedRequest cuts requests half-sent, as a client whose
// context ended does, and checks that dynalite still answers: one such
// request used to kill it for every later test.
func TestDynaliteAbandonedRequest(t *testing.T) {
	t.Parallel()
	ddb, endpoint := dynamoClient(t)
	addr := strings.TrimPrefix(endpoint, "http://")
	for _, cut := range []struct {
		name  string
		reset bool // RST rather than FIN
	}{{"reset", true}, {"closed", false}} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// Headers and a part of the body that Content-Length announces.
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"+
			"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{\"Lim", addr)
		time.Sleep(50 * time.Millisecond) // dynalite reads the part
		if cut.reset {
			conn.(*net.TCPConn).SetLinger(0)
		}
		conn.Close()
		time.Sleep(50 * time.Millisecond)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, err = ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
		cancel()
		if err != nil {
			t.Fatalf("ListTables() after a request %s half-sent error = %v, want dynalite to go on", cut.name, err)
		}
		if err := dynaliteAlive(); err != nil {
			t.Fatal(err)
		}
	}
}

// testHeartbeat is the heartbeat of the tests' Lockers for a lease: an
// eighth of it, so that a holder on a busy machine, whose renewals
// dynalite answers late, still has seven tries before its lease runs out
// (the default, a quarter, leaves three).
func testHeartbeat(lease time.Duration) time.Duration { return lease / 8 }
