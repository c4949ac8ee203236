package keylock

import (
	"context"
	"sync"
)

// A Set is a set of mutexes, one per key. The zero value is ready; a Set
// must not be copied after first use.
type Set struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	ch   chan struct{} // holds a token while the key is held
	refs int           // holders and waiters; guarded by Set.mu
}

// Lock waits until key is free, takes it and returns the function that
// frees it; calling that function again does nothing. It returns
// ctx.Err(), holding nothing, when ctx is done before the key is taken,
// also when ctx is done already and the key is free.
func (s *Set) Lock(ctx context.Context, key string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := s.ref(key)
	select {
	case e.ch <- struct{}{}:
		return s.unlocker(key, e), nil
	case <-ctx.Done():
		s.unref(key, e)
		return nil, ctx.Err()
	}
}

// TryLock takes key if it is free and returns the function that frees it
// (calling it again does nothing) and true; it returns nil and false when
// key is held.
func (s *Set) TryLock(key string) (unlock func(), ok bool) {
	e := s.ref(key)
	select {
	case e.ch <- struct{}{}:
		return s.unlocker(key, e), true
	default:
		s.unref(key, e)
		return nil, false
	}
}

// ref returns key's entry, made if needed, counting one more holder or
// waiter.
func (s *Set) ref(key string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	if e == nil {
		if s.m == nil {
			s.m = make(map[string]*entry)
		}
		e = &entry{ch: make(chan struct{}, 1)}
		s.m[key] = e
	}
	e.refs++
	return e
}

// unref counts one holder or waiter fewer, and forgets key when none is
// left.
func (s *Set) unref(key string, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(s.m, key)
	}
}

// unlocker returns the function that frees key once.
func (s *Set) unlocker(key string, e *entry) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			<-e.ch
			s.unref(key, e)
		})
	}
}
