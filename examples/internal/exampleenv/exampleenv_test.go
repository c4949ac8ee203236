package exampleenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

func TestRegisterFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{EnvPoolID: "us-east-1_FromEnv1", EnvEndpoint: "http://127.0.0.1:1"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{name: "nothing", want: Config{}},
		{name: "environment", env: env, want: Config{PoolID: "us-east-1_FromEnv1", Endpoint: "http://127.0.0.1:1"}},
		{
			name: "flags override the environment",
			env:  env,
			args: []string{"-pool", "eu-west-1_Flag1", "-region", "eu-west-1", "-endpoint", ""},
			want: Config{PoolID: "eu-west-1_Flag1", Region: "eu-west-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			var got Config
			got.RegisterFlags(fs, func(k string) string { return tt.env[k] })
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q) = %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Config after Parse(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// userPoolExists asks the emulator behind api whether the pool exists.
func userPoolExists(t *testing.T, api *cip.Client, pool string) bool {
	t.Helper()
	_, err := api.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	if err != nil && !rserrors.IsNotFound(err) {
		t.Fatalf("DescribeUserPool(%s) = %v", pool, err)
	}
	return err == nil
}

// createServer sends CreateResourceServer for id through env.
func createServer(t *testing.T, env *Env, id string) {
	t.Helper()
	_, err := env.API().CreateResourceServer(t.Context(), &cip.CreateResourceServerInput{
		UserPoolId: aws.String(env.PoolID), Identifier: aws.String(id), Name: aws.String("Test"),
	})
	if err != nil {
		t.Fatalf("CreateResourceServer(%s) = %v", id, err)
	}
}

func TestEmbedded(t *testing.T) {
	t.Parallel()
	env, err := New(t.Context(), Config{Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if env.Emulator == nil || !env.Emulated() {
		t.Fatalf("New(Config{}) = %+v, want the embedded emulator", env)
	}
	if !strings.HasPrefix(env.PoolID, "eu-west-1_") {
		t.Errorf("PoolID = %q, want a pool of eu-west-1", env.PoolID)
	}
	if got, want := env.String(), "the embedded Cognito emulator (a new user pool)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	id := env.Identifier("orders")
	if want := "https://orders.example.com"; id != want {
		t.Errorf("Identifier(%q) = %q, want %q", "orders", id, want)
	}
	createServer(t, env, id)
	if err := env.Close(t.Context()); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if _, ok := env.Emulator.ResourceServer(env.PoolID, id); ok {
		t.Errorf("Close() left %s in the pool", id)
	}
	if err := env.Close(t.Context()); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

// TestStandaloneNewPool uses an emulator as a standalone one: New creates
// a pool there and Close deletes it.
func TestStandaloneNewPool(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	env, err := New(t.Context(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if env.Emulator != nil || !env.Emulated() {
		t.Errorf("New(-endpoint) = %+v, want a standalone emulator", env)
	}
	if got, want := env.String(), "the Cognito emulator at "+srv.URL+" (a new user pool)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !userPoolExists(t, srv.Client(), env.PoolID) {
		t.Fatalf("New() did not create pool %s", env.PoolID)
	}
	createServer(t, env, env.Identifier("orders"))
	if err := env.Close(t.Context()); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if userPoolExists(t, srv.Client(), env.PoolID) {
		t.Errorf("Close() did not delete pool %s", env.PoolID)
	}
}

// TestStandaloneGivenPool checks that Close deletes what the Env handed
// out and nothing else, and keeps the pool it was given.
func TestStandaloneGivenPool(t *testing.T) {
	t.Parallel()
	const pool = "us-east-1_Given1"
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "given"); err != nil {
		t.Fatal(err)
	}
	if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: "https://keep.example.com", Name: "Keep"}); err != nil {
		t.Fatal(err)
	}
	env, err := New(t.Context(), Config{Endpoint: srv.URL, PoolID: pool})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if got, want := env.String(), "the Cognito emulator at "+srv.URL+", user pool "+pool; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	id := env.Identifier("orders")
	if !strings.HasPrefix(id, "https://scopekeeper-orders-") || id == "https://scopekeeper-orders-.example.com" {
		t.Errorf("Identifier(%q) = %q, want https://scopekeeper-orders-<random>.example.com", "orders", id)
	}
	if again := env.Identifier("orders"); again != id {
		t.Errorf("Identifier(%q) = %q, then %q; want the same", "orders", id, again)
	}
	createServer(t, env, id)
	env.Identifier("never-created") // Close must not mind that it does not exist
	if err := env.Close(t.Context()); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	var left []string
	for _, rs := range srv.ResourceServers(pool) {
		left = append(left, rs.Identifier)
	}
	if diff := cmp.Diff([]string{"https://keep.example.com"}, left); diff != "" {
		t.Errorf("servers left after Close (-want +got):\n%s", diff)
	}
	if !userPoolExists(t, srv.Client(), pool) {
		t.Errorf("Close() deleted the given pool %s", pool)
	}
}

// TestCognito builds the Amazon Cognito target from an empty AWS
// configuration; it sends nothing.
func TestCognito(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	tests := []struct {
		name       string
		cfg        Config
		wantRegion string
	}{
		{"region of the pool id", Config{PoolID: "eu-west-2_AbC123"}, "eu-west-2"},
		{"region given", Config{PoolID: "eu-west-2_AbC123", Region: "eu-central-1"}, "eu-central-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := New(t.Context(), tt.cfg)
			if err != nil {
				t.Fatalf("New(%+v) = %v", tt.cfg, err)
			}
			if env.Emulated() || env.Emulator != nil {
				t.Errorf("New(%+v) is an emulator, want Amazon Cognito", tt.cfg)
			}
			if got := env.API().Options().Region; got != tt.wantRegion {
				t.Errorf("New(%+v): client region %q, want %q", tt.cfg, got, tt.wantRegion)
			}
			if got, want := env.String(), "Amazon Cognito, user pool "+tt.cfg.PoolID+" in "+tt.wantRegion; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		cfg            Config
		wantValidation bool
	}{
		{"bad pool id", Config{PoolID: "not a pool"}, true},
		{"bad pool id with endpoint", Config{PoolID: "pool/1", Endpoint: "http://127.0.0.1:1"}, true},
		{"endpoint without scheme", Config{Endpoint: "127.0.0.1:9229"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, err := New(t.Context(), tt.cfg)
			if err == nil {
				_ = env.Close(t.Context())
				t.Fatalf("New(%+v) = nil error, want one", tt.cfg)
			}
			if got := rserrors.IsValidation(err); got != tt.wantValidation {
				t.Errorf("New(%+v) = %v; IsValidation = %t, want %t", tt.cfg, err, got, tt.wantValidation)
			}
		})
	}
}

func TestRunMain(t *testing.T) {
	t.Parallel()
	errRun := errors.New("run failed")
	tests := []struct {
		name    string
		runErr  error
		wantErr error
	}{
		{"success", nil, nil},
		{"failure", errRun, errRun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var env *Env
			var out strings.Builder
			err := runMain(Config{}, &out, func(_ context.Context, w io.Writer, e *Env) error {
				env = e
				fmt.Fprint(w, "hello\n")
				return tt.runErr
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("runMain() = %v, want %v", err, tt.wantErr)
			}
			if got := out.String(); got != "hello\n" {
				t.Errorf("output %q, want %q", got, "hello\n")
			}
			// runMain closed the Env: closing again does nothing.
			if env == nil || !env.closed {
				t.Errorf("runMain() did not close the Env")
			}
		})
	}
}
