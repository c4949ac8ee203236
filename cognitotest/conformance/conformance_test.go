package conformance_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/cognitotest/conformance"
)

// poolEnv names the user pool of Cognito that TestCognito runs the suite against.
const poolEnv = "SCOPEKEEPER_CONFORMANCE_POOL"

// TestEmulator runs the suite against the emulator, over a loopback socket.
func TestEmulator(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer()
	t.Cleanup(s.Close)
	pool := s.CreateUserPool("conformance")
	conformance.Run(t, s.Client(), pool)
	if servers, clients := s.ResourceServers(pool), s.AppClients(pool); servers != nil || clients != nil {
		t.Errorf("the suite left %d resource servers and %d app clients in the pool, want none", len(servers), len(clients))
	}
}

// TestCognito runs the suite against the Cognito user pool named by SCOPEKEEPER_CONFORMANCE_POOL,
// with the default AWS configuration; it is skipped when the variable is unset or no credentials
// are found.
func TestCognito(t *testing.T) {
	pool := os.Getenv(poolEnv)
	if pool == "" {
		t.Skip(poolEnv + " names no user pool: the suite runs against the emulator only (TestEmulator)")
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(10))
	if err != nil {
		t.Fatalf("loading the default AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Skipf("%s=%s, but no AWS credentials were found: %v", poolEnv, pool, err)
	}
	conformance.Run(t, cip.NewFromConfig(cfg), pool)
}
