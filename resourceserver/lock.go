package resourceserver

import (
	"context"
	"sync"
)

// Locker is a lock shared by the writers of a resource server, such as a
// lock held in DynamoDB or Redis when several processes change the same
// resource server. A Client calls Lock around each read-modify-write
// (Modify and every scope helper: Describe, Update and the verifying
// Describes), after it holds its own in-process lock for the same key.
//
// The key is "cognito-idp/<user pool id>/<identifier>". A user pool ID
// cannot contain "/", so the key is unambiguous although an identifier
// may contain "/".
//
// Lock blocks until the lock is held or ctx is done; it returns an unlock
// function, which the Client calls once, or an error (such as ctx.Err()),
// in which case the Client sends nothing and returns that error in an
// *OpError.
type Locker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// NewMemoryLocker returns a Locker that keeps its locks in this process's
// memory. Lock waits until the key is free or ctx is done (then it returns
// ctx.Err()); a key's entry is removed when no one holds or waits for it,
// so memory does not grow with the number of keys ever used.
//
// Several Clients in one process can share it to serialize their writes,
// which makes it useful in tests that simulate a distributed lock; it does
// not coordinate separate processes.
func NewMemoryLocker() Locker { return newKeyLocks() }

// lockKey is the key of a resource server for the in-process lock and for
// Options.Locker.
func lockKey(pool, id string) string { return "cognito-idp/" + pool + "/" + id }

// keyLocks is a set of mutexes, one per key, that are created when needed
// and removed when unused. Waiting honours the context.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // holds a token while the lock is held
	refs int           // holders and waiters; guarded by keyLocks.mu
}

func newKeyLocks() *keyLocks { return &keyLocks{m: make(map[string]*keyLock)} }

// Lock implements Locker.
func (k *keyLocks) Lock(ctx context.Context, key string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k.mu.Lock()
	l := k.m[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()

	select {
	case l.ch <- struct{}{}:
	case <-ctx.Done():
		k.release(key, l)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.ch
			k.release(key, l)
		})
	}, nil
}

func (k *keyLocks) release(key string, l *keyLock) {
	k.mu.Lock()
	l.refs--
	if l.refs == 0 {
		delete(k.m, key)
	}
	k.mu.Unlock()
}

// len returns the number of keys held or waited for.
func (k *keyLocks) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
