package leaselock

import (
	"context"
	"errors"
	"sync"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// ErrExpired is the cause in the *rserrors.LockLostError of a lock whose
// lease ran out.
var ErrExpired = errors.New("lease expired")

// Locker hands out locks by key, each under a lease. One mutex guards
// every entry and every lock's state.
type Locker struct {
	lease, heartbeat time.Duration

	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	holder  *Lock         // nil when free
	waiters int           // Lock calls waiting for this key
	freed   chan struct{} // closed, and replaced, when the holder lets go
}

// New returns a Locker whose locks have the lease, renewed every
// heartbeat. A heartbeat that is not positive and below lease/2 means
// lease/3. New panics if lease is not positive.
func New(lease, heartbeat time.Duration) *Locker {
	if lease <= 0 {
		panic("leaselock: non-positive lease " + lease.String())
	}
	if heartbeat <= 0 || heartbeat >= lease/2 {
		heartbeat = lease / 3
	}
	return &Locker{lease: lease, heartbeat: heartbeat, m: make(map[string]*entry)}
}

// Lease returns the lease of the Locker's locks.
func (l *Locker) Lease() time.Duration { return l.lease }

// Lock is a lock held through a Locker.
type Lock struct {
	l    *Locker
	key  string
	lost chan struct{} // closed when lost
	stop chan struct{} // closed by Unlock, ends the heartbeat
	// Guarded by l.mu.
	renewed  time.Time // the last renewal
	stalled  bool      // StopRenewing was called
	isLost   bool
	unlocked bool
}

// Lock waits until key is free, or its holder's lease has run out, or ctx
// is done (then it returns ctx.Err()). A key's entry is removed when no
// one holds or waits for it.
func (l *Locker) Lock(ctx context.Context, key string) (*Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	e := l.m[key]
	if e == nil {
		e = &entry{freed: make(chan struct{})}
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
			lk := &Lock{l: l, key: key, lost: make(chan struct{}), stop: make(chan struct{}), renewed: now}
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
func (l *Locker) dropLocked(key string, e *entry) {
	if e.holder == nil && e.waiters == 0 {
		delete(l.m, key)
	}
}

// expiredLocked reports whether the lease has run out at now.
func (k *Lock) expiredLocked(now time.Time) bool {
	return k.isLost || now.Sub(k.renewed) >= k.l.lease
}

// loseLocked marks the lock lost and closes its channel, once.
func (k *Lock) loseLocked() {
	if !k.isLost {
		k.isLost = true
		close(k.lost)
	}
}

// beat renews the lease every heartbeat until Unlock, and marks the lock
// lost when its lease runs out (after StopRenewing).
func (k *Lock) beat() {
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
func (k *Lock) Lost() <-chan struct{} {
	k.l.mu.Lock()
	if k.expiredLocked(time.Now()) {
		k.loseLocked()
	}
	k.l.mu.Unlock()
	return k.lost
}

// StopRenewing stops the heartbeat, as if the holder's process were
// paused: the lease runs out a lease after the last renewal.
func (k *Lock) StopRenewing() {
	k.l.mu.Lock()
	k.stalled = true
	k.l.mu.Unlock()
}

// Unlock frees the key if this lock still holds it and its lease has not
// run out. It returns a *rserrors.LockLostError (cause ErrExpired) when
// the lease ran out, and nil when called again.
func (k *Lock) Unlock(context.Context) error {
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
		return &rserrors.LockLostError{Key: k.key, Err: ErrExpired}
	}
	return nil
}
