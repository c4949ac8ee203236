package lockertest

import (
	"context"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/leaselock"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// LeaseLocker is a [resourceserver.Locker] in memory whose locks have a
// lease, as a network lock's have: each holder's heartbeat renews its
// lease every third of it, and a lock not renewed for a lease is lost: its
// Lost channel closes, its Unlock returns an error matching
// rserrors.ErrLockLost, and a waiter takes it over. [LeaseLock.StopRenewing]
// stops a heartbeat, as a paused process would, so that a test can watch
// the code it checks lose its lock.
//
// It reads time only through package time, so a test that creates and uses
// it inside a testing/synctest bubble runs in virtual time. It is safe for
// concurrent use, and every Lock call is a holder of its own.
type LeaseLocker struct {
	l *leaselock.Locker
}

// NewLeaseLocker returns a LeaseLocker whose locks have the lease. It
// panics if lease is not positive.
func NewLeaseLocker(lease time.Duration) *LeaseLocker {
	if lease <= 0 {
		panic("lockertest: NewLeaseLocker with a non-positive lease " + lease.String())
	}
	return &LeaseLocker{leaselock.New(lease, lease/3)}
}

// Lock waits until key is free, or its holder's lease has run out, or ctx
// is done (then it returns ctx.Err()), and returns a *LeaseLock.
func (l *LeaseLocker) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	lk, err := l.l.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	return &LeaseLock{lk}, nil
}

// Stall stops the renewals of lk, which must be a *LeaseLock, and fails t
// otherwise; it fits [Config.Stall].
func (l *LeaseLocker) Stall(t *testing.T, lk resourceserver.Lock) {
	t.Helper()
	k, ok := lk.(*LeaseLock)
	if !ok {
		t.Fatalf("lockertest: Stall of a %T, want a *LeaseLock", lk)
	}
	k.StopRenewing()
}

// Config returns the Config that checks l with [Run], in virtual time.
func (l *LeaseLocker) Config() Config {
	return Config{
		New:         func(*testing.T) resourceserver.Locker { return l },
		Lease:       l.l.Lease(),
		Stall:       l.Stall,
		VirtualTime: true,
	}
}

// LeaseLock is a lock held through a LeaseLocker.
type LeaseLock struct {
	k *leaselock.Lock
}

var _ resourceserver.Lock = (*LeaseLock)(nil)

// Lost returns the channel that closes when the lease has run out; it
// checks the lease's end first. See [resourceserver.Lock].
func (k *LeaseLock) Lost() <-chan struct{} { return k.k.Lost() }

// Unlock frees the key if this lock still holds it; it returns a
// *rserrors.LockLostError when the lease ran out, and nil when called
// again. See [resourceserver.Lock].
func (k *LeaseLock) Unlock(ctx context.Context) error { return k.k.Unlock(ctx) }

// StopRenewing stops the heartbeat, as if the holder's process were
// paused: the lock is lost a lease after its last renewal, to the next
// waiter or to the clock.
func (k *LeaseLock) StopRenewing() { k.k.StopRenewing() }
