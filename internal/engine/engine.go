package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/wait"
)

// Key names one resource: its user pool and its ID (a resource server's
// identifier, an app client's ID).
type Key struct{ Pool, ID string }

// Kind is what a resource kind supplies to an [Engine]. S is its state, a
// plain value; C is a change, kept apart from any state.
type Kind[S, C any] interface {
	// Read reads the state of k and returns how long the call took on the
	// wire. An answer that cannot be written back safely is an error.
	Read(ctx context.Context, k Key) (S, time.Duration, error)
	// Apply applies one caller's change to s. It returns the next state
	// and the change resolved against s, which gives the same next state
	// on s and can be applied again to a fresher state; or that caller's
	// error (a result that breaks a rule).
	Apply(ch C, s S) (S, C, error)
	// Compose returns first followed by then.
	Compose(first, then C) C
	// Same reports whether a and b agree in everything a write sets.
	Same(a, b S) bool
	// Write checks and sends the write of next, the full state, over
	// cur, the state read, for the resolved change ch. It returns the
	// state stored, ch rebased on it (for what verification compares), and
	// how long the call took on the wire.
	Write(ctx context.Context, cur, next S, ch C) (S, C, time.Duration, error)
}

// Step is one caller's change in a batch: the state its predecessors
// left, and its change resolved against that state.
type Step[S, C any] struct {
	Before S
	Change C
}

// Verdict is what a check before the write decides.
type Verdict struct {
	// Refused holds, for each step checked, its caller's error, or nil
	// when the step goes ahead. Nil refuses nothing.
	Refused []error
	// After, if set, runs once the write is in place; it returns, for each
	// step checked, an error for its caller or nil.
	After func(ctx context.Context) []error
}

// Held is a lock taken through Options.Lock; resourceserver.Lock
// satisfies it.
type Held interface {
	Lost() <-chan struct{}
	Unlock(ctx context.Context) error
}

// Options configures an Engine. MaxAttempts and Backoff must be set.
type Options[S, C any] struct {
	// Pkg prefixes every log message, such as "resourceserver".
	Pkg string
	// IDAttr is the log attribute of Key.ID: AttrIdentifier or
	// AttrClientID.
	IDAttr string
	// MaxAttempts bounds the writes of one batch.
	MaxAttempts int
	// Backoff is the wait before the attempt-th rewrite.
	Backoff func(attempt int) time.Duration
	// DisableVerify skips the settle wait and the verifying read.
	DisableVerify bool
	// Logger receives the records; nil is silent.
	Logger *slog.Logger
	// Lock, if set, takes a lock shared by the writers: each key of
	// LockKeys, in order, once a batch has something to write.
	Lock func(ctx context.Context, key string) (Held, error)
	// LockKeys returns the lock keys of a write of ch to k, sorted.
	LockKeys func(k Key, ch C) []string
	// Check, if set, runs before the write, under the locks, on the state
	// to be written over. held reports a lost lock; a check that writes
	// elsewhere calls it before each write.
	Check func(ctx context.Context, k Key, cur S, steps []Step[S, C], held func() error) (Verdict, error)
	// Coalesce lets changes queued behind a batch join the next one.
	// Without it each batch holds one change.
	Coalesce bool
}

// Engine runs the read-modify-writes of one resource kind. It is safe
// for concurrent use.
type Engine[S, C any] struct {
	kind      Kind[S, C]
	o         Options[S, C]
	writeSpan string // the name of a batch's span: Pkg + ".write"

	mu     sync.Mutex
	queues map[Key]*queue[S, C] // the changes waiting for a resource
}

// New returns an Engine for kind.
func New[S, C any](kind Kind[S, C], o Options[S, C]) *Engine[S, C] {
	return &Engine[S, C]{kind: kind, o: o, writeSpan: o.Pkg + ".write", queues: make(map[Key]*queue[S, C])}
}

type job[S, C any] struct {
	ctx  context.Context
	plan func(S) (C, error) // the change, given the state its predecessors left
	ch   C                  // once planned: the change resolved
	done chan result[S]     // buffered: the worker never blocks on it
	sent bool               // a result was delivered; only the worker touches it
}

func (j *job[S, C]) deliver(s S, err error) {
	if !j.sent {
		j.sent = true
		j.done <- result[S]{s, err}
	}
}

type result[S any] struct {
	s   S
	err error
}

type queue[S, C any] struct{ jobs []*job[S, C] }

// Do changes k by the change plan returns for the state its predecessors
// in the queue left, and returns the state as verified. The sequence is
// documented on resourceserver.Client.Apply. Errors come back unwrapped.
func (e *Engine[S, C]) Do(ctx context.Context, k Key, plan func(S) (C, error)) (S, error) {
	var zero S
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	j := &job[S, C]{ctx: ctx, plan: plan, done: make(chan result[S], 1)}
	e.mu.Lock()
	q, running := e.queues[k]
	if !running {
		q = &queue[S, C]{}
		e.queues[k] = q
	}
	q.jobs = append(q.jobs, j)
	e.mu.Unlock()
	if !running {
		go e.work(k, q)
	}
	select {
	case r := <-j.done:
		return r.s, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Keys returns how many resources have changes queued or running.
func (e *Engine[S, C]) Keys() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.queues)
}

// Queued returns how many changes wait for k, the batch in progress left
// out.
func (e *Engine[S, C]) Queued(k Key) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if q := e.queues[k]; q != nil {
		return len(q.jobs)
	}
	return 0
}

// take removes and returns the jobs waiting in q (one without
// Coalesce); with last and none waiting it removes q, so that the next
// change starts a new worker.
func (e *Engine[S, C]) take(k Key, q *queue[S, C], last bool) []*job[S, C] {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(q.jobs)
	if !e.o.Coalesce {
		n = min(n, 1)
	}
	jobs := q.jobs[:n:n]
	q.jobs = q.jobs[n:]
	if n == 0 && last {
		delete(e.queues, k)
	}
	return jobs
}

// requeue puts jobs back at the head of q, for the next batch.
func (e *Engine[S, C]) requeue(q *queue[S, C], jobs []*job[S, C]) {
	if len(jobs) > 0 {
		e.mu.Lock()
		q.jobs = append(jobs, q.jobs...)
		e.mu.Unlock()
	}
}

// work runs the batches of k until its queue is empty.
func (e *Engine[S, C]) work(k Key, q *queue[S, C]) {
	for {
		jobs := e.take(k, q, true)
		if len(jobs) == 0 {
			return
		}
		e.batch(k, q, jobs)
	}
}

// admit adds the jobs whose callers still wait to the batch's context;
// those that ended get their error, and those that may outlast the batch
// go back to the queue.
func (e *Engine[S, C]) admit(q *queue[S, C], b *batchContext, jobs []*job[S, C]) []*job[S, C] {
	var live, later []*job[S, C]
	for _, j := range jobs {
		switch {
		case b.add(j.ctx):
			live = append(live, j)
		case j.ctx.Err() != nil:
			j.deliver(*new(S), j.ctx.Err())
		default:
			later = append(later, j)
		}
	}
	e.requeue(q, later)
	return live
}

// batch runs one read-modify-write for jobs, and for the jobs that join
// q while the state is read, and delivers every result.
//
// When the first caller's operation is traced, the batch has a span of
// its own, Pkg+".write", its child, with the callers it carries
// (telemetry.AttrCoalesced) and the writes it took
// (telemetry.AttrAttempts); each caller's span names it when there are
// several. It ends before any caller gets its result.
func (e *Engine[S, C]) batch(k Key, q *queue[S, C], jobs []*job[S, C]) {
	ctx, b := newBatchContext(jobs)
	defer b.stop()
	var zero S
	if jobs = e.admit(q, b, jobs); len(jobs) == 0 {
		return
	}
	ctx, span := telemetry.StartChild(ctx, e.writeSpan, slog.String(AttrPool, k.Pool), slog.String(e.o.IDAttr, k.ID))
	ws := &writeSpan{span: span}
	cur, took, err := e.kind.Read(ctx, k)
	if err == nil && e.o.Coalesce {
		jobs = append(jobs, e.admit(q, b, e.take(k, q, false))...)
	}
	e.carried(ws, jobs)
	defer func() {
		ws.end(err)
		for _, j := range jobs {
			j.deliver(zero, err) // those the run below left without a result
		}
	}()
	if err != nil {
		return
	}
	n := len(jobs)
	live, steps, next := e.chain(cur, jobs, true)
	if n > 1 {
		e.log(ctx, slog.LevelDebug, "coalesced changes", k, slog.Int("changes", n), slog.Int("planned", len(live)))
	}
	if len(live) == 0 {
		return
	}
	if e.kind.Same(next, cur) {
		e.log(ctx, slog.LevelDebug, "no change", k)
		ws.end(nil)
		for _, j := range live {
			j.deliver(cur, nil)
		}
		return
	}
	err = e.run(ctx, ws, k, live, steps, cur, next, took)
}

// chain applies the change of each job, in order, to the state its
// predecessors left, calling its plan first when plan is set; a job whose
// caller left or whose change fails gets its error and is dropped. It
// returns the jobs kept, their steps and the state they leave.
func (e *Engine[S, C]) chain(cur S, jobs []*job[S, C], plan bool) ([]*job[S, C], []Step[S, C], S) {
	var live []*job[S, C]
	var steps []Step[S, C]
	state := cur
	for _, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			j.deliver(cur, err)
			continue
		}
		ch := j.ch
		if plan {
			var err error
			if ch, err = j.plan(state); err != nil {
				j.deliver(cur, err)
				continue
			}
		}
		next, resolved, err := e.kind.Apply(ch, state)
		if err != nil {
			j.deliver(cur, err)
			continue
		}
		j.ch = resolved
		live = append(live, j)
		steps = append(steps, Step[S, C]{Before: state, Change: resolved})
		state = next
	}
	return live, steps, state
}

func (e *Engine[S, C]) compose(steps []Step[S, C]) C {
	ch := steps[0].Change
	for _, s := range steps[1:] {
		ch = e.kind.Compose(ch, s.Change)
	}
	return ch
}

// run writes the batch that has something to write: it takes the locks
// and reads again under them, runs the check, and writes and verifies;
// then it releases the locks and delivers each job's result, so that a
// caller never returns while the lock it was written under is held. It
// returns an error for the jobs it did not deliver to.
func (e *Engine[S, C]) run(ctx context.Context, ws *writeSpan, k Key, jobs []*job[S, C], steps []Step[S, C], cur, next S, took time.Duration) (err error) {
	type refusal struct {
		j   *job[S, C]
		err error
	}
	var refused []refusal
	release := func() {}
	defer func() {
		release()
		if len(refused) > 0 {
			ws.end(err)
		}
		for _, r := range refused {
			r.j.deliver(cur, r.err)
		}
	}()
	held := func() error { return nil }
	bctx := ctx // the batch's context, which outlives the locks
	if e.o.Lock != nil {
		var err error
		ctx, held, release, err = e.lock(ctx, k, e.o.LockKeys(k, e.compose(steps)))
		if err != nil {
			release = func() {}
			return err
		}
		if cur, took, err = e.kind.Read(ctx, k); err != nil {
			return lockCause(ctx, err)
		}
		if jobs, steps, next = e.chain(cur, jobs, false); len(jobs) == 0 {
			return nil
		}
	}
	var after func(context.Context) []error
	if e.o.Check != nil && !e.kind.Same(next, cur) {
		v, err := e.o.Check(ctx, k, cur, steps, held)
		if err != nil {
			return lockCause(ctx, err)
		}
		var kept []*job[S, C]
		var keptIdx []int
		for i, j := range jobs {
			if i < len(v.Refused) && v.Refused[i] != nil {
				refused = append(refused, refusal{j, v.Refused[i]})
			} else {
				kept, keptIdx = append(kept, j), append(keptIdx, i)
			}
		}
		if len(kept) < len(jobs) {
			if jobs, steps, next = e.chain(cur, kept, false); len(jobs) == 0 {
				return nil
			}
		}
		if all := v.After; all != nil {
			// After speaks of the steps checked; map them to those kept.
			after = func(ctx context.Context) []error {
				errs := all(ctx)
				out := make([]error, len(keptIdx))
				for n, i := range keptIdx {
					if i < len(errs) {
						out[n] = errs[i]
					}
				}
				return out
			}
		}
	}
	s := cur
	if !e.kind.Same(next, cur) {
		var err error
		if s, err = e.loop(ctx, ws, k, cur, next, e.compose(steps), took, held); err != nil {
			return lockCause(ctx, err)
		}
	}
	release()
	release = func() {}
	var errs []error
	if after != nil {
		errs = after(bctx)
	}
	ws.end(nil)
	for i, j := range jobs {
		if i < len(errs) && errs[i] != nil {
			j.deliver(s, errs[i])
		} else {
			j.deliver(s, nil)
		}
	}
	return nil
}

// loop writes next over cur and verifies it, writing the change again
// when verification finds it overwritten, up to Options.MaxAttempts
// writes.
func (e *Engine[S, C]) loop(ctx context.Context, ws *writeSpan, k Key, cur, next S, ch C, readTook time.Duration, held func() error) (S, error) {
	var zero S
	stale := false // the state cur was refused as stale
	for written := 0; ; written++ {
		if written > 0 {
			if written == e.o.MaxAttempts {
				e.log(ctx, slog.LevelWarn, "conflict: change overwritten on every attempt", k, slog.Int("attempts", written))
				return zero, &rserrors.ConflictError{UserPoolID: k.Pool, Identifier: k.ID, Attempts: written}
			}
			e.log(ctx, slog.LevelInfo, "change overwritten; writing it again", k, slog.Int("attempt", written+1))
			e.reapplied(ctx, ws, k, written+1)
			// The state verified before a wait is stale after it, and the
			// state a refused write was built on is stale at once: writing
			// either would undo what other writers did meanwhile.
			if pause := e.o.Backoff(written); pause > 0 || stale {
				if err := wait.Sleep(ctx, pause); err != nil {
					return zero, err
				}
				var err error
				if cur, readTook, err = e.kind.Read(ctx, k); err != nil {
					return zero, err
				}
				if next, _, err = e.kind.Apply(ch, cur); err != nil {
					return zero, err
				}
				if e.kind.Same(next, cur) {
					return cur, nil
				}
			}
		}
		if err := held(); err != nil {
			return zero, err
		}
		ws.attempts = written + 1
		out, rebased, writeTook, err := e.kind.Write(ctx, cur, next, ch)
		if rserrors.IsConcurrentModification(err) {
			e.log(ctx, slog.LevelInfo, "concurrent modification", k, slog.Int("writes", written+1))
			stale = true
			continue
		}
		if err != nil {
			return zero, err
		}
		stale, ch = false, rebased
		if e.o.DisableVerify {
			return out, nil
		}
		if cur, readTook, err = e.verify(ctx, k, readTook, writeTook); err != nil {
			return zero, err
		}
		if next, _, err = e.kind.Apply(ch, cur); err != nil {
			return zero, err
		}
		if e.kind.Same(next, cur) {
			e.log(ctx, slog.LevelInfo, "change verified", k, slog.Int("writes", written+1))
			return cur, nil
		}
	}
}

// lock takes the locks of keys in order. The context it returns ends
// when one of them is lost, with a *rserrors.LockLostError as its cause;
// held reports such a loss, asking each lock afresh, so that a process
// resumed after a pause past its lease learns of it before it writes.
func (e *Engine[S, C]) lock(ctx context.Context, k Key, keys []string) (context.Context, func() error, func(), error) {
	type lk struct {
		key string
		l   Held
	}
	var locks []lk
	ctx, cancel := context.WithCancelCause(ctx)
	stop := make(chan struct{})
	release := func() {
		close(stop)
		cancel(nil)
		for i := len(locks) - 1; i >= 0; i-- {
			e.unlock(ctx, locks[i].key, locks[i].l)
		}
	}
	for _, key := range keys {
		asked := time.Now()
		l, err := e.o.Lock(ctx, key)
		e.lockWaited(ctx, k, key, time.Since(asked))
		if err != nil {
			release()
			return nil, nil, nil, err
		}
		locks = append(locks, lk{key, l})
		if lost := l.Lost(); lost != nil {
			go func() {
				select {
				case <-lost:
					cancel(&rserrors.LockLostError{Key: key})
				case <-stop:
				}
			}()
		}
	}
	held := func() error {
		for _, l := range locks {
			select {
			case <-l.l.Lost():
				return &rserrors.LockLostError{Key: l.key}
			default:
			}
		}
		return nil
	}
	return ctx, held, release, nil
}

// unlock releases a lock; a failure leaves the lock to expire and is
// logged, since the change itself is done.
func (e *Engine[S, C]) unlock(ctx context.Context, key string, l Held) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := l.Unlock(ctx); err != nil {
		Log(ctx, e.o.Logger, slog.LevelWarn, e.o.Pkg, "releasing the Locker's lock failed",
			slog.String("key", key), slog.Any("error", err))
	}
}

// lockCause returns the loss of a lock as the error when the loss ended
// ctx, and err otherwise.
func lockCause(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		var ll *rserrors.LockLostError
		if cause := context.Cause(ctx); errors.As(cause, &ll) {
			return cause
		}
	}
	return err
}

func (e *Engine[S, C]) log(ctx context.Context, level slog.Level, msg string, k Key, attrs ...slog.Attr) {
	if e.o.Logger == nil {
		return
	}
	Log(ctx, e.o.Logger, level, e.o.Pkg, msg,
		append([]slog.Attr{slog.String(AttrPool, k.Pool), slog.String(e.o.IDAttr, k.ID)}, attrs...)...)
}
