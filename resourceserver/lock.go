package resourceserver

import (
	"context"
	"errors"
	"sync"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/keylock"
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
// default: locks that are never lost.
type MemoryLockerOptions struct {
	// Lease, when positive, gives each lock a lease, as a network lock
	// has: the holder's heartbeat renews it every Heartbeat, and a lock not
	// renewed for Lease is lost: its Lost channel closes, its Unlock
	// returns an error matching rserrors.ErrLockLost, and a waiter takes
	// it over. Zero or negative means no lease.
	//
	// A Lock returned under a lease has a method StopRenewing(), which
	// stops its heartbeat as a paused process would stop it, so that tests
	// (package resourceserver/lockertest) can watch it expire.
	Lease time.Duration

	// Heartbeat is how often a holder renews its lease. Zero, or a value
	// that is not below Lease/2, means Lease/3.
	Heartbeat time.Duration
}

// NewMemoryLocker returns a Locker that keeps its locks in this process's
// memory, configured by optFns in order (a nil one is skipped). Lock waits
// until the key is free, or its holder's lease has run out, or ctx is done
// (then it returns ctx.Err()); a key's entry is removed when no one holds
// or waits for it, so memory does not grow with the number of keys ever
// used. Without a lease its locks are never lost and Lost returns nil.
//
// Several Clients in one process can share it to serialize their writes,
// which makes it useful in tests that simulate a distributed lock; it does
// not coordinate separate processes.
func NewMemoryLocker(optFns ...func(*MemoryLockerOptions)) Locker {
	var o MemoryLockerOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Lease <= 0 {
		return memoryLocker{new(keylock.Set)}
	}
	if o.Heartbeat <= 0 || o.Heartbeat >= o.Lease/2 {
		o.Heartbeat = o.Lease / 3
	}
	return &leaseLocker{lease: o.Lease, heartbeat: o.Heartbeat, m: make(map[string]*leaseEntry)}
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

// leaseLocker is the memory Locker with a lease. One mutex guards every
// entry and every lock's state.
type leaseLocker struct {
	lease, heartbeat time.Duration

	mu sync.Mutex
	m  map[string]*leaseEntry
}

type leaseEntry struct {
	holder  *leaseLock    // nil when free
	waiters int           // Lock calls waiting for this key
	freed   chan struct{} // closed, and replaced, when the holder lets go
}

type leaseLock struct {
	l    *leaseLocker
	key  string
	lost chan struct{} // closed when lost
	stop chan struct{} // closed by Unlock, ends the heartbeat
	// Guarded by l.mu.
	renewed  time.Time // the last renewal
	stalled  bool      // StopRenewing was called
	isLost   bool
	unlocked bool
}

func (l *leaseLocker) Lock(ctx context.Context, key string) (Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	e := l.m[key]
	if e == nil {
		e = &leaseEntry{freed: make(chan struct{})}
		l.m[key] = e
	}
	e.waiters++
	for {
		now := time.Now()
		if h := e.holder; h == nil || h.expiredLocked(now) {
			if h != nil {
				h.loseLocked()
			}
			e.waiters--
			lk := &leaseLock{l: l, key: key, lost: make(chan struct{}), stop: make(chan struct{}), renewed: now}
			e.holder = lk
			l.mu.Unlock()
			go lk.beat()
			return lk, nil
		}
		wait := e.holder.renewed.Add(l.lease).Sub(now)
		freed := e.freed
		l.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-freed:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		l.mu.Lock()
		if err := ctx.Err(); err != nil {
			e.waiters--
			l.dropLocked(key, e)
			l.mu.Unlock()
			return nil, err
		}
	}
}

// dropLocked removes e when no one holds or waits for it.
func (l *leaseLocker) dropLocked(key string, e *leaseEntry) {
	if e.holder == nil && e.waiters == 0 {
		delete(l.m, key)
	}
}

// expiredLocked reports whether the lease has run out at now.
func (k *leaseLock) expiredLocked(now time.Time) bool {
	return k.isLost || now.Sub(k.renewed) >= k.l.lease
}

// loseLocked marks the lock lost and closes its channel, once.
func (k *leaseLock) loseLocked() {
	if !k.isLost {
		k.isLost = true
		close(k.lost)
	}
}

// beat renews the lease every heartbeat until Unlock, and marks the lock
// lost when its lease runs out (after StopRenewing).
func (k *leaseLock) beat() {
	t := time.NewTicker(k.l.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case now := <-t.C:
			k.l.mu.Lock()
			if k.expiredLocked(time.Now()) {
				k.loseLocked()
				k.l.mu.Unlock()
				return
			}
			if !k.stalled {
				k.renewed = now
			}
			k.l.mu.Unlock()
		}
	}
}

// Lost returns the channel closed when the lease ran out; it closes it
// first if the lease has run out unseen.
func (k *leaseLock) Lost() <-chan struct{} {
	k.l.mu.Lock()
	if k.expiredLocked(time.Now()) {
		k.loseLocked()
	}
	k.l.mu.Unlock()
	return k.lost
}

// StopRenewing stops the heartbeat, as if the holder's process were
// paused: the lease runs out Lease after the last renewal.
func (k *leaseLock) StopRenewing() {
	k.l.mu.Lock()
	k.stalled = true
	k.l.mu.Unlock()
}

// Unlock frees the key if this lock still holds it and its lease has not
// run out; see [Lock].
func (k *leaseLock) Unlock(context.Context) error {
	l := k.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if k.unlocked {
		return nil
	}
	k.unlocked = true
	close(k.stop)
	if k.expiredLocked(time.Now()) {
		k.loseLocked()
	}
	e := l.m[k.key]
	if e != nil && e.holder == k {
		// An expired lock no one has taken over is freed too: nothing
		// else can free it sooner.
		e.holder = nil
		close(e.freed)
		e.freed = make(chan struct{})
		l.dropLocked(k.key, e)
	}
	if k.isLost {
		return &rserrors.LockLostError{Key: k.key, Err: errLeaseExpired}
	}
	return nil
}

// errLeaseExpired is the cause a memory lock's LockLostError gives.
var errLeaseExpired = errors.New("lease expired")

// lockKey is the key of a resource server for the in-process lock and for
// Options.Locker.
func lockKey(pool, id string) string { return engine.ResourceServerLockKey(pool, id) }
