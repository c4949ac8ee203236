package dynamolock_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/scopekeeper/scopekeeper/dynamolock"
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
const dynaliteScript = `
const dynalite = require(process.argv[1]);
const server = dynalite({createTableMs: 50, deleteTableMs: 50, updateTableMs: 50});
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
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
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
		stdin, err := cmd.StdinPipe()
		if err != nil {
			dynalite.err = err
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			dynalite.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			dynalite.err = fmt.Errorf("starting dynalite with %s: %w (Node 20 or newer is needed)", node, err)
			return
		}
		dynalite.cmd, dynalite.stdin = cmd, stdin
		port := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			port <- strings.TrimSpace(line)
			io.Copy(io.Discard, stdout)
		}()
		select {
		case p := <-port:
			if p == "" {
				dynalite.err = fmt.Errorf("dynalite exited without printing its port")
				return
			}
			dynalite.endpoint = "http://127.0.0.1:" + p
		case <-time.After(30 * time.Second):
			dynalite.err = fmt.Errorf("dynalite did not start within 30s")
		}
	})
	return dynalite.endpoint, dynalite.err
}

func stopDynalite() {
	if dynalite.cmd == nil {
		return
	}
	dynalite.stdin.Close()
	done := make(chan struct{})
	go func() { dynalite.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		dynalite.cmd.Process.Kill()
		<-done
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
	if err != nil {
		t.Fatal(err)
	}
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

// newLocker returns a Locker on table with the lease and a heartbeat and
// poll of a quarter and a tenth of it.
func newLocker(t testing.TB, api dynamolock.API, table string, lease time.Duration) *dynamolock.Locker {
	t.Helper()
	l, err := dynamolock.New(api, func(o *dynamolock.Options) {
		o.Table, o.Lease, o.Heartbeat, o.Poll = table, lease, lease/4, lease/10
	})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return l
}
