package resourceserver_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/telemetry/telemetrytest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestTraceOverwriteReapplied: AddScope through an SDK client wired to a
// tracer, whose first Update another writer overwrites. The SDK client's
// provider traces the Client too: the SDK's spans nest in the write span,
// under the caller's; the write span counts two attempts and records the
// re-apply as an event, and the metric counts it.
func TestTraceOverwriteReapplied(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	rec := &telemetrytest.Recorder{}
	var overwritten atomic.Bool
	api := overwriteOnce{Client: s.Client(func(o *cip.Options) { o.TracerProvider, o.MeterProvider = rec, rec }), s: s, done: &overwritten}
	c := resourceserver.New(api, unpaced, func(o *resourceserver.Options) { o.Backoff = func(int) time.Duration { return 0 } })
	if _, err := c.AddScope(t.Context(), testPool, testID, adminScope); err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	want := `resourceserver.AddScope
  resourceserver.write
    Cognito Identity Provider.DescribeResourceServer
    Cognito Identity Provider.UpdateResourceServer
    Cognito Identity Provider.DescribeResourceServer
    Cognito Identity Provider.UpdateResourceServer
    Cognito Identity Provider.DescribeResourceServer
`
	if diff := cmp.Diff(want, rec.Tree(telemetrytest.Operations)); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	caller, write := rec.Named("resourceserver.AddScope")[0], rec.Named("resourceserver.write")[0]
	wantCaller := map[string]any{telemetry.AttrPool: testPool, telemetry.AttrIdentifier: testID, telemetry.AttrOutcome: "ok"}
	if diff := cmp.Diff(wantCaller, caller.Attrs()); diff != "" {
		t.Errorf("caller span's attributes (-want +got):\n%s", diff)
	}
	wantWrite := map[string]any{telemetry.AttrPool: testPool, telemetry.AttrIdentifier: testID, telemetry.AttrOutcome: "ok",
		telemetry.AttrAttempts: int64(2), telemetry.AttrCoalesced: int64(1)}
	if diff := cmp.Diff(wantWrite, write.Attrs()); diff != "" {
		t.Errorf("write span's attributes (-want +got):\n%s", diff)
	}
	wantEvents := []telemetrytest.Event{{Name: "overwrite re-applied", Attrs: map[string]any{telemetry.AttrAttempts: int64(2)}}}
	if diff := cmp.Diff(wantEvents, write.Events()); diff != "" {
		t.Errorf("write span's events (-want +got):\n%s", diff)
	}
	wantReapplies := []telemetrytest.Measurement{{Name: "scopekeeper.reapplies", Unit: "{write}", Value: 1,
		Attrs: map[string]any{telemetry.AttrPool: testPool, telemetry.AttrIdentifier: testID}}}
	if diff := cmp.Diff(wantReapplies, rec.Measurements("scopekeeper.reapplies")); diff != "" {
		t.Errorf("scopekeeper.reapplies (-want +got):\n%s", diff)
	}
}

// TestTraceCoalescedBatch: 12 AddScope calls through one Client on a fake
// API, traced by the provider in Options. The 11 that queue while the
// first one's read is held share its write: one write span carries 12
// callers, and each of the 12 caller spans names it.
func TestTraceCoalescedBatch(t *testing.T) {
	t.Parallel()
	const n = 12
	f := newFake(makeServer(readScope))
	started, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	f.OnDescribe = func(_ context.Context, in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release // hold the first read so the others queue behind it
		}
		return f.StoreDescribe(in)
	}
	rec := &telemetrytest.Recorder{}
	c := newTestClient(f, func(o *resourceserver.Options) { o.TracerProvider, o.MeterProvider = rec, rec })
	scopes := makeScopes(n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	call := func(i int) {
		defer wg.Done()
		_, errs[i] = c.AddScope(t.Context(), testPool, testID, scopes[i])
	}
	wg.Add(n)
	go call(0)
	<-started
	for i := 1; i < n; i++ {
		go call(i)
	}
	for resourceserver.Queued(c, testPool, testID) < n-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddScope(%q) error = %v", scopes[i].Name, err)
		}
	}
	if got := len(f.updates()); got != 1 {
		t.Errorf("%d Updates, want 1", got)
	}
	writes := rec.Named("resourceserver.write")
	if len(writes) != 1 {
		t.Fatalf("%d write spans, want 1:\n%s", len(writes), rec.Tree(nil))
	}
	w := writes[0]
	if got := w.Attrs()[telemetry.AttrCoalesced]; got != int64(n) {
		t.Errorf("write span's %s = %v, want %d", telemetry.AttrCoalesced, got, n)
	}
	callers := rec.Named("resourceserver.AddScope")
	if len(callers) != n {
		t.Fatalf("%d caller spans, want %d", len(callers), n)
	}
	for _, s := range callers {
		a := s.Attrs()
		if a[telemetry.AttrWriteSpanID] != fmt.Sprint(w.ID) || a[telemetry.AttrOutcome] != "ok" || !s.Ended() {
			t.Errorf("caller span %d: %s = %v, outcome %v, ended %v; want the write span %d, ok, ended",
				s.ID, telemetry.AttrWriteSpanID, a[telemetry.AttrWriteSpanID], a[telemetry.AttrOutcome], s.Ended(), w.ID)
		}
	}
	if w.Parent != callers[0].ID {
		t.Errorf("write span's parent = %d, want the first caller's span %d", w.Parent, callers[0].ID)
	}
}

// TestTraceMetricsOfRefusalsConflictsAndLocks: the counters of changes
// refused, overwritten on every attempt and stopped by a lost lock, and
// the histogram of lock waits.
func TestTraceMetricsOfRefusalsConflictsAndLocks(t *testing.T) {
	t.Parallel()
	rec := &telemetrytest.Recorder{}
	traced := func(o *resourceserver.Options) { o.TracerProvider, o.MeterProvider = rec, rec }

	// Refused: an app client holds the scope the change removes.
	f := newFake(makeServer(readScope, writeScope))
	c := newTestClient(f, traced, func(o *resourceserver.Options) { o.Grants = holdsEverything{} })
	if _, err := c.RemoveScopes(t.Context(), testPool, testID, writeScope.Name); !rserrors.IsDanglingGrants(err) {
		t.Fatalf("RemoveScopes of a held scope = %v, want dangling grants refused", err)
	}

	// Conflict: every Update overwritten.
	f = newFake(makeServer(readScope))
	f.OnUpdate = func(context.Context, *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		return &cip.UpdateResourceServerOutput{}, nil // acknowledged, never stored
	}
	c = newTestClient(f, traced, func(o *resourceserver.Options) {
		o.MaxAttempts = 2
		o.Locker = resourceserver.NewMemoryLocker()
	})
	if _, err := c.AddScope(t.Context(), testPool, testID, adminScope); err == nil {
		t.Fatal("AddScope overwritten on every attempt succeeded, want a conflict")
	}
	sums := map[string]float64{}
	counts := map[string]int{}
	for _, m := range rec.Measurements("") {
		sums[m.Name] += m.Value
		counts[m.Name]++
	}
	want := map[string]float64{"scopekeeper.refusals": 1, "scopekeeper.conflicts": 1, "scopekeeper.reapplies": 1}
	got := map[string]float64{}
	for name := range want {
		got[name] = sums[name]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
	if counts["scopekeeper.lock.wait"] != 1 {
		t.Errorf("scopekeeper.lock.wait recorded %d times, want 1 (one change with a Locker)", counts["scopekeeper.lock.wait"])
	}
	outcomes := map[string]any{}
	for _, s := range rec.Spans() {
		if s.Name() != "resourceserver.write" {
			outcomes[s.Name()] = s.Attrs()[telemetry.AttrOutcome]
		}
	}
	if diff := cmp.Diff(map[string]any{"resourceserver.RemoveScopes": "refused", "resourceserver.AddScope": "conflict"}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// holdsEverything is a GrantChecker whose one app client holds every
// scope.
type holdsEverything struct{}

func (holdsEverything) Holders(_ context.Context, _ string, scopes []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, s := range scopes {
		out[s] = []string{"client1"}
	}
	return out, nil
}

func (holdsEverything) Revoke(context.Context, string, string, []string) error { return nil }
