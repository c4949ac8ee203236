package appclient_test

import (
	"context"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/telemetry/telemetrytest"
)

// TestTrace: on a fake API traced by the providers in Options, each public
// operation has its span with the pool and the app client; a change
// overwritten on every attempt has the outcome "conflict", and its
// read-modify-write span (the engine's, as for a resource server) records
// the re-apply as an event, the attempts, and the counters.
func TestTrace(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	f, c := setup(t, func(o *appclient.Options) {
		o.TracerProvider, o.MeterProvider = rec, rec
		o.MaxAttempts = 2
	})
	f.OnUpdateClient = func(context.Context, *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
		return &cip.UpdateUserPoolClientOutput{}, nil // acknowledged, never stored
	}
	if _, err := c.GrantScopes(t.Context(), testPool, testClient, ordersAPI+"/orders.write"); !rserrors.IsConflict(err) {
		t.Fatalf("GrantScopes() = %v, want a conflict", err)
	}
	if _, err := c.Grants(t.Context(), testPool); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("appclient.GrantScopes\n  appclient.write\nappclient.Grants\n", rec.Tree(nil)); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	grant, write, grants := rec.Named("appclient.GrantScopes")[0], rec.Named("appclient.write")[0], rec.Named("appclient.Grants")[0]
	want := map[string]any{telemetry.AttrPool: testPool, telemetry.AttrClientID: testClient, telemetry.AttrOutcome: "conflict"}
	if diff := cmp.Diff(want, grant.Attrs()); diff != "" {
		t.Errorf("GrantScopes span's attributes (-want +got):\n%s", diff)
	}
	wantWrite := map[string]any{telemetry.AttrPool: testPool, telemetry.AttrClientID: testClient, telemetry.AttrOutcome: "conflict",
		telemetry.AttrAttempts: int64(2), telemetry.AttrCoalesced: int64(1)}
	if diff := cmp.Diff(wantWrite, write.Attrs()); diff != "" {
		t.Errorf("write span's attributes (-want +got):\n%s", diff)
	}
	wantEvents := []telemetrytest.Event{{Name: "overwrite re-applied", Attrs: map[string]any{telemetry.AttrAttempts: int64(2)}}}
	if diff := cmp.Diff(wantEvents, write.Events()); diff != "" {
		t.Errorf("write span's events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{telemetry.AttrPool: testPool, telemetry.AttrOutcome: "ok"}, grants.Attrs()); diff != "" {
		t.Errorf("Grants span's attributes (-want +got):\n%s", diff)
	}
	attrs := map[string]any{telemetry.AttrPool: testPool, telemetry.AttrClientID: testClient}
	wantM := []telemetrytest.Measurement{
		{Name: "scopekeeper.reapplies", Unit: "{write}", Value: 1, Attrs: attrs},
		{Name: "scopekeeper.conflicts", Unit: "{change}", Value: 1, Attrs: attrs},
	}
	if diff := cmp.Diff(wantM, rec.Measurements("")); diff != "" {
		t.Errorf("measurements (-want +got):\n%s", diff)
	}
}

// TestTraceRefusedGrant: a grant of a scope that does not exist is a
// refusal.
func TestTraceRefusedGrant(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	_, c := setup(t, func(o *appclient.Options) { o.TracerProvider, o.MeterProvider = rec, rec })
	if _, err := c.GrantScopes(t.Context(), testPool, testClient, ordersAPI+"/orders.none"); !rserrors.IsScopeDoesNotExist(err) {
		t.Fatalf("GrantScopes() = %v, want a missing scope", err)
	}
	if got := rec.Named("appclient.GrantScopes")[0].Attrs()[telemetry.AttrOutcome]; got != "refused" {
		t.Errorf("outcome = %v, want refused", got)
	}
	if got := rec.Sum("scopekeeper.refusals"); got != 1 {
		t.Errorf("scopekeeper.refusals = %v, want 1", got)
	}
}
