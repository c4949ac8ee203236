package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBinary builds the command and the standalone emulator, starts the
// emulator on a free loopback port, and runs the command as a user would,
// checking exit codes.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries; run without -short")
	}
	t.Parallel()
	dir := t.TempDir()
	sk, emu := filepath.Join(dir, "scopekeeper"), filepath.Join(dir, "cognito-emulator")
	for bin, pkg := range map[string]string{sk: ".", emu: "../../cognitotest/cmd/cognito-emulator"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}

	server := exec.Command(emu, "-addr", "127.0.0.1:0", "-pool", pool+"=test")
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = server.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- server.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = server.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the emulator's first line: %v", err)
	}
	url := line[strings.LastIndexByte(strings.TrimSpace(line), ' ')+1:]
	url = strings.TrimSpace(url)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("emulator said %q", line)
	}

	file := filepath.Join(dir, "scopes.yaml")
	if err := os.WriteFile(file, []byte(ordersFile), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+url, "SCOPEKEEPER_ENDPOINT=", "SCOPEKEEPER_POOL_ID="+pool,
		"AWS_ACCESS_KEY_ID=", "AWS_PROFILE=", "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	for _, s := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"plan", "-f", file, "--detailed-exitcode"}, 2, "Plan: 1 to add, 0 to change, 0 to destroy."},
		{[]string{"apply", "-f", file}, 1, ""}, // standard input is not a terminal
		{[]string{"apply", "-f", file, "--auto-approve"}, 0, "Apply complete: 1 done."},
		{[]string{"plan", "-f", file, "--detailed-exitcode"}, 0, "No changes."},
		{[]string{"list"}, 0, "https://orders.example.com  Orders API  2"},
		{[]string{"get", "https://missing.example.com"}, 1, ""},
		{[]string{"who-allows", "https://orders.example.com/orders.read"}, 0, "No app client allows https://orders.example.com/orders.read."},
	} {
		cmd := exec.Command(sk, s.args...)
		cmd.Env = env
		out, err := cmd.Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%q: %v", s.args, err)
		}
		if code != s.code || !strings.Contains(string(out), s.out) {
			stderr := ""
			if ee != nil {
				stderr = string(ee.Stderr)
			}
			t.Errorf("scopekeeper %q = %d, stdout:\n%s\nstderr:\n%s\nwant %d and %q", s.args, code, out, stderr, s.code, s.out)
		}
	}
}
