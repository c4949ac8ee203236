package resourceserver

import (
	"context"
	"sync"
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
	Lost() <-chan struct{}
	// Unlock releases the lock, if this holder still holds it. It never
	// frees another holder's lock: after a loss, or when called again, it
	// releases nothing and returns an error that matches
	// rserrors.ErrLockLost (a lost lock) or nil (a second call). Other
	// errors (the lock service failed) leave the lock to expire.
	Unlock(ctx context.Context) error
}

// NewMemoryLocker returns a Locker that keeps its locks in this process's
// memory. Lock waits until the key is free or ctx is done (then it returns
// ctx.Err()); a key's entry is removed when no one holds or waits for it,
// so memory does not grow with the number of keys ever used. Its locks
// are never lost.
//
// Several Clients in one process can share it to serialize their writes,
// which makes it useful in tests that simulate a distributed lock; it does
// not coordinate separate processes.
func NewMemoryLocker() Locker { return memoryLocker{newKeyLocks()} }

type memoryLocker struct{ k *keyLocks }

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

// Lock waits until key is free or ctx is done, and returns the function
// that frees it; calling that function again does nothing.
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
