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
	slots  chan struct{} // writes in flight; nil: no bound
	onRead func(ctx context.Context, k Key)

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

// ticket is one write's place in a wave.
type ticket[S any] struct {
	w    *Wave[S]
	slot bool // holds one of w.slots; only its own goroutine touches it
}

// NewWave returns a Wave that lists the pool with list, after waiting
// settle (0: none) from the moment the last write of a round arrives.
// At most parallel writes (0: no bound) hold a slot at once; a write
// waiting for the listing holds none.
func NewWave[S any](settle time.Duration, parallel int, list func(ctx context.Context) (map[Key]S, error)) *Wave[S] {
	w := &Wave[S]{list: list, settle: settle}
	if parallel > 0 {
		w.slots = make(chan struct{}, parallel)
	}
	return w
}

// Join adds one write to w and returns the context that carries its
// ticket, and the function that takes it out of the wave, which the
// caller must call once the write and its verification are over (or it
// will not be tried). Join every write of a round before any of them
// waits for the listing, so that one listing verifies them all.
func (w *Wave[S]) Join(ctx context.Context) (context.Context, func()) {
	w.mu.Lock()
	w.live++
	w.mu.Unlock()
	t := &ticket[S]{w: w}
	var once sync.Once
	return context.WithValue(ctx, waveKey[S]{}, t), func() {
		once.Do(func() {
			t.release()
			w.mu.Lock()
			w.live--
			w.flushLocked()
			w.mu.Unlock()
		})
	}
}

// Start waits for a slot for the write whose ticket ctx carries.
func (w *Wave[S]) Start(ctx context.Context) error {
	t, _ := ctx.Value(waveKey[S]{}).(*ticket[S])
	if t == nil || t.w != w {
		return errors.New("engine: Wave.Start without the wave's ticket")
	}
	return t.acquire(ctx)
}

func (t *ticket[S]) acquire(ctx context.Context) error {
	if t.w.slots == nil || t.slot {
		return nil
	}
	select {
	case t.w.slots <- struct{}{}:
		t.slot = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *ticket[S]) release() {
	if t.slot {
		t.slot = false
		<-t.w.slots
	}
}

// OnRead sets fn, which each [Wave.Read] calls with the write's context
// and key before it waits for the listing, while the write still holds its
// slot: the write it verifies has landed, and with a bound of one the
// calls come in the order of the writes. Set it before the first Join.
func (w *Wave[S]) OnRead(fn func(ctx context.Context, k Key)) { w.onRead = fn }

// Lists returns how many listings w has sent.
func (w *Wave[S]) Lists() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lists
}

// Read waits for the next listing of the wave and returns k as listed,
// and whether it is listed.
// The write gives up its slot while it waits, and takes one again before
// it returns, for a write that follows.
func (w *Wave[S]) Read(ctx context.Context, k Key) (S, bool, error) {
	var zero S
	// The write is reported before it gives up its slot, so that reports
	// come in the order the writes landed.
	if w.onRead != nil {
		w.onRead(ctx, k)
	}
	t, _ := ctx.Value(waveKey[S]{}).(*ticket[S])
	if t != nil {
		t.release()
	}
	req := waveReq[S]{k: k, ctx: ctx, ch: make(chan waveRes[S], 1)}
	w.mu.Lock()
	w.waiting = append(w.waiting, req)
	w.flushLocked()
	w.mu.Unlock()
	select {
	case r := <-req.ch:
		if t != nil {
			if err := t.acquire(ctx); err != nil {
				return zero, false, err
			}
		}
		return r.s, r.ok, r.err
	case <-ctx.Done():
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
	if t, _ := ctx.Value(waveKey[S]{}).(*ticket[S]); t != nil {
		return t.w
	}
	return nil
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
