package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Scope is the instrumentation scope of scopekeeper's tracer and meter.
const Scope = "github.com/scopekeeper/scopekeeper"

// Attribute keys of spans, events and metrics: the Cognito API's names for
// what it names, scopekeeper's for the rest.
const (
	// AttrPool is the user pool ID.
	AttrPool = "userPoolId"
	// AttrIdentifier is a resource server's identifier.
	AttrIdentifier = "identifier"
	// AttrClientID is an app client's ID.
	AttrClientID = "clientId"
	// AttrAttempts is how many writes a change took (1 when no overwrite
	// was found).
	AttrAttempts = "scopekeeper.attempts"
	// AttrCoalesced is how many callers' changes one write carried.
	AttrCoalesced = "scopekeeper.coalesced"
	// AttrOutcome is how an operation ended; see [Outcome].
	AttrOutcome = "scopekeeper.outcome"
	// AttrSteps is how many steps an apply, or one of its waves, has.
	AttrSteps = "scopekeeper.steps"
	// AttrCategory is a Cognito quota category, such as
	// UserPoolResourceUpdate.
	AttrCategory = "scopekeeper.category"
	// AttrRate is a pacer's rate, in requests per second.
	AttrRate = "scopekeeper.rate"
	// AttrWriteTraceID and AttrWriteSpanID name, on the span of a caller
	// whose change was coalesced with others, the span of the write that
	// carried it: smithy-go's tracing has no span links, so the link is
	// carried as attributes.
	AttrWriteTraceID = "scopekeeper.write.traceId"
	AttrWriteSpanID  = "scopekeeper.write.spanId"
)

// Telemetry holds the tracer and the instruments of one Client. A nil
// *Telemetry traces and measures nothing.
type Telemetry struct {
	tracer tracing.Tracer // nil: not traced
	inst   [numInstruments]instrument
}

// sdkOptions is what an API offers when it is the SDK's client, or wraps
// one and says so.
type sdkOptions interface {
	Options() cip.Options
}

var _ sdkOptions = (*cip.Client)(nil)

// New resolves the providers of a Client that sends through api with the
// per-call options clientOptions (nil entries skipped). Each provider is,
// in order: the SDK client's own (api's Options(), as clientOptions leave
// it), when api is a *cognitoidentityprovider.Client (or has its Options
// method) and that provider is not smithy-go's no-op; else tp or mp, the
// Client's Options; else none. The SDK client's provider comes first
// because a span nests with the SDK's spans only when both come from the
// same provider. New returns nil when neither provider is set.
func New(api any, clientOptions []func(*cip.Options), tp tracing.TracerProvider, mp metrics.MeterProvider) *Telemetry {
	if c, ok := api.(sdkOptions); ok {
		o := c.Options()
		for _, fn := range clientOptions {
			if fn != nil {
				fn(&o)
			}
		}
		if !isNopTracer(o.TracerProvider) {
			tp = o.TracerProvider
		}
		if !isNopMeter(o.MeterProvider) {
			mp = o.MeterProvider
		}
	}
	if isNopTracer(tp) && isNopMeter(mp) {
		return nil
	}
	t := &Telemetry{}
	if !isNopTracer(tp) {
		t.tracer = tp.Tracer(Scope)
	}
	if !isNopMeter(mp) {
		t.inst = newInstruments(mp.Meter(Scope))
	}
	return t
}

func isNopTracer(tp tracing.TracerProvider) bool {
	switch tp.(type) {
	case nil, tracing.NopTracerProvider, *tracing.NopTracerProvider:
		return true
	}
	return false
}

func isNopMeter(mp metrics.MeterProvider) bool {
	switch mp.(type) {
	case nil, metrics.NopMeterProvider, *metrics.NopMeterProvider:
		return true
	}
	return false
}

// current is the context value of a span started by Start: the Telemetry
// that started it and the span itself (nil when not traced).
type current struct {
	t    *Telemetry
	span tracing.Span
}

type currentKey struct{}

func fromContext(ctx context.Context) current {
	c, _ := ctx.Value(currentKey{}).(current)
	return c
}

// Start starts a span named name, with attrs, as a child of the span in
// ctx (scopekeeper's or the SDK's), and returns a context that carries it,
// for the SDK calls the operation makes, and for [Event], [Count] and
// [Observe] deeper down. With a nil t it returns ctx and a Span that does
// nothing.
func (t *Telemetry) Start(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, Span) {
	if t == nil {
		return ctx, Span{}
	}
	var s tracing.Span
	if t.tracer != nil {
		kept := slices.Clone(attrs) // attrs stay on the caller's stack when not traced
		ctx, s = t.tracer.StartSpan(ctx, name, func(o *tracing.SpanOptions) {
			for _, a := range kept {
				setAttr(o.Properties.Set, "", a)
			}
		})
	}
	return context.WithValue(ctx, currentKey{}, current{t: t, span: s}), Span{s: s}
}

// StartChild starts a span named name, with attrs, with the Telemetry
// that started the span in ctx, as its child; code that runs on behalf of
// an operation (the read-modify-write of a batch) needs no Telemetry of
// its own. Without a Telemetry in ctx it returns ctx and a Span that does
// nothing.
func StartChild(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, Span) {
	return fromContext(ctx).t.Start(ctx, name, attrs...)
}

// Span is a span started by [Telemetry.Start]. The zero Span does nothing.
type Span struct {
	s tracing.Span
}

// Recording reports whether the span records anything, so that callers
// can skip building attributes that would be dropped.
func (s Span) Recording() bool { return s.s != nil }

// Set sets attrs on the span.
func (s Span) Set(attrs ...slog.Attr) {
	if s.s == nil {
		return
	}
	for _, a := range attrs {
		setAttr(s.s.SetProperty, "", a)
	}
}

// Event adds the event name with attrs to the span.
func (s Span) Event(name string, attrs ...slog.Attr) {
	if s.s == nil {
		return
	}
	kept := slices.Clone(attrs) // attrs stay on the caller's stack when not traced
	s.s.AddEvent(name, func(o *tracing.EventOptions) {
		for _, a := range kept {
			setAttr(o.Properties.Set, "", a)
		}
	})
}

// LinkTo records on s the span to, which did the work s waited for (the
// write that carried a coalesced change), as [AttrWriteTraceID] and
// [AttrWriteSpanID].
func (s Span) LinkTo(to Span) {
	if s.s == nil || to.s == nil {
		return
	}
	sc := to.s.Context()
	s.s.SetProperty(AttrWriteTraceID, sc.TraceID)
	s.s.SetProperty(AttrWriteSpanID, sc.SpanID)
}

// End sets [AttrOutcome] to [Outcome](err), the span's status to OK or
// Error, and ends the span.
func (s Span) End(err error) {
	if s.s == nil {
		return
	}
	s.s.SetProperty(AttrOutcome, Outcome(err))
	if err != nil {
		s.s.SetStatus(tracing.SpanStatusError)
	} else {
		s.s.SetStatus(tracing.SpanStatusOK)
	}
	s.s.End()
}

// SpanOf returns the span that [Telemetry.Start] put in ctx; the zero
// Span when there is none.
func SpanOf(ctx context.Context) Span {
	return Span{s: fromContext(ctx).span}
}

// Event adds the event name with attrs to the span that
// [Telemetry.Start] put in ctx: the decisions the logger records (an
// overwrite re-applied, a throttle and the new rate, a lock waited for)
// are recorded there as well.
func Event(ctx context.Context, name string, attrs ...slog.Attr) {
	SpanOf(ctx).Event(name, attrs...)
}

// Outcome names how an operation ended, as [AttrOutcome] records it: "ok";
// "canceled" (the context ended); "invalid" (a validation error: nothing
// sent); "refused" (a check refused the change: an unsafe update, app
// clients holding a scope, a grant of a scope that does not exist);
// "conflict" (overwritten on every attempt);
// "lock_lost"; "throttled" (a throttle or quota reached the caller);
// "not_found"; else "error".
func Outcome(err error) string {
	var grants *rserrors.GrantsError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case rserrors.IsValidation(err):
		return "invalid"
	case rserrors.IsUnsafeUpdate(err), errors.As(err, &grants), rserrors.IsScopeDoesNotExist(err):
		return "refused"
	case rserrors.IsConflict(err):
		return "conflict"
	case rserrors.IsLockLost(err):
		return "lock_lost"
	case rserrors.IsTooManyRequests(err), rserrors.IsLimitExceeded(err):
		return "throttled"
	case rserrors.IsNotFound(err):
		return "not_found"
	default:
		return "error"
	}
}

// setAttr converts a into smithy-go property values, the types the
// OpenTelemetry adapter keeps as they are: a group's members are flattened
// under "group.key", a duration becomes its seconds, and anything else not
// a string, number or bool its string form.
func setAttr(set func(k, v any), prefix string, a slog.Attr) {
	var key any
	if prefix == "" {
		key = boxKey(a.Key)
	} else {
		key = prefix + a.Key
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		set(key, v.String())
	case slog.KindInt64:
		set(key, v.Int64())
	case slog.KindUint64:
		if u := v.Uint64(); u <= math.MaxInt64 {
			set(key, int64(u))
		} else {
			set(key, strconv.FormatUint(u, 10))
		}
	case slog.KindFloat64:
		set(key, v.Float64())
	case slog.KindBool:
		set(key, v.Bool())
	case slog.KindDuration:
		set(key, v.Duration().Seconds())
	case slog.KindTime:
		set(key, v.Time().Format(time.RFC3339Nano))
	case slog.KindGroup:
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, m := range v.Group() {
			setAttr(set, prefix, m)
		}
	default:
		switch x := v.Any().(type) {
		case []string:
			set(key, x)
		case error:
			set(key, x.Error())
		default:
			set(key, v.String())
		}
	}
}

// noEnd is the end of an operation that is not traced or measured.
func noEnd(error) {}

// Op starts the span of the public operation name, such as
// "resourceserver.AddScope", on pool (and on id, recorded under idKey,
// when id is not empty) and returns the context that carries it and the
// function that ends it with the operation's error: that function counts
// the outcome ([CountOutcome]) and ends the span. With a nil t it returns
// ctx and a function that does nothing, and allocates nothing.
func (t *Telemetry) Op(ctx context.Context, name, pool, idKey, id string) (context.Context, func(error)) {
	if t == nil {
		return ctx, noEnd
	}
	attrs := make([]slog.Attr, 1, 2)
	attrs[0] = slog.String(AttrPool, pool)
	if id != "" {
		attrs = append(attrs, slog.String(idKey, id))
	}
	ctx, span := t.Start(ctx, name, attrs...)
	return ctx, func(err error) {
		CountOutcome(ctx, err, attrs...)
		span.End(err)
	}
}

// boxKey returns k as an interface value; scopekeeper's own keys come from
// constants, which the compiler boxes without allocating.
func boxKey(k string) any {
	switch k {
	case AttrPool:
		return AttrPool
	case AttrIdentifier:
		return AttrIdentifier
	case AttrClientID:
		return AttrClientID
	case AttrAttempts:
		return AttrAttempts
	case AttrCoalesced:
		return AttrCoalesced
	case AttrOutcome:
		return AttrOutcome
	case AttrSteps:
		return AttrSteps
	case AttrCategory:
		return AttrCategory
	case AttrRate:
		return AttrRate
	}
	return k
}
