package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/telemetry/telemetrytest"
)

// fakeAPI is an API that is not the SDK's client.
type fakeAPI struct{}

// traced starts a span with t and reports which recorder, if any, got it.
func traced(t *telemetry.Telemetry, recs ...*telemetrytest.Recorder) string {
	_, span := t.Start(context.Background(), "op")
	span.End(nil)
	for i, r := range recs {
		if len(r.Named("op")) > 0 {
			return fmt.Sprint("recorder ", i)
		}
	}
	return "none"
}

func TestNewProviders(t *testing.T) {
	sdk, opt := &telemetrytest.Recorder{}, &telemetrytest.Recorder{}
	withTracer := func(tp tracing.TracerProvider) func(*cip.Options) {
		return func(o *cip.Options) { o.TracerProvider = tp }
	}
	tests := []struct {
		name      string
		api       any
		clientOpt []func(*cip.Options)
		tp        tracing.TracerProvider
		want      string
	}{
		{name: "fake API, no provider", api: fakeAPI{}, want: "none"},
		{name: "fake API, Options provider", api: fakeAPI{}, tp: opt, want: "recorder 1"},
		{name: "SDK client without provider, Options provider", api: cip.New(cip.Options{}), tp: opt, want: "recorder 1"},
		{name: "SDK client with no-op provider", api: cip.New(cip.Options{TracerProvider: tracing.NopTracerProvider{}}), tp: opt, want: "recorder 1"},
		{name: "SDK client's provider first", api: cip.New(cip.Options{TracerProvider: sdk}), tp: opt, want: "recorder 0"},
		{name: "SDK client's provider alone", api: cip.New(cip.Options{TracerProvider: sdk}), want: "recorder 0"},
		{name: "provider set by ClientOptions", api: cip.New(cip.Options{}), clientOpt: []func(*cip.Options){nil, withTracer(sdk)}, tp: opt, want: "recorder 0"},
		{name: "no-op provider in Options", api: fakeAPI{}, tp: &tracing.NopTracerProvider{}, want: "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			*sdk, *opt = telemetrytest.Recorder{}, telemetrytest.Recorder{}
			tel := telemetry.New(tc.api, tc.clientOpt, tc.tp, nil)
			if got := traced(tel, sdk, opt); got != tc.want {
				t.Errorf("span went to %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNewNothingSet(t *testing.T) {
	for _, tc := range []struct {
		name string
		api  any
		tp   tracing.TracerProvider
		mp   metrics.MeterProvider
	}{
		{"fake API", fakeAPI{}, nil, nil},
		{"SDK client", cip.New(cip.Options{}), nil, nil},
		{"no-op values", fakeAPI{}, tracing.NopTracerProvider{}, metrics.NopMeterProvider{}},
		{"no-op pointers", fakeAPI{}, &tracing.NopTracerProvider{}, &metrics.NopMeterProvider{}},
	} {
		if tel := telemetry.New(tc.api, nil, tc.tp, tc.mp); tel != nil {
			t.Errorf("%s: New = %v, want nil", tc.name, tel)
		}
	}
}

// A nil *Telemetry and a context without a span do nothing, and the
// context is passed on unchanged.
func TestNilTelemetry(t *testing.T) {
	var tel *telemetry.Telemetry
	ctx := context.Background()
	got, span := tel.Start(ctx, "op", slog.String(telemetry.AttrPool, "p"))
	if got != ctx || span.Recording() {
		t.Errorf("nil Telemetry: Start changed the context or returned a recording span")
	}
	span.Set(slog.Int(telemetry.AttrAttempts, 1))
	span.Event("e")
	span.LinkTo(span)
	span.End(errors.New("x"))
	if got, child := telemetry.StartChild(ctx, "child"); got != ctx || child.Recording() {
		t.Errorf("StartChild without a Telemetry changed the context or returned a recording span")
	}
	telemetry.Event(ctx, "e")
	telemetry.Count(ctx, telemetry.Reapplies)
	telemetry.Observe(ctx, telemetry.PacingWait, time.Second)
}

func TestSpan(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	tel := telemetry.New(fakeAPI{}, nil, rec, rec)
	ctx, outer := tel.Start(context.Background(), "resourceserver.Apply",
		slog.String(telemetry.AttrPool, "us-east-1_A"), slog.String(telemetry.AttrIdentifier, "api"))
	ctx, inner := telemetry.StartChild(ctx, "resourceserver.write")
	telemetry.Event(ctx, "overwrite re-applied", slog.Int(telemetry.AttrAttempts, 2))
	telemetry.Count(ctx, telemetry.Reapplies, slog.String(telemetry.AttrPool, "us-east-1_A"))
	telemetry.Observe(ctx, telemetry.LockWait, 1500*time.Millisecond, slog.String(telemetry.AttrPool, "us-east-1_A"))
	inner.Set(slog.Int(telemetry.AttrCoalesced, 3))
	outer.LinkTo(inner)
	inner.End(nil)
	outer.End(&rserrors.ConflictError{UserPoolID: "us-east-1_A", Identifier: "api", Attempts: 5})

	if diff := cmp.Diff("resourceserver.Apply\n  resourceserver.write\n", rec.Tree(nil)); diff != "" {
		t.Errorf("Tree (-want +got):\n%s", diff)
	}
	o, w := rec.Named("resourceserver.Apply")[0], rec.Named("resourceserver.write")[0]
	wantOuter := map[string]any{
		telemetry.AttrPool: "us-east-1_A", telemetry.AttrIdentifier: "api", telemetry.AttrOutcome: "conflict",
		telemetry.AttrWriteTraceID: "1", telemetry.AttrWriteSpanID: fmt.Sprint(w.ID),
	}
	if diff := cmp.Diff(wantOuter, o.Attrs()); diff != "" {
		t.Errorf("outer span's attributes (-want +got):\n%s", diff)
	}
	if o.Status() != tracing.SpanStatusError || w.Status() != tracing.SpanStatusOK {
		t.Errorf("statuses = %v, %v, want Error, OK", o.Status(), w.Status())
	}
	wantEvents := []telemetrytest.Event{{Name: "overwrite re-applied", Attrs: map[string]any{telemetry.AttrAttempts: int64(2)}}}
	if diff := cmp.Diff(wantEvents, w.Events()); diff != "" {
		t.Errorf("events of the inner span (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{telemetry.AttrCoalesced: int64(3), telemetry.AttrOutcome: "ok"}, w.Attrs()); diff != "" {
		t.Errorf("inner span's attributes (-want +got):\n%s", diff)
	}
	wantM := []telemetrytest.Measurement{
		{Name: "scopekeeper.reapplies", Unit: "{write}", Value: 1, Attrs: map[string]any{telemetry.AttrPool: "us-east-1_A"}},
		{Name: "scopekeeper.lock.wait", Unit: "s", Value: 1.5, Attrs: map[string]any{telemetry.AttrPool: "us-east-1_A"}},
	}
	if diff := cmp.Diff(wantM, rec.Measurements("")); diff != "" {
		t.Errorf("measurements (-want +got):\n%s", diff)
	}
}

// Metrics alone: spans are not recorded, metrics are.
func TestMetricsWithoutTracer(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	tel := telemetry.New(fakeAPI{}, nil, nil, rec)
	ctx, span := tel.Start(context.Background(), "op")
	if span.Recording() {
		t.Error("span records without a tracer")
	}
	telemetry.Count(ctx, telemetry.Throttles)
	telemetry.Count(ctx, telemetry.Throttles)
	span.End(nil)
	if got := rec.Sum("scopekeeper.throttles"); got != 2 {
		t.Errorf("scopekeeper.throttles = %v, want 2", got)
	}
	if got := len(rec.Spans()); got != 0 {
		t.Errorf("%d spans recorded, want 0", got)
	}
}

func TestOutcome(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{context.Canceled, "canceled"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), "canceled"},
		{&rserrors.ValidationError{Operation: "Apply", Violations: []*rserrors.FieldError{{Field: "poolID"}}}, "invalid"},
		{&rserrors.UnsafeUpdateError{}, "refused"},
		{&rserrors.GrantsError{}, "refused"},
		{&smithy.GenericAPIError{Code: "ScopeDoesNotExistException"}, "refused"},
		{&rserrors.ConflictError{}, "conflict"},
		{&rserrors.LockLostError{Key: "k"}, "lock_lost"},
		{&smithy.GenericAPIError{Code: "TooManyRequestsException"}, "throttled"},
		{&smithy.GenericAPIError{Code: "LimitExceededException"}, "throttled"},
		{&smithy.GenericAPIError{Code: "ResourceNotFoundException"}, "not_found"},
		{errors.New("boom"), "error"},
	}
	for _, tc := range tests {
		if got := telemetry.Outcome(tc.err); got != tc.want {
			t.Errorf("Outcome(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "str" }

func TestAttributeValues(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	tel := telemetry.New(fakeAPI{}, nil, rec, nil)
	_, span := tel.Start(context.Background(), "op",
		slog.String("s", "v"), slog.Int("i", 3), slog.Uint64("u", 4), slog.Uint64("big", 1<<63),
		slog.Float64("f", 1.5), slog.Bool("b", true), slog.Duration("d", 2500*time.Millisecond),
		slog.Time("t", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		slog.Group("g", slog.String("k", "v")), slog.Group("", slog.Int("inline", 1)),
		slog.Any("list", []string{"a", "b"}), slog.Any("err", errors.New("boom")), slog.Any("x", stringer{}))
	span.End(nil)
	want := map[string]any{
		"s": "v", "i": int64(3), "u": int64(4), "big": "9223372036854775808", "f": 1.5, "b": true, "d": 2.5,
		"t": "2026-01-02T03:04:05Z", "g.k": "v", "inline": int64(1), "list": []string{"a", "b"},
		"err": "boom", "x": "str", telemetry.AttrOutcome: "ok",
	}
	if diff := cmp.Diff(want, rec.Spans()[0].Attrs()); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
}

// A span started before an SDK call is the parent of the SDK's operation
// span when both come from the SDK client's provider.
func TestNestsWithSDKSpans(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("p")
	rec := &telemetrytest.Recorder{}
	api := srv.Client(func(o *cip.Options) { o.TracerProvider = rec; o.MeterProvider = rec })
	tel := telemetry.New(api, nil, nil, nil)
	ctx, span := tel.Start(t.Context(), "resourceserver.Describe", slog.String(telemetry.AttrPool, pool))
	_, err := api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api")})
	span.End(err)
	if !rserrors.IsResourceServerNotFound(rserrors.From(err)) {
		t.Fatalf("Describe = %v, want a resource server not found", err)
	}
	want := "resourceserver.Describe\n  Cognito Identity Provider.DescribeResourceServer\n"
	if diff := cmp.Diff(want, rec.Tree(telemetrytest.Operations)); diff != "" {
		t.Errorf("Tree (-want +got):\n%s", diff)
	}
	if got := rec.Named("resourceserver.Describe")[0].Attrs()[telemetry.AttrOutcome]; got != "not_found" {
		t.Errorf("outcome = %v, want not_found", got)
	}
}

// docs/observability.md lists every instrument, with its kind and unit,
// in one table.
func TestDocumentedInstruments(t *testing.T) {
	doc, err := os.ReadFile("../../docs/observability.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(scopekeeper\\.[a-z_.]+)` \\| (\\w+) \\| `([^`]+)` \\|")
	var got []telemetry.Definition
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		got = append(got, telemetry.Definition{Name: m[1], Kind: m[2], Unit: m[3]})
	}
	var want []telemetry.Definition
	for _, d := range telemetry.Definitions() {
		want = append(want, telemetry.Definition{Name: d.Name, Kind: d.Kind, Unit: d.Unit})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/observability.md's table of instruments (-code +doc):\n%s", diff)
	}
}

func TestCountOutcome(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	ctx, span := telemetry.New(fakeAPI{}, nil, nil, rec).Start(context.Background(), "op")
	defer span.End(nil)
	for _, err := range []error{nil, errors.New("x"), &rserrors.ConflictError{}, &rserrors.UnsafeUpdateError{},
		&rserrors.GrantsError{}, &rserrors.LockLostError{Key: "k"}, context.Canceled} {
		telemetry.CountOutcome(ctx, err, slog.String(telemetry.AttrPool, "p"))
	}
	got := map[string]float64{}
	for _, m := range rec.Measurements("") {
		got[m.Name] += m.Value
	}
	want := map[string]float64{"scopekeeper.conflicts": 1, "scopekeeper.refusals": 2, "scopekeeper.lock.losses": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// TestOpUntraced: a Client without providers pays for an operation's span
// with a nil check: Op and its end allocate nothing.
func TestOpUntraced(t *testing.T) {
	var tel *telemetry.Telemetry
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		c, end := tel.Op(ctx, "resourceserver.AddScope", "us-east-1_A", telemetry.AttrIdentifier, "api")
		end(nil)
		if c != ctx {
			t.Fatal("Op changed the context of an untraced operation")
		}
	})
	if allocs != 0 {
		t.Errorf("Op on a nil Telemetry: %v allocations per call, want 0", allocs)
	}
}
