package keylock_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/keylock"
)

// TestLockExcludes checks that goroutines locking one key never run
// together, that other keys do not wait for it, and that every key is
// forgotten at the end.
func TestLockExcludes(t *testing.T) {
	t.Parallel()
	var (
		s       keylock.Set
		wg      sync.WaitGroup
		mu      sync.Mutex
		holders = map[string]int{}
		most    = map[string]int{}
	)
	for i := range 40 {
		key := []string{"a", "b"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := s.Lock(t.Context(), key)
			if err != nil {
				t.Errorf("Lock(%q) error = %v", key, err)
				return
			}
			mu.Lock()
			holders[key]++
			most[key] = max(most[key], holders[key])
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			holders[key]--
			mu.Unlock()
			unlock()
			unlock() // does nothing
		}()
	}
	wg.Wait()
	for _, key := range []string{"a", "b"} {
		if most[key] != 1 {
			t.Errorf("key %q had %d holders at once, want 1", key, most[key])
		}
	}
	if n := s.Len(); n != 0 {
		t.Errorf("Len() = %d after every unlock, want 0", n)
	}
}

func TestLockContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		held bool // another holder has the key
		ctx  func(context.Context) (context.Context, context.CancelFunc)
		want error
	}{
		{name: "done already, key free", ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx, cancel
		}, want: context.Canceled},
		{name: "ends while waiting", held: true, ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 20*time.Millisecond)
		}, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s keylock.Set
			wantLen := 0
			if tt.held {
				unlock, err := s.Lock(t.Context(), "k")
				if err != nil {
					t.Fatal(err)
				}
				defer unlock()
				wantLen = 1
			}
			ctx, cancel := tt.ctx(t.Context())
			defer cancel()
			unlock, err := s.Lock(ctx, "k")
			if !errors.Is(err, tt.want) || unlock != nil {
				t.Fatalf("Lock() = %p, %v; want nil, %v", unlock, err, tt.want)
			}
			if n := s.Len(); n != wantLen {
				t.Errorf("Len() = %d after the failed Lock, want %d", n, wantLen)
			}
			if got, ok := s.TryLock("k"); ok == tt.held {
				t.Errorf("TryLock() after the failed Lock = %t, want %t", ok, !tt.held)
			} else if ok {
				got()
			}
		})
	}
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	var s keylock.Set
	unlock, ok := s.TryLock("k")
	if !ok {
		t.Fatal("TryLock() of a free key = false, want true")
	}
	if _, ok := s.TryLock("k"); ok {
		t.Fatal("TryLock() of a held key = true, want false")
	}
	other, ok := s.TryLock("other")
	if !ok {
		t.Fatal("TryLock() of another key = false, want true")
	}
	other()
	unlock()
	unlock() // does nothing: it must not free a later holder
	again, ok := s.TryLock("k")
	if !ok {
		t.Fatal("TryLock() after unlock = false, want true")
	}
	unlock()
	if _, ok := s.TryLock("k"); ok {
		t.Error("a second call of an unlock freed the key of a later holder")
	}
	again()
	if n := s.Len(); n != 0 {
		t.Errorf("Len() = %d after every unlock, want 0", n)
	}
}
