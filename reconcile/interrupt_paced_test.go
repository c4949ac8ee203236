package reconcile_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// TestApplyInterruptedWhilePaced: once the apply's context ends, a write
// that already started its step but still waits for its pacing slot is
// not sent, and its step is not tried; the writes sent before the end
// land and are verified. The code before sent every write waiting in the
// pacer (8 creates over 1.6 s after a SIGINT at the default parallelism).
func TestApplyInterruptedWhilePaced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testApplyInterruptedWhilePaced)
}

func testApplyInterruptedWhilePaced(t *testing.T) {
	const n, cutAfter = 12, 2
	srv := cognitotest.NewInProcessServer(cognitotest.WithMaxResourceServers(50))
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "paced"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	interrupt := &interrupter{Client: srv.Client(), n: cutAfter, cancel: cancel}
	// One write a second: the steps past the first wait in the pacer.
	p := pacetest.New(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 50, pace.ResourceUpdate: 1}})
	rec := reconcile.New(interrupt, nil, func(o *reconcile.Options) {
		o.Pacer, o.Parallelism, o.Settle = p, 8, -1
	})
	plan := planMany(t, rec, n, false)
	srv.ResetRequests()
	res, err := rec.Apply(ctx, plan, reconcile.ApplyOptions{})
	var ae *reconcile.ApplyError
	if !errors.As(err, &ae) || !errors.Is(err, errUserStop) {
		t.Fatalf("Apply() error = %v, want an *ApplyError matching the interrupt", err)
	}
	sent := countOps(srv.Requests())["CreateResourceServer"]
	if sent != cutAfter {
		t.Errorf("%d CreateResourceServer sent, want %d: a write waiting for its pacing slot was sent after the interrupt", sent, cutAfter)
	}
	counts := map[reconcile.Outcome]int{}
	for _, s := range res.Steps {
		counts[s.Outcome]++
		if s.Outcome == reconcile.NotTried && s.Err != nil {
			t.Errorf("%s: not tried, with error %v", s.Step, s.Err)
		}
	}
	if counts[reconcile.Done] != cutAfter || counts[reconcile.NotTried] != n-cutAfter {
		t.Errorf("outcomes %v, want %d done and %d not tried", counts, cutAfter, n-cutAfter)
	}
	if got := len(srv.ResourceServers(pool)); got != cutAfter {
		t.Errorf("%d servers in the pool, want %d", got, cutAfter)
	}
}
