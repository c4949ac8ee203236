package telemetrytest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// Recorder records the spans and measurements made through it. The zero
// value is ready to use; a Recorder is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	spans    []*Span
	lastID   int
	measured []Measurement
}

var (
	_ tracing.TracerProvider = (*Recorder)(nil)
	_ metrics.MeterProvider  = (*Recorder)(nil)
)

// Span is a recorded span.
type Span struct {
	r *Recorder

	// ID numbers the spans of a Recorder from 1, in the order they
	// started; Parent is the ID of the span that was current in the
	// context it started from, 0 for none.
	ID, Parent int
	// Scope is the instrumentation scope of its tracer.
	Scope string

	name   string
	attrs  map[string]any
	events []Event
	status tracing.SpanStatus
	ended  bool
}

// Event is an event recorded on a span.
type Event struct {
	Name  string
	Attrs map[string]any
}

// Measurement is one value recorded by a counter or a histogram.
type Measurement struct {
	// Name is the instrument's name; Unit its unit.
	Name, Unit string
	// Value is the value added or recorded.
	Value float64
	// Attrs are the measurement's attributes.
	Attrs map[string]any
}

// Tracer returns a tracer that records its spans in r.
func (r *Recorder) Tracer(scope string, _ ...tracing.TracerOption) tracing.Tracer {
	return tracer{r: r, scope: scope}
}

type tracer struct {
	r     *Recorder
	scope string
}

// StartSpan records a new span whose parent is the span current in ctx.
func (t tracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, opt := range opts {
		opt(&o)
	}
	s := &Span{r: t.r, Scope: t.scope, name: name, attrs: map[string]any{}}
	if p, ok := tracing.GetSpan(ctx); ok {
		if ps, ok := p.(*Span); ok {
			s.Parent = ps.ID
		}
	}
	for k, v := range o.Properties.Values() {
		s.attrs[key(k)] = v
	}
	t.r.mu.Lock()
	t.r.lastID++
	s.ID = t.r.lastID
	t.r.spans = append(t.r.spans, s)
	t.r.mu.Unlock()
	return tracing.WithSpan(ctx, s), s
}

// key returns a property key as a string.
func key(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return fmt.Sprint(k)
}

// Reset forgets every span and measurement recorded so far; spans started
// before and ended after it are not recorded again.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans, r.measured = nil, nil
}

// Name returns the span's name.
func (s *Span) Name() string { return s.name }

// Context returns the span's IDs: trace "1" and span ID.
func (s *Span) Context() tracing.SpanContext {
	return tracing.SpanContext{TraceID: "1", SpanID: strconv.Itoa(s.ID)}
}

// AddEvent records an event.
func (s *Span) AddEvent(name string, opts ...tracing.EventOption) {
	var o tracing.EventOptions
	for _, opt := range opts {
		opt(&o)
	}
	e := Event{Name: name, Attrs: map[string]any{}}
	for k, v := range o.Properties.Values() {
		e.Attrs[key(k)] = v
	}
	s.r.mu.Lock()
	s.events = append(s.events, e)
	s.r.mu.Unlock()
}

// SetStatus records the status.
func (s *Span) SetStatus(st tracing.SpanStatus) {
	s.r.mu.Lock()
	s.status = st
	s.r.mu.Unlock()
}

// SetProperty records an attribute.
func (s *Span) SetProperty(k, v any) {
	s.r.mu.Lock()
	s.attrs[key(k)] = v
	s.r.mu.Unlock()
}

// End marks the span ended.
func (s *Span) End() {
	s.r.mu.Lock()
	s.ended = true
	s.r.mu.Unlock()
}

// Attrs returns a copy of the span's attributes.
func (s *Span) Attrs() map[string]any {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return maps.Clone(s.attrs)
}

// Events returns a copy of the span's events.
func (s *Span) Events() []Event {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return slices.Clone(s.events)
}

// Status returns the span's status.
func (s *Span) Status() tracing.SpanStatus {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return s.status
}

// Ended reports whether End was called.
func (s *Span) Ended() bool {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return s.ended
}

// Spans returns the spans recorded so far, in the order they started.
func (r *Recorder) Spans() []*Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// Named returns the recorded spans named name, in the order they started.
func (r *Recorder) Named(name string) []*Span {
	return slices.DeleteFunc(r.Spans(), func(s *Span) bool { return s.name != name })
}

// Tree prints the spans for which keep returns true (every span for a nil
// keep) as a tree, one per line, children indented by two spaces under
// their nearest kept ancestor, siblings in the order they started. A span
// that has not ended is marked " (not ended)".
func (r *Recorder) Tree(keep func(*Span) bool) string {
	spans := r.Spans()
	byID := make(map[int]*Span, len(spans))
	for _, s := range spans {
		byID[s.ID] = s
	}
	kept := func(s *Span) bool { return keep == nil || keep(s) }
	// parent is the nearest kept ancestor of s, 0 for none.
	parent := func(s *Span) int {
		for p := byID[s.Parent]; p != nil; p = byID[p.Parent] {
			if kept(p) {
				return p.ID
			}
		}
		return 0
	}
	children := make(map[int][]*Span)
	for _, s := range spans {
		if kept(s) {
			children[parent(s)] = append(children[parent(s)], s)
		}
	}
	var b strings.Builder
	var walk func(id, depth int)
	walk = func(id, depth int) {
		kids := children[id]
		slices.SortStableFunc(kids, func(a, b *Span) int { return cmp.Compare(a.ID, b.ID) })
		for _, s := range kids {
			b.WriteString(strings.Repeat("  ", depth))
			b.WriteString(s.name)
			if !s.Ended() {
				b.WriteString(" (not ended)")
			}
			b.WriteByte('\n')
			walk(s.ID, depth+1)
		}
	}
	walk(0, 0)
	return b.String()
}

// Operations is a filter for [Recorder.Tree] that keeps the spans of
// operations: scopekeeper's and the SDK's "Cognito Identity
// Provider.<Operation>" spans, not the SDK's inner steps (RetryLoop,
// Attempt, SignRequest, ...).
func Operations(s *Span) bool {
	return s.Scope == telemetry.Scope || strings.HasPrefix(s.name, sdkSpanPrefix)
}

// sdkSpanPrefix starts the name of the SDK's operation spans.
const sdkSpanPrefix = "Cognito Identity Provider."

// Meter returns a meter whose counters and histograms record in r; its
// other instruments record nothing.
func (r *Recorder) Meter(string, ...metrics.MeterOption) metrics.Meter {
	return meter{r: r}
}

type meter struct {
	metrics.NopMeter
	r *Recorder
}

func (m meter) Int64Counter(name string, opts ...metrics.InstrumentOption) (metrics.Int64Counter, error) {
	return m.instrument(name, opts), nil
}

func (m meter) Float64Histogram(name string, opts ...metrics.InstrumentOption) (metrics.Float64Histogram, error) {
	return m.instrument(name, opts), nil
}

func (m meter) instrument(name string, opts []metrics.InstrumentOption) instrument {
	var o metrics.InstrumentOptions
	for _, opt := range opts {
		opt(&o)
	}
	return instrument{r: m.r, name: name, unit: o.UnitLabel}
}

type instrument struct {
	r          *Recorder
	name, unit string
}

func (i instrument) Add(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	i.record(float64(v), opts)
}

func (i instrument) Record(_ context.Context, v float64, opts ...metrics.RecordMetricOption) {
	i.record(v, opts)
}

func (i instrument) record(v float64, opts []metrics.RecordMetricOption) {
	var o metrics.RecordMetricOptions
	for _, opt := range opts {
		opt(&o)
	}
	m := Measurement{Name: i.name, Unit: i.unit, Value: v, Attrs: map[string]any{}}
	for k, v := range o.Properties.Values() {
		m.Attrs[key(k)] = v
	}
	i.r.mu.Lock()
	i.r.measured = append(i.r.measured, m)
	i.r.mu.Unlock()
}

// Measurements returns the measurements of the instrument named name, in
// the order they were recorded; every measurement for an empty name.
func (r *Recorder) Measurements(name string) []Measurement {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(r.measured), func(m Measurement) bool { return name != "" && m.Name != name })
}

// Sum returns the sum of the values of the instrument named name.
func (r *Recorder) Sum(name string) float64 {
	var sum float64
	for _, m := range r.Measurements(name) {
		sum += m.Value
	}
	return sum
}
