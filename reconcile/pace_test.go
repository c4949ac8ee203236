package reconcile_test

import (
	"testing"
	"testing/synctest"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// TestPacerPassedDown checks that Options.Pacer paces the requests of the
// Reconciler's resourceserver.Client: a throttle of the plan's
// ListResourceServers lowers that Pacer's rate, and the throttle is
// retried. In a synctest bubble, on the in-process emulator: the retry's
// pacing wait passes in virtual time.
func TestPacerPassedDown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testPacerPassedDown)
}

func testPacerPassedDown(t *testing.T) {
	srv := cognitotest.NewInProcessServer()
	t.Cleanup(srv.Close)
	poolID := srv.CreateUserPool("paced")
	p := pacetest.New(t, pace.Config{})
	rec := reconcile.New(srv.Client(), nil, func(o *reconcile.Options) { o.Pacer = p })
	f, err := reconcile.Parse("f.yaml", []byte(`userPoolId: `+poolID+`
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
`))
	if err != nil {
		t.Fatal(err)
	}
	top := p.Rate(poolID, pace.ResourceRead)
	if err := srv.FailNext("ListResourceServers", 1, cognitotest.Fault{Code: rserrors.CodeTooManyRequests}); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Plan(t.Context(), f, reconcile.PlanOptions{}); err != nil {
		t.Fatalf("Plan() error = %v", err)
	}
	if got := p.Rate(poolID, pace.ResourceRead); got >= top {
		t.Errorf("Options.Pacer's rate after a throttled plan = %v, want below %v", got, top)
	}
}
