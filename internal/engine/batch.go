package engine

import (
	"context"
	"sync"
	"time"
)

// batchContext is the context of one read-modify-write shared by several
// callers: it keeps the values of the first caller's context, has the
// latest of their deadlines (none if one has none), and ends when every
// caller's context has ended.
type batchContext struct {
	mu       sync.Mutex
	live     int
	ended    bool
	deadline time.Time // zero: none
	cancel   context.CancelFunc
	stops    []func() bool
}

func newBatchContext[S, C any](jobs []*job[S, C]) (context.Context, *batchContext) {
	var deadline time.Time
	for _, j := range jobs {
		d, ok := j.ctx.Deadline()
		if !ok {
			deadline = time.Time{}
			break
		}
		if d.After(deadline) {
			deadline = d
		}
	}
	ctx := context.WithoutCancel(jobs[0].ctx)
	var cancel context.CancelFunc
	if deadline.IsZero() {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithDeadline(ctx, deadline)
	}
	return ctx, &batchContext{cancel: cancel, deadline: deadline}
}

// add makes the batch's context last as long as ctx; it reports false,
// adding nothing, when ctx or the batch has ended, or when ctx may outlast
// the batch's deadline: that caller waits for the next batch.
func (b *batchContext) add(ctx context.Context) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ctx.Err() != nil || b.ended {
		return false
	}
	if d, ok := ctx.Deadline(); !b.deadline.IsZero() && (!ok || d.After(b.deadline)) {
		return false
	}
	b.live++
	b.stops = append(b.stops, context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.live--; b.live == 0 {
			b.ended = true
			b.cancel()
		}
	}))
	return true
}

// stop ends the batch's context and forgets its callers.
func (b *batchContext) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.stops {
		s()
	}
	b.ended = true
	b.cancel()
}
