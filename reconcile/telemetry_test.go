package reconcile_test

import (
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/telemetry/telemetrytest"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestTrace: a plan and its apply, through an SDK client wired to a
// tracer: a span for the plan, one for the apply and one for its wave,
// the resource-server operations and the SDK's under them.
func TestTrace(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatal(err)
	}
	rec := &telemetrytest.Recorder{}
	api := srv.Client(func(o *cip.Options) { o.TracerProvider, o.MeterProvider = rec, rec })
	r := reconcile.New(api, nil, func(o *reconcile.Options) {
		o.Settle = -1
		o.ResourceServerOptions = append(o.ResourceServerOptions, func(o *resourceserver.Options) { o.DisableRateLimit = true })
	})
	f, err := reconcile.Parse("test.yaml", []byte(`userPoolId: `+pool+`
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Plan(t.Context(), f, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(t.Context(), p, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `reconcile.Plan
  resourceserver.List
    Cognito Identity Provider.ListResourceServers
reconcile.Apply
  resourceserver.List
    Cognito Identity Provider.ListResourceServers
  reconcile.wave
    resourceserver.Create
      Cognito Identity Provider.CreateResourceServer
    resourceserver.List
      Cognito Identity Provider.ListResourceServers
`
	if diff := cmp.Diff(want, rec.Tree(telemetrytest.Operations)); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	wave := rec.Named("reconcile.wave")[0]
	wantAttrs := map[string]any{telemetry.AttrPool: pool, telemetry.AttrSteps: int64(1), telemetry.AttrAttempts: int64(1), telemetry.AttrOutcome: "ok"}
	if diff := cmp.Diff(wantAttrs, wave.Attrs()); diff != "" {
		t.Errorf("wave span's attributes (-want +got):\n%s", diff)
	}
}
