package awsenv_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/internal/awsenv"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolve(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{
		awsenv.EnvPoolID: "us-east-1_Env", awsenv.EnvRegion: " eu-west-1 ", awsenv.EnvProfile: "envprofile", awsenv.EnvEndpoint: "http://127.0.0.1:1",
	})
	for _, tc := range []struct {
		name  string
		flags awsenv.Settings
		want  awsenv.Settings
	}{
		{"variables fill what flags leave empty", awsenv.Settings{},
			awsenv.Settings{PoolID: "us-east-1_Env", Region: "eu-west-1", Profile: "envprofile", Endpoint: "http://127.0.0.1:1"}},
		{"flags win", awsenv.Settings{PoolID: "us-east-2_Flag", Region: "us-east-2", Profile: "p", Endpoint: "http://localhost:2"},
			awsenv.Settings{PoolID: "us-east-2_Flag", Region: "us-east-2", Profile: "p", Endpoint: "http://localhost:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, awsenv.Resolve(tc.flags, vars)); diff != "" {
				t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResolveEndpoint: the SDK's own variable is read first, the
// SCOPEKEEPER_ENDPOINT alias when it is unset, and the flag over both.
func TestResolveEndpoint(t *testing.T) {
	t.Parallel()
	const sdk, alias, flag = "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"
	for _, tc := range []struct {
		name string
		vars map[string]string
		flag string
		want string
	}{
		{"SDK variable", map[string]string{awsenv.EnvSDKEndpoint: sdk}, "", sdk},
		{"alias", map[string]string{awsenv.EnvEndpoint: alias}, "", alias},
		{"SDK variable over the alias", map[string]string{awsenv.EnvSDKEndpoint: sdk, awsenv.EnvEndpoint: alias}, "", sdk},
		{"blank SDK variable", map[string]string{awsenv.EnvSDKEndpoint: " ", awsenv.EnvEndpoint: alias}, "", alias},
		{"flag over both", map[string]string{awsenv.EnvSDKEndpoint: sdk, awsenv.EnvEndpoint: alias}, flag, flag},
		{"none", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := awsenv.Resolve(awsenv.Settings{Endpoint: tc.flag}, env(tc.vars)).Endpoint; got != tc.want {
				t.Errorf("Resolve(%v, flag %q).Endpoint = %q, want %q", tc.vars, tc.flag, got, tc.want)
			}
		})
	}
}

// isolate points the SDK's configuration chain at files that do not exist
// and clears the AWS_* variables it reads, so the test sees only what it
// sets.
func isolate(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", awsenv.EnvSDKEndpoint} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoad(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	none := env(nil)

	// An endpoint without credentials: dummy ones, the region from the pool ID.
	cfg, err := awsenv.Load(ctx, awsenv.Settings{PoolID: "eu-central-1_Abc", Endpoint: "http://127.0.0.1:9229"}, none)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "scopekeeper" {
		t.Errorf("credentials = %+v, %v; want the static dummy ones", creds, err)
	}
	if cfg.Region != "eu-central-1" || aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:9229" {
		t.Errorf("Region, BaseEndpoint = %q, %q", cfg.Region, aws.ToString(cfg.BaseEndpoint))
	}

	// Credentials configured: kept, even with an endpoint.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	cfg, err = awsenv.Load(ctx, awsenv.Settings{Region: "us-west-2", Endpoint: "https://cognito.example.com"}, os.Getenv)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if creds, err := cfg.Credentials.Retrieve(ctx); err != nil || creds.AccessKeyID != "AKIDEXAMPLE" {
		t.Errorf("credentials = %+v, %v; want those of the environment", creds, err)
	}
	if cfg.Region != "us-west-2" {
		t.Errorf("Region = %q, want us-west-2", cfg.Region)
	}

	// A profile from the shared config file.
	conf := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(conf, []byte("[profile team]\nregion = ap-southeast-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", conf)
	if cfg, err = awsenv.Load(ctx, awsenv.Settings{Profile: "team"}, os.Getenv); err != nil || cfg.Region != "ap-southeast-2" {
		t.Errorf("Load(profile team) = region %q, %v; want ap-southeast-2", cfg.Region, err)
	}

	for _, tc := range []struct {
		name string
		s    awsenv.Settings
		is   error
	}{
		{"no region anywhere", awsenv.Settings{}, awsenv.ErrNoRegion},
		{"endpoint not a URL", awsenv.Settings{Region: "us-east-1", Endpoint: "127.0.0.1:9229"}, nil},
		{"unknown profile", awsenv.Settings{Profile: "nope"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awsenv.Load(ctx, tc.s, none)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("Load(%+v) error = %v, want an error (%v)", tc.s, err, tc.is)
			}
		})
	}
}
