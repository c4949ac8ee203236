// Command otel shows a service's start-up traced with OpenTelemetry: the
// AWS SDK client is wired to OpenTelemetry through smithy-go's adapters
// (smithyoteltracing, smithyotelmetrics), and scopekeeper, which takes its
// tracer and meter from that client, adds its spans under the service's
// own, with the SDK's "Cognito Identity Provider.<Operation>" spans nested
// in them. The start-up ensures the resource server "orders" and its
// scopes with resourceserver.Client.Ensure, then grants them to the
// service's web app client with appclient.Client.GrantScopes. At the
// end it prints the span tree and the metrics recorded.
//
// It runs on the embedded Cognito emulator (package cognitotest) and keeps
// spans and metrics in memory; a real service would export them instead
// (an OTLP exporter in place of tracetest's) and build its SDK client from
// its AWS configuration:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	api := cognitoidentityprovider.NewFromConfig(cfg, func(o *cognitoidentityprovider.Options) {
//		o.TracerProvider = smithyoteltracing.Adapt(otel.GetTracerProvider())
//		o.MeterProvider = smithyotelmetrics.Adapt(otel.GetMeterProvider())
//	})
//
// This example is its own Go module, so that scopekeeper itself does not
// depend on OpenTelemetry:
//
//	cd examples/otel && go run .
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/metrics/smithyotelmetrics"
	"github.com/aws/smithy-go/tracing/smithyoteltracing"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// Telemetry is the OpenTelemetry set-up of the service: providers whose
// spans and metrics stay in memory.
type Telemetry struct {
	Spans   *tracetest.InMemoryExporter
	Tracer  *sdktrace.TracerProvider
	Metrics *sdkmetric.ManualReader
	Meter   *sdkmetric.MeterProvider
}

// NewTelemetry returns OpenTelemetry providers that keep spans and metrics
// in memory.
func NewTelemetry() *Telemetry {
	t := &Telemetry{Spans: tracetest.NewInMemoryExporter(), Metrics: sdkmetric.NewManualReader()}
	t.Tracer = sdktrace.NewTracerProvider(sdktrace.WithSyncer(t.Spans))
	t.Meter = sdkmetric.NewMeterProvider(sdkmetric.WithReader(t.Metrics))
	return t
}

// WireSDK is the option of the SDK client that sends its spans and metrics,
// and so scopekeeper's, to t's providers.
func (t *Telemetry) WireSDK(o *cip.Options) {
	o.TracerProvider = smithyoteltracing.Adapt(t.Tracer)
	o.MeterProvider = smithyotelmetrics.Adapt(t.Meter)
}

// The service's resource server and its scopes.
const (
	identifier = "orders"
	readScope  = identifier + "/orders.read"
	writeScope = identifier + "/orders.write"
)

// Startup is what the service runs when it starts: it makes sure the
// scopes it checks in access tokens exist, and that its web app client
// may request them. Both are safe when every replica runs them at once.
func Startup(ctx context.Context, tracer trace.Tracer, api *cip.Client, poolID, webID string) error {
	ctx, span := tracer.Start(ctx, "orders-service start-up")
	defer span.End()
	servers := resourceserver.New(api)
	if _, err := servers.Ensure(ctx, resourceserver.ResourceServer{
		UserPoolID: poolID, Identifier: identifier, Name: "Orders API",
		Scopes: []resourceserver.Scope{
			{Name: "orders.read", Description: "Read orders"},
			{Name: "orders.write", Description: "Place and change orders"},
		},
	}); err != nil {
		return err
	}
	clients := appclient.New(api)
	_, err := clients.GrantScopes(ctx, poolID, webID, readScope, writeScope)
	return err
}

func run(ctx context.Context, out io.Writer) error {
	srv := cognitotest.NewServer()
	defer srv.Close()
	poolID := srv.CreateUserPool("orders")
	webID, err := createWeb(ctx, srv.Client(), poolID)
	if err != nil {
		return err
	}
	tel := NewTelemetry()
	api := srv.Client(tel.WireSDK)
	fmt.Fprintf(out, "orders-service start-up on the embedded Cognito emulator, pool %s\n", poolID)
	if err := Startup(ctx, tel.Tracer.Tracer("orders-service"), api, poolID, webID); err != nil {
		return err
	}
	fmt.Fprintln(out, "span tree (the SDK's inner spans, RetryLoop, Attempt, SignRequest..., left out):")
	for line := range strings.Lines(Tree(tel.Spans.GetSpans(), Operations, describe)) {
		fmt.Fprint(out, "  "+line)
	}
	fmt.Fprintln(out, "metrics:")
	return writeMetrics(ctx, out, tel.Metrics)
}

// createWeb creates the service's web app client as the deployment would
// (Terraform, CloudFormation): sign-in with the code flow and the standard
// scopes only. It uses an SDK client that is not traced.
func createWeb(ctx context.Context, api *cip.Client, poolID string) (string, error) {
	out, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("orders-web"),
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:              []string{"openid", "email"},
		CallbackURLs:                    []string{"https://orders.example.com/callback"},
		SupportedIdentityProviders:      []string{"COGNITO"},
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.UserPoolClient.ClientId), nil
}

// Operations keeps the spans of operations: the service's, scopekeeper's
// and the SDK's "Cognito Identity Provider.<Operation>" spans, not the
// SDK's inner steps.
func Operations(s tracetest.SpanStub) bool {
	return s.InstrumentationScope.Name != "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider" ||
		strings.HasPrefix(s.Name, "Cognito Identity Provider.")
}

// Tree returns the spans that keep keeps as a tree, one line per span,
// label's text indented by two spaces per level under its nearest kept
// ancestor, siblings in the order they started.
func Tree(spans tracetest.SpanStubs, keep func(tracetest.SpanStub) bool, label func(tracetest.SpanStub) string) string {
	byID := make(map[trace.SpanID]tracetest.SpanStub, len(spans))
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
	}
	parentOf := func(s tracetest.SpanStub) trace.SpanID {
		for p, ok := byID[s.Parent.SpanID()]; ok; p, ok = byID[p.Parent.SpanID()] {
			if keep(p) {
				return p.SpanContext.SpanID()
			}
		}
		return trace.SpanID{}
	}
	children := make(map[trace.SpanID][]tracetest.SpanStub)
	for _, s := range spans {
		if keep(s) {
			p := parentOf(s)
			children[p] = append(children[p], s)
		}
	}
	var b strings.Builder
	var walk func(id trace.SpanID, depth int)
	walk = func(id trace.SpanID, depth int) {
		kids := children[id]
		slices.SortStableFunc(kids, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
		for _, s := range kids {
			fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth), label(s))
			walk(s.SpanContext.SpanID(), depth+1)
		}
	}
	walk(trace.SpanID{}, 0)
	return b.String()
}

// describe labels a span with its name, its duration and the attributes
// scopekeeper sets for filtering.
func describe(s tracetest.SpanStub) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", s.Name, s.EndTime.Sub(s.StartTime).Round(time.Millisecond))
	for _, k := range shown {
		for _, a := range s.Attributes {
			if a.Key == k {
				fmt.Fprintf(&b, " %s=%s", a.Key, a.Value.String())
			}
		}
	}
	return b.String()
}

// shown are the attributes WriteTree prints, in order.
var shown = []attribute.Key{"identifier", "clientId", "scopekeeper.attempts", "scopekeeper.coalesced", "scopekeeper.outcome"}

// writeMetrics writes each metric collected by r with its count of points
// or sum.
func writeMetrics(ctx context.Context, w io.Writer, r *sdkmetric.ManualReader) error {
	var rm metricdata.ResourceMetrics
	if err := r.Collect(ctx, &rm); err != nil {
		return err
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				var sum int64
				for _, p := range d.DataPoints {
					sum += p.Value
				}
				fmt.Fprintf(w, "  %-45s %d %s\n", m.Name, sum, m.Unit)
			case metricdata.Histogram[float64]:
				var n uint64
				var sum float64
				for _, p := range d.DataPoints {
					n += p.Count
					sum += p.Sum
				}
				fmt.Fprintf(w, "  %-45s %d recorded, sum %.3f %s\n", m.Name, n, sum, m.Unit)
			case metricdata.Histogram[int64]:
				var n uint64
				for _, p := range d.DataPoints {
					n += p.Count
				}
				fmt.Fprintf(w, "  %-45s %d recorded\n", m.Name, n)
			}
		}
	}
	return nil
}
