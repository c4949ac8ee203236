package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestBinary runs the command as a user would, as a process of its own
// (the test binary, run as the command) against the emulator on a free
// loopback port, and checks exit codes and output.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process; run without -short")
	}
	t.Parallel()
	dir := t.TempDir()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, "scopes.yaml")
	if err := os.WriteFile(file, []byte(ordersFile), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + srv.URL, "SCOPEKEEPER_ENDPOINT=", "SCOPEKEEPER_POOL_ID=" + pool,
		"AWS_ACCESS_KEY_ID=", "AWS_PROFILE=", "AWS_CONFIG_FILE=" + filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none")}
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
		cmd := command(t, s.args...)
		cmd.Env = append(cmd.Env, env...)
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
