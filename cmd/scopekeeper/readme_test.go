//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeFlag turns on TestREADMEShellBlocks, which takes minutes on a
// busy machine (it builds the command and the emulator and runs the
// documents' commands at Cognito's pace), so it is kept out of the
// everyday go test ./... and run by CI:
//
//	go test -run TestREADMEShellBlocks ./cmd/scopekeeper -args -readme
var readmeFlag = flag.Bool("readme", false, "run the shell blocks of README.md and cmd/scopekeeper/README.md against the emulator")

// readmes are the documents whose shell blocks TestREADMEShellBlocks runs,
// relative to the module's root.
var readmes = []string{"README.md", "cmd/scopekeeper/README.md"}

// notRun lists the shell lines the test does not run, each with the
// reason; every other line of every ```sh or ```bash block runs. A line
// is matched by its prefix.
var notRun = []struct{ prefix, why string }{
	{"go test ", "the README's test command: it runs this test"},
	{"go get ", "needs the network and the published module"},
	{"go install github.com/", "needs the network and the published module"},
	{"git clone ", "needs the network"},
	{"go mod edit ", "edits the go.mod of a program of the reader's, after the clone"},
	{"go run ./internal/benchtable", "runs every benchmark: minutes"},
}

// block is one shell block of a document.
type block struct {
	line int // of the opening fence, from 1
	text string
}

// shellBlocks returns the ```sh and ```bash blocks of a Markdown document.
func shellBlocks(doc []byte) []block {
	var out []block
	var cur *block
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && (line == "```sh" || line == "```bash"):
			cur = &block{line: n}
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	return out
}

// runnable returns text without the lines of notRun (a continued line
// goes with its first).
func runnable(text string) string {
	var b strings.Builder
	skipping := false
	for line := range strings.Lines(text) {
		if !skipping {
			for _, n := range notRun {
				if strings.HasPrefix(line, n.prefix) {
					skipping = true
				}
			}
		}
		if !skipping {
			b.WriteString(line)
		}
		if !strings.HasSuffix(strings.TrimRight(line, "\n"), "\\") {
			skipping = false
		}
	}
	return b.String()
}

func TestShellBlocks(t *testing.T) {
	t.Parallel()
	doc := "intro\n```sh\ngo test ./...\necho one \\\n  two\n```\n```yaml\nx: 1\n```\n```bash\ngo get x \\\n  y\necho three\n```\n"
	blocks := shellBlocks([]byte(doc))
	if len(blocks) != 2 || blocks[0].line != 2 || blocks[1].line != 10 {
		t.Fatalf("shellBlocks() = %+v, want blocks at lines 2 and 10", blocks)
	}
	if got, want := runnable(blocks[0].text)+runnable(blocks[1].text), "echo one \\\n  two\necho three\n"; got != want {
		t.Errorf("runnable() = %q, want %q", got, want)
	}
}

// TestREADMEShellBlocks runs the shell blocks of each README, in order, in
// one bash shell per document (as a reader pasting them would), with
// set -euo pipefail. It runs them in a copy of the module made of
// symbolic links, so that what they write stays out of the tree, with
// 127.0.0.1:9229 replaced by a free port, so that runs in parallel do not
// meet. After the blocks, the emulator they start must be gone: the
// port accepts no connection.
func TestREADMEShellBlocks(t *testing.T) {
	if !*readmeFlag {
		t.Skip("takes minutes: run with -args -readme (CI does)")
	}
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range readmes {
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(root, doc))
			if err != nil {
				t.Fatal(err)
			}
			port := freePort(t)
			var script strings.Builder
			script.WriteString("set -euo pipefail\n")
			for _, b := range shellBlocks(data) {
				fmt.Fprintf(&script, "echo '>>> %s:%d' >&2\n", doc, b.line)
				script.WriteString(strings.ReplaceAll(runnable(b.text), "9229", strconv.Itoa(port)))
			}
			dir := linkTree(t, root)
			cmd := exec.Command("bash", "-c", script.String())
			cmd.Dir = dir
			cmd.Env = readmeEnv(dir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			// A file, not a pipe: a process the blocks leave running
			// would hold a pipe open, and Wait with it.
			out, err := os.Create(filepath.Join(t.TempDir(), "output"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			cmd.Stdout, cmd.Stderr = out, out
			output := func() string { b, _ := os.ReadFile(out.Name()); return string(b) }
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Whatever the blocks leave running is in bash's process group.
			t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(5 * time.Minute):
				t.Fatalf("the blocks of %s ran for 5 minutes:\n%s", doc, output())
			}
			if err != nil {
				t.Fatalf("the shell blocks of %s failed: %v\n%s", doc, err, output())
			}
			if listening(port, 5*time.Second) {
				t.Errorf("after the blocks of %s, port %d (9229 in the document) still accepts connections: the emulator was not stopped\n%s", doc, port, output())
			}
		})
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// listening reports whether 127.0.0.1:port still accepts a connection
// after waiting up to d for it to stop.
func listening(port int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		cancel()
		if err != nil {
			return false
		}
		c.Close()
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// linkTree returns a new directory holding a symbolic link to each entry
// of root but the build outputs, so that commands see the module as in a
// clone and write their files elsewhere.
func linkTree(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", "bin", "scopekeeper":
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readmeEnv is the environment of the blocks: this process's, without
// any AWS or scopekeeper setting, and with the AWS configuration files
// pointed at files that do not exist, as on a fresh machine. GOFLAGS
// gains -trimpath, so that builds in the ever new directory of the test
// reuse the build cache.
func readmeEnv(dir string) []string {
	var env []string
	goflags := "-trimpath"
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "AWS_"), strings.HasPrefix(kv, "SCOPEKEEPER_"):
			continue
		case strings.HasPrefix(kv, "GOFLAGS="):
			goflags = strings.TrimPrefix(kv, "GOFLAGS=") + " " + goflags
			continue
		}
		env = append(env, kv)
	}
	none := filepath.Join(dir, "no-aws-config")
	return append(env, "GOFLAGS="+goflags, "AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none, "AWS_EC2_METADATA_DISABLED=true")
}
