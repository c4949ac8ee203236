package telemetry

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/smithy-go/metrics"
)

// Instrument is one of scopekeeper's metrics.
type Instrument int

// The instruments, in the order of docs/observability.md's table.
const (
	// Reapplies counts the writes of a change found overwritten by another
	// writer and written again.
	Reapplies Instrument = iota
	// Conflicts counts the changes overwritten on every attempt (a
	// *rserrors.ConflictError).
	Conflicts
	// Throttles counts the TooManyRequestsException answers to paced
	// requests.
	Throttles
	// Refusals counts the changes that a check refused before the write:
	// an unsafe update, app clients holding a scope, a grant of a scope
	// that does not exist.
	Refusals
	// LockLosses counts the changes stopped because the Locker's lock was
	// lost.
	LockLosses
	// PacingWait is the time a request waited for its pacing slot.
	PacingWait
	// LockWait is the time a change waited for the Locker's lock.
	LockWait

	numInstruments
)

// Definition describes an instrument as docs/observability.md lists it.
type Definition struct {
	// Name is the metric's name.
	Name string
	// Kind is "counter" or "histogram".
	Kind string
	// Unit is the UCUM unit: "s", or an annotation such as "{write}".
	Unit string
	// Description is the metric's description.
	Description string
}

var definitions = [numInstruments]Definition{
	Reapplies:  {"scopekeeper.reapplies", "counter", "{write}", "Writes of a change found overwritten by another writer and written again."},
	Conflicts:  {"scopekeeper.conflicts", "counter", "{change}", "Changes overwritten on every attempt."},
	Throttles:  {"scopekeeper.throttles", "counter", "{request}", "TooManyRequestsException answers to paced requests."},
	Refusals:   {"scopekeeper.refusals", "counter", "{change}", "Changes refused by a check before the write."},
	LockLosses: {"scopekeeper.lock.losses", "counter", "{change}", "Changes stopped because the Locker's lock was lost."},
	PacingWait: {"scopekeeper.pacing.wait", "histogram", "s", "Time a request waited for its pacing slot."},
	LockWait:   {"scopekeeper.lock.wait", "histogram", "s", "Time a change waited for the Locker's lock."},
}

// Definitions returns the definitions of every instrument, in order.
func Definitions() []Definition { return definitions[:] }

// Definition returns the definition of i.
func (i Instrument) Definition() Definition { return definitions[i] }

// instrument is a counter or a histogram; nil fields record nothing.
type instrument struct {
	counter metrics.Int64Counter
	hist    metrics.Float64Histogram
}

// newInstruments creates every instrument on m. An instrument that m fails
// to create records nothing: metrics never stop a change.
func newInstruments(m metrics.Meter) [numInstruments]instrument {
	var out [numInstruments]instrument
	for i, d := range definitions {
		opt := func(o *metrics.InstrumentOptions) {
			o.UnitLabel = d.Unit
			o.Description = d.Description
		}
		switch d.Kind {
		case "counter":
			if c, err := m.Int64Counter(d.Name, opt); err == nil {
				out[i].counter = c
			}
		case "histogram":
			if h, err := m.Float64Histogram(d.Name, opt); err == nil {
				out[i].hist = h
			}
		}
	}
	return out
}

// Count adds 1 to the counter i of the Telemetry that started the span in
// ctx, with attrs.
func Count(ctx context.Context, i Instrument, attrs ...slog.Attr) {
	t := fromContext(ctx).t
	if t == nil || t.inst[i].counter == nil {
		return
	}
	t.inst[i].counter.Add(ctx, 1, recordOptions(slices.Clone(attrs)))
}

// Observe records d, in seconds, in the histogram i of the Telemetry that
// started the span in ctx, with attrs.
func Observe(ctx context.Context, i Instrument, d time.Duration, attrs ...slog.Attr) {
	t := fromContext(ctx).t
	if t == nil || t.inst[i].hist == nil {
		return
	}
	t.inst[i].hist.Record(ctx, d.Seconds(), recordOptions(slices.Clone(attrs)))
}

// MetricAttrs are the attributes of a metric recorded often with the
// same ones (the pacing wait of one pool and category), converted once:
// [ObserveWith] then records without converting or copying them. The zero
// MetricAttrs has none.
type MetricAttrs struct {
	opt metrics.RecordMetricOption
}

// NewMetricAttrs converts attrs for [ObserveWith].
func NewMetricAttrs(attrs ...slog.Attr) MetricAttrs {
	type kv struct{ k, v any }
	var kvs []kv
	for _, a := range attrs {
		setAttr(func(k, v any) { kvs = append(kvs, kv{k, v}) }, "", a)
	}
	return MetricAttrs{opt: func(o *metrics.RecordMetricOptions) {
		for _, p := range kvs {
			o.Properties.Set(p.k, p.v)
		}
	}}
}

// ObserveWith is [Observe] with attributes converted beforehand.
func ObserveWith(ctx context.Context, i Instrument, d time.Duration, attrs MetricAttrs) {
	t := fromContext(ctx).t
	if t == nil || t.inst[i].hist == nil {
		return
	}
	if attrs.opt == nil {
		t.inst[i].hist.Record(ctx, d.Seconds())
		return
	}
	t.inst[i].hist.Record(ctx, d.Seconds(), attrs.opt)
}

// recordOptions returns the option that sets attrs. Callers pass a copy,
// so that the attributes of a call that records nothing stay on its stack.
func recordOptions(attrs []slog.Attr) metrics.RecordMetricOption {
	return func(o *metrics.RecordMetricOptions) {
		for _, a := range attrs {
			setAttr(o.Properties.Set, "", a)
		}
	}
}

// CountOutcome counts the change that ended with err in the counter of
// its outcome, if it has one: [Conflicts], [Refusals] or [LockLosses].
func CountOutcome(ctx context.Context, err error, attrs ...slog.Attr) {
	if err == nil {
		return
	}
	switch Outcome(err) {
	case "conflict":
		Count(ctx, Conflicts, attrs...)
	case "refused":
		Count(ctx, Refusals, attrs...)
	case "lock_lost":
		Count(ctx, LockLosses, attrs...)
	}
}
