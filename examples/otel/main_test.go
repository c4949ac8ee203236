package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

func name(s tracetest.SpanStub) string { return s.Name }

// TestStartupSpanTree runs the start-up with spans kept in memory by
// OpenTelemetry's in-memory exporter and checks the tree's shape: one
// trace, scopekeeper's spans under the service's, the SDK's operation
// spans under scopekeeper's.
func TestStartupSpanTree(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("orders")
	webID, err := createWeb(t.Context(), srv.Client(), pool)
	if err != nil {
		t.Fatal(err)
	}
	tel := NewTelemetry()
	if err := Startup(t.Context(), tel.Tracer.Tracer("test"), srv.Client(tel.WireSDK), pool, webID); err != nil {
		t.Fatalf("Startup() = %v", err)
	}
	spans := tel.Spans.GetSpans()
	want := `orders-service start-up
  resourceserver.Ensure
    resourceserver.write
      Cognito Identity Provider.DescribeResourceServer
    Cognito Identity Provider.CreateResourceServer
  appclient.GrantScopes
    appclient.write
      Cognito Identity Provider.DescribeUserPoolClient
      Cognito Identity Provider.UpdateUserPoolClient
      Cognito Identity Provider.DescribeUserPoolClient
    Cognito Identity Provider.DescribeResourceServer
`
	if diff := cmp.Diff(want, Tree(spans, Operations, name)); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	for _, s := range spans {
		if s.SpanContext.TraceID() != spans[0].SpanContext.TraceID() {
			t.Errorf("span %s is in trace %s, want every span in %s", s.Name, s.SpanContext.TraceID(), spans[0].SpanContext.TraceID())
		}
	}
	// The attributes users filter on.
	wantAttrs := map[string]map[attribute.Key]string{
		"resourceserver.Ensure": {"userPoolId": pool, "identifier": identifier, "scopekeeper.outcome": "ok"},
		"resourceserver.write":  {"userPoolId": pool, "identifier": identifier, "scopekeeper.outcome": "not_found", "scopekeeper.coalesced": "1"},
		"appclient.GrantScopes": {"userPoolId": pool, "clientId": webID, "scopekeeper.outcome": "ok"},
		"appclient.write":       {"userPoolId": pool, "clientId": webID, "scopekeeper.outcome": "ok", "scopekeeper.attempts": "1", "scopekeeper.coalesced": "1"},
	}
	for _, s := range spans {
		want, ok := wantAttrs[s.Name]
		if !ok {
			continue
		}
		got := map[attribute.Key]string{}
		for _, a := range s.Attributes {
			got[a.Key] = a.Value.String()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("attributes of %s (-want +got):\n%s", s.Name, diff)
		}
	}
}

// TestRun runs the example as `go run .` does and checks that it prints
// the tree and the metrics.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("run() = %v\n%s", err, out.String())
	}
	for _, line := range []string{"  orders-service start-up ", "    resourceserver.Ensure ", "        Cognito Identity Provider.UpdateUserPoolClient ",
		"  scopekeeper.pacing.wait ", "  client.call.duration "} {
		if !strings.Contains(out.String(), "\n"+line) {
			t.Errorf("output has no line starting %q:\n%s", line, out.String())
		}
	}
}
