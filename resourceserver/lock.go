package resourceserver

import (
	"context"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/keylock"
	"github.com/scopekeeper/scopekeeper/internal/leaselock"
)

// Locker is a lock shared by the writers of a resource server, such as a
// lease held in DynamoDB (module github.com/scopekeeper/scopekeeper/dynamolock)
// when several processes change the same resource server. A Client takes
// it around each read-modify-write, after its own in-process lock for the
// same key; see [Client.Apply] for what runs under it.
//
// The key is "cognito-idp/<user pool id>/<identifier>". A user pool ID
// cannot contain "/", so the key is unambiguous although an identifier
// may contain "/".
//
// Lock blocks until the lock is held or ctx is done. On success it returns
// the held [Lock]; on failure an error (ctx.Err() when ctx ended), and the
// Client sends nothing and returns that error in an *OpError. Package
// resourceserver/lockertest checks that an implementation keeps this
// contract.
type Locker interface {
	Lock(ctx context.Context, key string) (Lock, error)
}

// Lock is a lock held through a [Locker].
type Lock interface {
	// Lost returns a channel that is closed when the lock is lost before
	// Unlock: its lease ran out, or another owner took it over. A lock
	// that cannot be lost may return nil, a channel that never fires.
	// A lock with a lease checks the lease's end on each call, before it
	// returns the channel. A caller about to write must call Lost again
	// rather than keep the channel from an earlier call: a process that
	// was paused past its lease then learns of the loss at once, before
	// the goroutine that would close the channel has run.
	Lost() <-chan struct{}
	// Unlock releases the lock, if this holder still holds it. It never
	// frees another holder's lock: after a loss, or when called again, it
	// releases nothing and returns an error that matches
	// rserrors.ErrLockLost (a lost lock) or nil (a second call). Other
	// errors (the lock service failed) leave the lock to expire.
	Unlock(ctx context.Context) error
}

// MemoryLockerOptions configures NewMemoryLocker. The zero value is the
// default, and the only one to use: locks that are never lost.
type MemoryLockerOptions struct {
	// Lease, when positive, gives each lock a lease, renewed every
	// Heartbeat, and a lock not renewed for Lease is lost, as a network
	// lock's is.
	//
	// Deprecated: a lease in memory is a test double; use
	// [github.com/scopekeeper/scopekeeper/resourceserver/lockertest.NewLeaseLocker],
	// whose locks can be told to stop renewing. Lease and Heartbeat will
	// be removed in the next version.
	Lease time.Duration

	// Heartbeat is how often a holder renews its lease. Zero, or a value
	// that is not below Lease/2, means Lease/3.
	//
	// Deprecated: see Lease.
	Heartbeat time.Duration
}

// NewMemoryLocker returns a Locker that keeps its locks in this process's
// memory: one mutex per key, whose locks are never lost (Lost returns
// nil). Lock waits until the key is free or ctx is done (then it returns
// ctx.Err()); a key's entry is removed when no one holds or waits for it,
// so memory does not grow with the number of keys ever used. optFns are
// applied in order (a nil one is skipped).
//
// Several Clients in one process can share it to serialize their writes;
// it does not coordinate separate processes. For a lock that can be lost,
// as a network lock's can, tests use
// [github.com/scopekeeper/scopekeeper/resourceserver/lockertest.NewLeaseLocker].
func NewMemoryLocker(optFns ...func(*MemoryLockerOptions)) Locker {
	var o MemoryLockerOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Lease > 0 {
		return leaseLocker{leaselock.New(o.Lease, o.Heartbeat)}
	}
	return memoryLocker{new(keylock.Set)}
}

type memoryLocker struct{ k *keylock.Set }

func (m memoryLocker) Lock(ctx context.Context, key string) (Lock, error) {
	unlock, err := m.k.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	return memoryLock(unlock), nil
}

type memoryLock func()

func (memoryLock) Lost() <-chan struct{} { return nil }

func (l memoryLock) Unlock(context.Context) error { l(); return nil }

// leaseLocker is the deprecated memory Locker with a lease.
type leaseLocker struct{ l *leaselock.Locker }

func (l leaseLocker) Lock(ctx context.Context, key string) (Lock, error) {
	lk, err := l.l.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	return lk, nil
}

// lockKey is the key of a resource server for the in-process lock and for
// Options.Locker.
func lockKey(pool, id string) string { return engine.ResourceServerLockKey(pool, id) }
