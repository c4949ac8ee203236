package main

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// build compiles the command into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build the command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "cognito-emulator")
	cmd := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestCommand(t *testing.T) {
	bin := build(t)

	t.Run("serves until SIGTERM", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), bin, "-addr", "127.0.0.1:0", "-pool", "us-east-1_Example1=example", "-pool", "us-east-1_Example2")
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
		var got []string
		for range 3 {
			if !lines.Scan() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("command printed %q, then stopped; stderr: %s", got, stderr.String())
			}
			got = append(got, lines.Text())
		}
		m := regexp.MustCompile(`^cognito-emulator listening on (http://127\.0\.0\.1:[1-9][0-9]*)$`).FindStringSubmatch(got[0])
		if m == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("first line = %q, want the endpoint", got[0])
		}
		if diff := cmp.Diff([]string{"pool us-east-1_Example1", "pool us-east-1_Example2"}, got[1:]); diff != "" {
			t.Errorf("pool lines (-want +got):\n%s", diff)
		}

		client := cip.New(cip.Options{
			BaseEndpoint: aws.String(m[1]),
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("x", "x", ""),
		})
		ctx := t.Context()
		_, err = client.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
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
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, m[1], strings.NewReader(`{"UserPoolId":"us-east-1_Example1"}`))
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

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0; stderr: %s", err, stderr.String())
		}
		if lines.Scan() {
			t.Errorf("extra output after the pool lines: %q", lines.Text())
		}
	})

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // a fragment of stderr
	}{
		{"non-loopback host", []string{"-addr", "0.0.0.0:0"}, 2, "not a loopback address"},
		{"empty host", []string{"-addr", ":0"}, 2, "not a loopback address"},
		{"bad pool id", []string{"-addr", "127.0.0.1:0", "-pool", "nounderscore"}, 2, "-pool nounderscore"},
		{"duplicate pool", []string{"-addr", "127.0.0.1:0", "-pool", "us-east-1_A1", "-pool", "us-east-1_A1=again"}, 2, "already exists"},
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, 2, "unexpected arguments"},
		{"negative rate", []string{"-rate", "-1"}, 2, "-rate"},
		{"zero servers", []string{"-max-resource-servers", "0"}, 2, "-max-resource-servers"},
		{"zero app clients", []string{"-max-app-clients", "0"}, 2, "-max-app-clients"},
		{"negative request log", []string{"-request-log", "-1"}, 2, "-request-log"},
		{"NaN rate", []string{"-rate", "NaN"}, 2, "-rate"},
		{"infinite rate", []string{"-rate", "+Inf"}, 2, "-rate"},
		{"no port", []string{"-addr", "127.0.0.1"}, 2, "-addr"},
		{"bad port", []string{"-addr", "127.0.0.1:abc"}, 2, "-addr"},
		{"bad region", []string{"-addr", "127.0.0.1:0", "-region", "a b"}, 2, "-region"},
		{"long region", []string{"-addr", "127.0.0.1:0", "-region", strings.Repeat("a", 46)}, 2, "-region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), bin, tt.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.wantCode {
				t.Fatalf("run %v = %v, want exit status %d; stderr: %s", tt.args, err, tt.wantCode, stderr.String())
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

func TestHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("run(-h) = %d, want 0", code)
	}
	for _, flag := range []string{"-max-resource-servers", "-max-app-clients", "-inactive-scopes", "-request-log"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("usage does not list %s: %q", flag, stderr.String())
		}
	}
}
