package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/wait"
)

// ErrNotListed is the error of a verifying read through a [Wave] for a
// resource the listing does not hold.
var ErrNotListed = errors.New("not in the listing of the user pool")

// A Wave verifies the writes of many resources with one listing of the
// pool, in place of one read per write: reconcile's seam. Each write joins
// the wave ([Wave.Join]); an Engine whose context carries the ticket
// verifies through [Wave.Read] instead of Kind.Read, and waits for no
// settle of its own. The listing is sent once every write still in the
// wave waits for it, after the wave's settle wait; writes found
// overwritten write again and wait for the next listing.
type Wave[S any] struct {
	list   func(ctx context.Context) (map[Key]S, error)
	settle time.Duration

	mu      sync.Mutex
	live    int // tickets joined and not done
	waiting []waveReq[S]
	lists   int
}

type waveReq[S any] struct {
	k   Key
	ctx context.Context
	ch  chan waveRes[S] // buffered
}

type waveRes[S any] struct {
	s   S
	ok  bool
	err error
}

type waveKey[S any] struct{}

// NewWave returns a Wave that lists the pool with list, after waiting
// settle (0: none) from the moment the last write of a round arrives.
func NewWave[S any](settle time.Duration, list func(ctx context.Context) (map[Key]S, error)) *Wave[S] {
	return &Wave[S]{list: list, settle: settle}
}

// Join adds one write to w and returns the context that carries its
// ticket, and the function that takes it out of the wave, which the
// caller must call once the write and its verification are over.
func (w *Wave[S]) Join(ctx context.Context) (context.Context, func()) {
	w.mu.Lock()
	w.live++
	w.mu.Unlock()
	var once sync.Once
	return context.WithValue(ctx, waveKey[S]{}, w), func() {
		once.Do(func() {
			w.mu.Lock()
			w.live--
			w.flushLocked()
			w.mu.Unlock()
		})
	}
}

// Lists returns how many listings w has sent.
func (w *Wave[S]) Lists() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lists
}

// Read waits for the next listing of the wave and returns k as listed,
// and whether it is listed.
func (w *Wave[S]) Read(ctx context.Context, k Key) (S, bool, error) {
	req := waveReq[S]{k: k, ctx: ctx, ch: make(chan waveRes[S], 1)}
	w.mu.Lock()
	w.waiting = append(w.waiting, req)
	w.flushLocked()
	w.mu.Unlock()
	select {
	case r := <-req.ch:
		return r.s, r.ok, r.err
	case <-ctx.Done():
		var zero S
		return zero, false, ctx.Err()
	}
}

// flushLocked sends the listing when every write in the wave waits for
// it.
func (w *Wave[S]) flushLocked() {
	if len(w.waiting) == 0 || len(w.waiting) < w.live {
		return
	}
	reqs := w.waiting
	w.waiting = nil
	w.lists++
	go func() {
		ctx := context.WithoutCancel(reqs[0].ctx)
		var listed map[Key]S
		err := wait.Sleep(ctx, w.settle)
		if err == nil {
			listed, err = w.list(ctx)
		}
		for _, r := range reqs {
			s, ok := listed[r.k]
			r.ch <- waveRes[S]{s, ok, err}
		}
	}()
}

// waveFrom returns the Wave whose ticket ctx carries, or nil.
func waveFrom[S any](ctx context.Context) *Wave[S] {
	w, _ := ctx.Value(waveKey[S]{}).(*Wave[S])
	return w
}

// verify reads k to verify a write: through the wave ctx carries, if any,
// else after the settle wait with Kind.Read.
func (e *Engine[S, C]) verify(ctx context.Context, k Key, readTook, writeTook time.Duration) (S, time.Duration, error) {
	var zero S
	if w := waveFrom[S](ctx); w != nil {
		s, ok, err := w.Read(ctx, k)
		if err == nil && !ok {
			err = ErrNotListed
		}
		return s, 0, err
	}
	if err := wait.Sleep(ctx, wait.Settle(readTook, writeTook)); err != nil {
		return zero, 0, err
	}
	return e.kind.Read(ctx, k)
}
