//go:build unix

package dynamolock_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestProcesses runs 4 processes, each with its own Client and its own
// Locker, that each add 3 scopes to one resource server at the same
// time, in two rounds, each on a new resource server: every scope must be
// kept in every round, and, since the lock lets no write overlap another,
// no change is ever written twice. (BenchmarkReplicas measures the time.)
func TestProcesses(t *testing.T) {
	t.Parallel()
	const processes, scopes, rounds = 4, 3, 2
	srv, pool := newServer(t)
	_, endpoint, table := newTable(t)
	var children []*child
	var want []string
	for i := range processes {
		prefix := fmt.Sprintf("p%d", i)
		children = append(children, startChild(t, prefix, modeAdd, childConfig{
			Dynamo: endpoint, Table: table, Cognito: srv.URL, Pool: pool, ID: testID,
			Prefix: prefix, Scopes: scopes, Lease: 2 * time.Second,
		}))
		for j := range scopes {
			want = append(want, fmt.Sprintf("%s-%02d", prefix, j))
		}
	}
	slices.Sort(want)
	for _, c := range children {
		c.expect("ready", time.Minute, nil)
	}
	for round := range rounds {
		id := fmt.Sprintf("%s/round-%d", testID, round)
		if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "API"}); err != nil {
			t.Fatal(err)
		}
		before := updates(srv)
		start := time.Now()
		for _, c := range children {
			c.send("go " + id)
		}
		held := make(map[string][][2]int64)
		for _, c := range children {
			c.read = nil
			c.expect("done", 5*time.Minute, nil)
			held[c.name] = holdings(t, c.name, c.read)
			if len(held[c.name]) != scopes {
				t.Errorf("round %d: child %s locked %d times, want %d", round, c.name, len(held[c.name]), scopes)
			}
		}
		checkExclusive(t, held)
		t.Logf("round %d: %d processes added %d scopes in %v", round, processes, processes*scopes, time.Since(start))
		if diff := cmp.Diff(want, scopeNames(t, srv, pool, id)); diff != "" {
			t.Errorf("round %d: stored scopes mismatch (-want +got):\n%s", round, diff)
		}
		if n := updates(srv) - before; n != processes*scopes {
			t.Errorf("round %d: %d UpdateResourceServer calls for %d changes, want one each: writes overlapped", round, n, processes*scopes)
		}
	}
	for _, c := range children {
		c.wait(time.Minute)
	}
}

// TestKilledHolder kills a holder with SIGKILL while two processes and
// this one wait for its lock: they go on once its lease has run out, and
// not before.
func TestKilledHolder(t *testing.T) {
	t.Parallel()
	const lease = time.Second
	srv, pool := newServer(t)
	ddb, endpoint, table := newTable(t)
	cfg := childConfig{Dynamo: endpoint, Table: table, Cognito: srv.URL, Pool: pool, ID: testID, Lease: lease, Scopes: 3, Key: lockKey(pool)}
	// The three processes start together; the waiters lock only once told
	// to go, after the holder has locked.
	holder := startChild(t, "holder", modeHold, cfg)
	var waiters []*child
	var want []string
	for i := range 2 {
		cfg.Prefix = fmt.Sprintf("w%d", i)
		waiters = append(waiters, startChild(t, cfg.Prefix, modeAdd, cfg))
		for j := range cfg.Scopes {
			want = append(want, fmt.Sprintf("%s-%02d", cfg.Prefix, j))
		}
	}
	holder.expect("locked", time.Minute, nil)
	for _, w := range waiters {
		w.expect("ready", time.Minute, nil)
		w.send("go")
	}
	locker := newLocker(t, ddb, table, lease)
	acquired := make(chan time.Time, 1)
	go func() {
		lk, err := locker.Lock(t.Context(), lockKey(pool))
		if err != nil {
			t.Errorf("Lock() error = %v", err)
			acquired <- time.Time{}
			return
		}
		acquired <- time.Now()
		lk.Unlock(t.Context())
	}()

	// While the holder renews, no one gets the lock: a holder that did not
	// renew would lose it to this waiter about a lease after the waiter
	// first read it, well within a lease and a half.
	select {
	case <-acquired:
		t.Fatalf("Lock() succeeded while the holder renewed its lease")
	case <-time.After(3 * lease / 2):
	}
	killed := time.Now()
	if err := holder.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	first := <-acquired
	onLocked := func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if at.Before(first) {
			first = at
		}
	}
	for _, w := range waiters {
		w.expect("done", time.Minute, onLocked)
		w.wait(time.Minute)
	}
	took := first.Sub(killed)
	t.Logf("first waiter got the lock %v after the holder was killed (lease %v, heartbeat %v)", took, lease, testHeartbeat(lease))
	// A waiter takes over a lease after it first read the holder's last
	// rvn, which the holder wrote a heartbeat (125ms) or, on a busy
	// machine, a little more before the kill: half a lease is a floor
	// that only a waiter that ignored the lease could break.
	if took < lease/2 {
		t.Errorf("a waiter got the lock %v after the kill, before the holder's lease of %v could end", took, lease)
	}
	// Four leases leave room for a busy machine, where dynalite and the
	// waiters answer late.
	if took > 4*lease {
		t.Errorf("the first waiter got the lock %v after the kill, want about a lease (%v)", took, lease)
	}
	if diff := cmp.Diff(want, scopeNames(t, srv, pool, testID)); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
}

// TestPausedHolder stops a holder with SIGSTOP between its Describe and
// its Update, for longer than its lease; this process takes the lock
// over and adds a scope; then the holder resumes. It must not send its
// Update, which would delete that scope, and must return an error
// matching rserrors.ErrLockLost.
func TestPausedHolder(t *testing.T) {
	t.Parallel()
	const lease = time.Second
	srv, pool := newServer(t, "a", "b")
	ddb, endpoint, table := newTable(t)
	paused := startChild(t, "paused", modePause, childConfig{
		Dynamo: endpoint, Table: table, Cognito: srv.URL, Pool: pool, ID: testID, Prefix: "paused", Lease: lease,
	})
	paused.expect("described", time.Minute, nil)
	if err := paused.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()

	c := resourceserver.New(srv.Client(), func(o *resourceserver.Options) {
		o.Locker = newLocker(t, ddb, table, lease)
		o.DisableRateLimit = true
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := c.AddScope(ctx, pool, testID, resourceserver.Scope{Name: "other", Description: "added while the holder was paused"}); err != nil {
		t.Fatalf("AddScope(other) error = %v", err)
	}
	t.Logf("took the lock over and added a scope %v after the holder was stopped (lease %v)", time.Since(stopped), lease)
	// The child reads this once it runs again. (Sent only now: a signal
	// takes effect a little after Signal returns, and a line sent at once
	// could be read before the stop.)
	paused.send("go")
	if err := paused.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	result := paused.expect("result", time.Minute, nil)
	paused.wait(time.Minute)
	if slices.Contains(paused.read, "update") {
		t.Errorf("the paused holder sent its Update after resuming")
	}
	if result != "result lost" {
		t.Errorf("the paused holder's AddScope returned %q, want an error matching rserrors.ErrLockLost", result)
	}
	if diff := cmp.Diff([]string{"a", "b", "other"}, scopeNames(t, srv, pool, testID)); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
	if n := updates(srv); n != 1 {
		t.Errorf("%d UpdateResourceServer calls, want 1 (this process's)", n)
	}
}
