package lockertest

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// Config describes the Locker implementation that Run checks.
type Config struct {
	// New returns a Locker. Every Locker that New returns during one Run
	// must share one lock space, as the processes that share one lock
	// table do. Run locks through several of them at once, as separate
	// processes would; New may return the same Locker each time when
	// every Lock call is a holder of its own (an in-memory Locker).
	New func(t *testing.T) resourceserver.Locker

	// Lease is how long a lock outlives its holder's last renewal: a
	// holder that stops renewing must lose the lock no sooner than half a
	// Lease after it stopped (the last renewal came at most a heartbeat
	// earlier, and a heartbeat must be below Lease/2), and a waiter must
	// get it within a few Leases. It must be positive; Run sets its
	// timeouts from it.
	Lease time.Duration

	// Stall makes the holder of l stop renewing its lease while it still
	// believes it holds the lock, as a holder whose process is paused, or
	// cut off from the lock service, does.
	Stall func(t *testing.T, l resourceserver.Lock)

	// VirtualTime runs each sub-test in a testing/synctest bubble, where
	// time moves only when every goroutine of the bubble waits: a Locker
	// in memory, or on a fake of its service, is then checked in virtual
	// time, in milliseconds and without depending on the machine's load.
	// New is called inside the bubble. Leave it false for a Locker that
	// waits on anything outside the process, such as a network.
	VirtualTime bool

	// Parallel runs the sub-tests at once, each on keys of its own. A
	// Locker on a real service spends most of the suite waiting out
	// leases; at once, the suite takes about as long as its longest
	// sub-test (Renewal, three Leases) instead of the sum. New is then
	// called from several goroutines, and the Lease must leave room for
	// the service answering the sub-tests together.
	Parallel bool
}

// Run checks the Locker that cfg describes against the contract of
// [resourceserver.Locker] and [resourceserver.Lock], each property in its
// own sub-test (see the package documentation). It fails t at once when
// cfg lacks a field.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	switch {
	case cfg.New == nil:
		t.Fatal("lockertest: Config.New is nil; it must return a Locker")
	case cfg.Lease <= 0:
		t.Fatalf("lockertest: Config.Lease is %v; it must be positive", cfg.Lease)
	case cfg.Stall == nil:
		t.Fatal("lockertest: Config.Stall is nil; it must stop a holder's renewals")
	}
	s := &suite{cfg: cfg, prefix: "lockertest/" + rand.Text() + "/"}
	for _, sub := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"Exclusion", s.exclusion},
		{"OtherKey", s.otherKey},
		{"Context", s.context},
		{"Release", s.release},
		{"Renewal", s.renewal},
		{"Takeover", s.takeover},
		{"Loss", s.loss},
	} {
		t.Run(sub.name, func(t *testing.T) {
			if cfg.Parallel {
				t.Parallel()
			}
			if cfg.VirtualTime {
				synctest.Test(t, sub.fn)
				return
			}
			sub.fn(t)
		})
	}
}

type suite struct {
	cfg    Config
	prefix string
}

// key returns a key of this run for the sub-test t.
func (s *suite) key(t *testing.T, name string) string {
	return s.prefix + t.Name() + "/" + name
}

// lockers returns n Lockers from Config.New.
func (s *suite) lockers(t *testing.T, n int) []resourceserver.Locker {
	ls := make([]resourceserver.Locker, n)
	for i := range ls {
		ls[i] = s.cfg.New(t)
		if ls[i] == nil {
			t.Fatal("lockertest: Config.New returned nil")
		}
	}
	return ls
}

// lock locks key through l within a few leases, or fails t. The lock is
// unlocked, if it still needs to be, when t ends.
func (s *suite) lock(t *testing.T, l resourceserver.Locker, key string) resourceserver.Lock {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*s.cfg.Lease)
	defer cancel()
	lk, err := l.Lock(ctx, key)
	if err != nil {
		t.Fatalf("Lock(%q) error = %v, want nil", key, err)
	}
	if lk == nil {
		t.Fatalf("Lock(%q) = nil, nil; want a Lock", key)
	}
	// A sub-test that fails half-way leaves no holder renewing behind it
	// (in a synctest bubble, one would never let the bubble end).
	t.Cleanup(func() { lk.Unlock(context.WithoutCancel(t.Context())) })
	return lk
}

// unlock unlocks lk and checks the error.
func unlock(t *testing.T, lk resourceserver.Lock, key string, want error) {
	t.Helper()
	err := lk.Unlock(t.Context())
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("Unlock() of %q error = %v, want %v", key, err, want)
	}
}

// mustWait checks that l cannot lock key within d: someone else holds it.
func mustWait(t *testing.T, l resourceserver.Locker, key string, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	lk, err := l.Lock(ctx, key)
	if err == nil {
		lk.Unlock(t.Context())
		t.Fatalf("Lock(%q) succeeded while another holder held it", key)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock(%q) while held error = %v, want %v", key, err, context.DeadlineExceeded)
	}
}

// notLost checks that lk's Lost channel has not closed.
func notLost(t *testing.T, lk resourceserver.Lock, key string) {
	t.Helper()
	select {
	case <-lk.Lost():
		t.Errorf("Lost() of %q closed while the lock was held and renewed", key)
	default:
	}
}

// exclusion runs goroutines over several Lockers that each lock one key
// several times and check, under the lock, that no one else holds it.
func (s *suite) exclusion(t *testing.T) {
	const goroutines, rounds = 16, 4
	ls := s.lockers(t, 4)
	key := s.key(t, "k")
	var (
		inside  atomic.Int32
		counter int // changed only under the lock
		wg      sync.WaitGroup
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := ls[g%len(ls)]
			for range rounds {
				ctx, cancel := context.WithTimeout(t.Context(), 30*s.cfg.Lease)
				lk, err := l.Lock(ctx, key)
				cancel()
				if err != nil {
					t.Errorf("goroutine %d: Lock(%q) error = %v", g, key, err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("goroutine %d: %d holders of %q at once, want 1", g, n, key)
				}
				v := counter
				time.Sleep(time.Millisecond)
				counter = v + 1
				inside.Add(-1)
				if err := lk.Unlock(t.Context()); err != nil {
					t.Errorf("goroutine %d: Unlock(%q) error = %v", g, key, err)
				}
			}
		}()
	}
	wg.Wait()
	if counter != goroutines*rounds {
		t.Errorf("counter = %d after %d locked increments, want %d", counter, goroutines*rounds, goroutines*rounds)
	}
}

// otherKey checks that holding one key does not block another.
func (s *suite) otherKey(t *testing.T) {
	ls := s.lockers(t, 2)
	a, b := s.key(t, "a"), s.key(t, "b")
	la := s.lock(t, ls[0], a)
	lb := s.lock(t, ls[1], b)
	lb2 := s.lock(t, ls[0], b+"/sub") // a key with a held key as prefix
	unlock(t, lb2, b+"/sub", nil)
	unlock(t, lb, b, nil)
	unlock(t, la, a, nil)
}

// context checks that a waiter honours its context and holds nothing
// afterwards.
func (s *suite) context(t *testing.T) {
	ls := s.lockers(t, 2)
	key := s.key(t, "k")
	holder := s.lock(t, ls[0], key)

	// Already done: no wait at all.
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if lk, err := ls[1].Lock(done, key); !errors.Is(err, context.Canceled) || lk != nil {
		t.Errorf("Lock(%q) with a cancelled context = %v, %v; want nil, %v", key, lk, err, context.Canceled)
	}

	// A deadline while waiting.
	wait := s.cfg.Lease / 4
	start := time.Now()
	mustWait(t, ls[1], key, wait)
	if took := time.Since(start); took > wait+2*s.cfg.Lease {
		t.Errorf("Lock(%q) returned %v after its deadline of %v, want within a couple of leases (%v)", key, took-wait, wait, s.cfg.Lease)
	}

	// Cancelled while waiting.
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		lk, err := ls[1].Lock(ctx, key)
		if err == nil {
			lk.Unlock(t.Context())
		}
		errc <- err
	}()
	time.Sleep(wait)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Lock(%q) cancelled while waiting error = %v, want %v", key, err, context.Canceled)
		}
	case <-time.After(2*s.cfg.Lease + time.Second):
		t.Fatalf("Lock(%q) still waiting %v after its context was cancelled", key, 2*s.cfg.Lease+time.Second)
	}

	// The waiters hold nothing: once the holder lets go, a third Lock
	// gets the key without waiting for a lease.
	notLost(t, holder, key)
	unlock(t, holder, key, nil)
	ctx, cancel = context.WithTimeout(t.Context(), s.cfg.Lease/2)
	defer cancel()
	lk, err := ls[0].Lock(ctx, key)
	if err != nil {
		t.Fatalf("Lock(%q) after the holder's Unlock and the waiters' timeouts error = %v, want nil (a waiter kept the lock?)", key, err)
	}
	unlock(t, lk, key, nil)
}

// release checks that Unlock frees its own holder only.
func (s *suite) release(t *testing.T) {
	ls := s.lockers(t, 3)
	key := s.key(t, "k")

	first := s.lock(t, ls[0], key)
	unlock(t, first, key, nil)
	unlock(t, first, key, nil) // a second call is a no-op
	second := s.lock(t, ls[1], key)
	unlock(t, first, key, nil) // and a third, with another holder
	mustWait(t, ls[2], key, s.cfg.Lease/4)
	mustWait(t, ls[0], key, s.cfg.Lease/4)
	notLost(t, second, key)

	// A lock lost to a takeover does not free the new holder either.
	s.cfg.Stall(t, second)
	third := s.lock(t, ls[2], key)
	unlock(t, second, key, rserrors.ErrLockLost)
	mustWait(t, ls[0], key, s.cfg.Lease/4)
	notLost(t, third, key)
	unlock(t, third, key, nil)
	last := s.lock(t, ls[0], key)
	unlock(t, last, key, nil)
}

// renewal checks that a holder that keeps renewing keeps its lock for
// several leases.
func (s *suite) renewal(t *testing.T) {
	ls := s.lockers(t, 2)
	key := s.key(t, "k")
	holder := s.lock(t, ls[0], key)
	mustWait(t, ls[1], key, 3*s.cfg.Lease)
	notLost(t, holder, key)
	unlock(t, holder, key, nil)
}

// takeover checks that a waiter takes over a lock whose holder stopped
// renewing, after about a lease.
func (s *suite) takeover(t *testing.T) {
	ls := s.lockers(t, 2)
	key := s.key(t, "k")
	holder := s.lock(t, ls[0], key)
	s.cfg.Stall(t, holder)
	stalled := time.Now()
	waiter := s.lock(t, ls[1], key)
	took := time.Since(stalled)
	if took < s.cfg.Lease/2 {
		t.Errorf("Lock(%q) took over %v after the holder stopped renewing, want at least half the lease (%v)", key, took, s.cfg.Lease)
	}
	t.Logf("takeover %v after the holder stopped renewing (lease %v)", took, s.cfg.Lease)
	select {
	case <-holder.Lost():
	case <-time.After(2 * s.cfg.Lease):
		t.Errorf("Lost() of %q not closed %v after another owner took the lock over", key, 2*s.cfg.Lease)
	}
	notLost(t, waiter, key)
	unlock(t, waiter, key, nil)
	unlock(t, holder, key, rserrors.ErrLockLost)
}

// loss checks that a holder that stopped renewing is told of the loss,
// without any contender.
func (s *suite) loss(t *testing.T) {
	ls := s.lockers(t, 2)
	key := s.key(t, "k")
	holder := s.lock(t, ls[0], key)
	lost := holder.Lost()
	if lost == nil {
		t.Fatalf("Lost() of %q = nil under a lease, want a channel", key)
	}
	s.cfg.Stall(t, holder)
	select {
	case <-lost:
	case <-time.After(3 * s.cfg.Lease):
		t.Fatalf("Lost() of %q not closed %v after its holder stopped renewing, with a lease of %v", key, 3*s.cfg.Lease, s.cfg.Lease)
	}
	err := holder.Unlock(t.Context())
	var lle *rserrors.LockLostError
	if !errors.As(err, &lle) || !errors.Is(err, rserrors.ErrLockLost) {
		t.Fatalf("Unlock() of %q after its loss error = %v, want a *rserrors.LockLostError", key, err)
	}
	if lle.Key != key {
		t.Errorf("LockLostError.Key = %q, want %q", lle.Key, key)
	}
	if err := holder.Unlock(t.Context()); err != nil {
		t.Errorf("second Unlock() of %q after its loss error = %v, want nil", key, err)
	}
	// The lapsed lock is free for the next owner, at once or after the
	// lease its holder left behind.
	next := s.lock(t, ls[1], key)
	unlock(t, next, key, nil)
}
