package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// set is a fake kind: the state is "#<key ID>" followed by a set of
// names, a change the names to add. A write can be lost to a stale
// writer (overwrites).
type set struct {
	mu         sync.Mutex
	stored     map[Key][]string
	reads      int
	writes     int
	overwrites int // writes to undo, as another writer's stale Update would
}

func (f *set) Read(_ context.Context, k Key) ([]string, time.Duration, error) {
	time.Sleep(10 * time.Millisecond) // the wire, in virtual time
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return append([]string{"#" + k.ID}, f.stored[k]...), 10 * time.Millisecond, nil
}

func (*set) Apply(ch []string, s []string) ([]string, []string, error) {
	next := slices.Clone(s)
	for _, n := range ch {
		if !slices.Contains(next, n) {
			next = append(next, n)
		}
	}
	return next, ch, nil
}

func (*set) Compose(a, b []string) []string { return append(slices.Clone(a), b...) }

func (*set) Same(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(n string) bool { return !slices.Contains(b, n) })
}

func (f *set) Write(_ context.Context, cur, next []string, ch []string) ([]string, []string, time.Duration, error) {
	time.Sleep(10 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.overwrites > 0 {
		f.overwrites--
		return next, ch, 10 * time.Millisecond, nil // lost to the stale writer
	}
	f.stored[Key{"p", next[0][1:]}] = slices.Clone(next[1:])
	return next, ch, 10 * time.Millisecond, nil
}

type countLock struct{}

func (countLock) Lost() <-chan struct{}        { return nil }
func (countLock) Unlock(context.Context) error { return nil }

func newSet(o Options[[]string, []string]) (*set, *Engine[[]string, []string]) {
	f := &set{stored: map[Key][]string{{"p", "a"}: {"x"}}}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff == nil {
		o.Backoff = func(int) time.Duration { return time.Second }
	}
	o.LockKeys = func(k Key, _ []string) []string { return []string{k.Pool + "/" + k.ID} }
	return f, New[[]string, []string](f, o)
}

func add(names ...string) func([]string) ([]string, error) {
	return func([]string) ([]string, error) { return names, nil }
}

// TestEngineInVirtualTime runs the engine's sequence on a fake kind in a
// synctest bubble: coalescing, no lock for a no-op, re-applying an
// overwritten change after a backoff, and the conflict after MaxAttempts.
func TestEngineInVirtualTime(t *testing.T) {
	t.Parallel()
	k := Key{"p", "a"}
	t.Run("coalesced", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f, e := newSet(Options[[]string, []string]{Coalesce: true})
			var wg sync.WaitGroup
			for _, n := range []string{"a", "b", "c", "d"} {
				wg.Go(func() {
					if _, err := e.Do(t.Context(), k, add(n)); err != nil {
						t.Errorf("Do(%s) error = %v", n, err)
					}
				})
			}
			wg.Wait()
			if got := f.stored[k]; len(got) != 5 {
				t.Errorf("stored %v, want x and the four added", got)
			}
			if f.writes > 2 {
				t.Errorf("%d writes for four changes queued at once, want at most 2 (coalesced)", f.writes)
			}
			if e.Keys() != 0 {
				t.Errorf("%d queues left, want 0", e.Keys())
			}
		})
	})
	t.Run("no lock for a no-op", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			locks := 0
			f, e := newSet(Options[[]string, []string]{Lock: func(context.Context, string) (Held, error) {
				locks++
				return countLock{}, nil
			}})
			if _, err := e.Do(t.Context(), k, add("x")); err != nil {
				t.Fatal(err)
			}
			if locks != 0 || f.reads != 1 {
				t.Errorf("a no-op took %d locks and %d reads, want 0 and 1", locks, f.reads)
			}
			if _, err := e.Do(t.Context(), k, add("y")); err != nil {
				t.Fatal(err)
			}
			// Read, lock, read, write, verify.
			if locks != 1 || f.reads != 4 || f.writes != 1 {
				t.Errorf("a write took %d locks, %d reads, %d writes; want 1, 3 more, 1", locks, f.reads, f.writes)
			}
		})
	})
	t.Run("overwritten then verified", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f, e := newSet(Options[[]string, []string]{})
			f.overwrites = 2
			start := time.Now()
			got, err := e.Do(t.Context(), k, add("y"))
			if err != nil || !slices.Contains(got, "y") {
				t.Fatalf("Do() = %v, %v; want y in place", got, err)
			}
			if f.writes != 3 {
				t.Errorf("%d writes, want 3", f.writes)
			}
			// Two backoffs of 1s in virtual time, and the calls.
			if took := time.Since(start); took < 2*time.Second || took > 3*time.Second {
				t.Errorf("took %v of virtual time, want two backoffs of 1s and the calls", took)
			}
		})
	})
	t.Run("conflict", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f, e := newSet(Options[[]string, []string]{MaxAttempts: 3})
			f.overwrites = 10
			_, err := e.Do(t.Context(), k, add("y"))
			var ce *rserrors.ConflictError
			if !errors.As(err, &ce) || ce.Attempts != 3 {
				t.Fatalf("Do() error = %v, want a ConflictError after 3 attempts", err)
			}
		})
	})
	t.Run("wave verifies with one listing", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f, e := newSet(Options[[]string, []string]{})
			w := NewWave(time.Second, 2, func(ctx context.Context) (map[Key][]string, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				out := map[Key][]string{}
				for k, v := range f.stored {
					out[k] = append([]string{"#" + k.ID}, v...)
				}
				return out, nil
			})
			keys := []Key{{"p", "a"}, {"p", "b"}, {"p", "c"}}
			f.stored[keys[1]], f.stored[keys[2]] = nil, nil
			var wg sync.WaitGroup
			for _, key := range keys {
				ctx, done := w.Join(t.Context())
				wg.Go(func() {
					defer done()
					if err := w.Start(ctx); err != nil {
						t.Error(err)
						return
					}
					if _, err := e.Do(ctx, key, add("y")); err != nil {
						t.Errorf("Do(%v) error = %v", key, err)
					}
				})
			}
			wg.Wait()
			// Three first reads, three writes, one listing for all.
			if w.Lists() != 1 || f.reads != 3 || f.writes != 3 {
				t.Errorf("%d listings, %d reads, %d writes; want 1, 3, 3", w.Lists(), f.reads, f.writes)
			}
		})
	})
}

// TestWaveOnRead: OnRead reports each write as it lands, before the
// listing that verifies the wave, with the write's context.
func TestWaveOnRead(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		type idKey struct{}
		var mu sync.Mutex
		var landed []string
		w := NewWave(time.Second, 0, func(ctx context.Context) (map[Key]int, error) {
			mu.Lock()
			defer mu.Unlock()
			if len(landed) != 2 {
				t.Errorf("listing after %d writes reported, want 2", len(landed))
			}
			return map[Key]int{{"p", "a"}: 1, {"p", "b"}: 2}, nil
		})
		w.OnRead(func(ctx context.Context, k Key) {
			mu.Lock()
			defer mu.Unlock()
			landed = append(landed, ctx.Value(idKey{}).(string)+"="+k.ID)
		})
		var wg sync.WaitGroup
		for i, id := range []string{"a", "b"} {
			ctx, done := w.Join(context.WithValue(t.Context(), idKey{}, id))
			wg.Go(func() {
				defer done()
				time.Sleep(time.Duration(i) * time.Second) // a lands first
				if v, ok, err := w.Read(ctx, Key{"p", id}); err != nil || !ok || v != i+1 {
					t.Errorf("Read(%s) = %d, %v, %v", id, v, ok, err)
				}
			})
		}
		wg.Wait()
		if want := []string{"a=a", "b=b"}; !slices.Equal(landed, want) {
			t.Errorf("OnRead calls %v, want %v", landed, want)
		}
	})
}
