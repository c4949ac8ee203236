package resourceserver

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/wait"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Apply changes a resource server by ch, in one read-modify-write, and
// returns it as verified. Every helper ([Client.AddScopes],
// [Client.RemoveScopes], [Client.UpdateScopes], [Client.ClearScopes],
// [Client.Rename], [Client.Modify]) is Apply with a Change it builds.
//
// With the default [Options] it:
//
//  1. validates poolID, identifier and ch with Cognito's rules; bad input
//     gives a *rserrors.ValidationError and nothing is sent;
//  2. joins the queue of that resource server in this Client: changes
//     queued behind one in progress are coalesced into the next
//     read-modify-write, composed in arrival order (see below);
//  3. takes Options.Locker, if set; the rest runs under a context that
//     ends if the lock is lost;
//  4. sends DescribeResourceServer; an answer without a resource server
//     or without a name is a *rserrors.InvalidResponseError, and nothing
//     more is sent;
//  5. applies ch to that state, a replace resolved into the names it
//     actually removes ([Change.Resolve]); if nothing changes (order alone
//     is no change) it returns here; a result over 100 scopes gives a
//     *rserrors.ValidationError;
//  6. checks the full UpdateResourceServer input against Cognito's rules
//     and passes it through a guard that refuses, with a
//     *rserrors.UnsafeUpdateError, an input without a name or one that
//     drops a scope the change does not remove by name;
//  7. checks the Locker's lock once more, then sends UpdateResourceServer
//     with the full name and scope list (after a loss it sends nothing and
//     returns a *rserrors.LockLostError);
//  8. waits twice as long as that Describe and Update took (at most 2s),
//     so that another writer's Update already on its way lands first, then
//     sends DescribeResourceServer to verify that the change is in place;
//     if another writer overwrote it, waits Options.Backoff, reads again
//     (not when the backoff is 0), applies the resolved change to that
//     state and goes back to 6, up to Options.MaxAttempts writes, then
//     returns a *rserrors.ConflictError.
//
// Every request is paced per user pool and quota category, its own
// retries included (see [Options]). A change costs Describe alone when
// there is nothing to do, Describe + Update + Describe normally, and one
// more Update + Describe (and a Describe after a backoff) per overwrite
// found.
//
// # Coalescing
//
// Changes to one resource server through one Client never overlap: while
// one read-modify-write runs, the others wait, and those that arrived by
// the time the next one has read the state share it: one Describe, one
// Update and one verification for all of them. Each caller's change is
// applied in arrival order to the state its predecessors left, and each
// caller gets the verified result, or its own error: a change that fails
// (a Modify function's error, a result over 100 scopes) fails only its
// caller, and a caller whose context ends before the Update is sent is
// left out of it.
//
// # What concurrent calls guarantee
//
// Without a Locker, each call is linearizable with the other calls of
// the same Client. Across Clients and processes, verification restores a
// change that another writer's stale Update overwrote, if that Update
// landed before the verifying Describe; one that lands after it still
// loses the change unseen. Verification re-applies only the resolved
// change, so it never deletes a scope that did not exist when the caller
// read, and it also restores a change that another writer's later call
// deliberately undid (last writer wins). Only a [Locker] shared by every
// writer excludes lost updates, and even then Cognito, which has no
// conditional write, cannot refuse an Update from a process that was
// paused between its last check of the lock and the send.
//
// Errors, each in an *OpError naming the method: those above, a service
// error mapped by rserrors.From (rserrors.IsResourceServerNotFound for a
// missing server), the Locker's error, or the context's error, which can
// come after the Update took effect.
func (c *Client) Apply(ctx context.Context, poolID, identifier string, ch Change) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "Apply", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	ch.check(&r)
	return c.change(ctx, "Apply", poolID, identifier, r.Err("Apply"), fixed(ch))
}

// checkTarget reports a bad pool ID or identifier under the names of the
// Client's parameters.
func checkTarget(r *validate.Report, poolID, identifier string) {
	r.UserPoolID("poolID", poolID).Identifier("identifier", identifier)
}

// fixed returns the plan of a change that does not depend on the state.
func fixed(ch Change) func(ResourceServer) (Change, error) {
	return func(ResourceServer) (Change, error) { return ch, nil }
}

// job is one caller's change waiting in a resource server's queue.
type job struct {
	ctx  context.Context
	op   string
	plan func(ResourceServer) (Change, error) // the change, given the state its predecessors left
	done chan result                          // buffered: the worker never blocks on it
}

type result struct {
	rs  ResourceServer
	err error
}

// queue holds the jobs of one resource server that wait for its worker.
type queue struct {
	jobs []*job
}

// change validates (check is the result of validating the arguments),
// queues the job and waits for its result. Every error is an *OpError
// for op.
func (c *Client) change(ctx context.Context, op, poolID, identifier string, check error,
	plan func(ResourceServer) (Change, error)) (ResourceServer, error) {
	if check != nil {
		return ResourceServer{}, opError(op, poolID, identifier, check)
	}
	if err := ctx.Err(); err != nil {
		return ResourceServer{}, opError(op, poolID, identifier, err)
	}
	j := &job{ctx: ctx, op: op, plan: plan, done: make(chan result, 1)}
	key := lockKey(poolID, identifier)
	c.qmu.Lock()
	q, running := c.queues[key]
	if !running {
		q = &queue{}
		c.queues[key] = q
	}
	q.jobs = append(q.jobs, j)
	c.qmu.Unlock()
	if !running {
		go c.work(key, poolID, identifier, q)
	}
	select {
	case r := <-j.done:
		return r.rs, opError(op, poolID, identifier, r.err)
	case <-ctx.Done():
		return ResourceServer{}, opError(op, poolID, identifier, ctx.Err())
	}
}

// take removes and returns the jobs waiting in q; when there are none it
// removes q from the Client, so the next change starts a new worker.
func (c *Client) take(key string, q *queue, last bool) []*job {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	jobs := q.jobs
	q.jobs = nil
	if len(jobs) == 0 && last {
		delete(c.queues, key)
	}
	return jobs
}

// requeue puts jobs back at the head of q, for the next batch.
func (c *Client) requeue(q *queue, jobs []*job) {
	if len(jobs) == 0 {
		return
	}
	c.qmu.Lock()
	q.jobs = append(jobs, q.jobs...)
	c.qmu.Unlock()
}

// work runs the read-modify-writes of one resource server, one batch of
// jobs at a time, until its queue is empty.
func (c *Client) work(key, poolID, identifier string, q *queue) {
	for {
		jobs := c.take(key, q, true)
		if len(jobs) == 0 {
			return
		}
		c.batch(key, poolID, identifier, q, jobs)
	}
}

// batch runs one read-modify-write for jobs, and for the jobs that join q
// before the state is read, and delivers every result.
func (c *Client) batch(key, poolID, identifier string, q *queue, jobs []*job) {
	ctx, members := newBatchContext(jobs)
	defer members.stop()
	live := jobs[:0]
	for _, j := range jobs {
		if members.add(j.ctx) {
			live = append(live, j)
		} else {
			j.done <- result{err: j.ctx.Err()}
		}
	}
	if jobs = live; len(jobs) == 0 {
		return
	}
	var accepted []*job
	// The batch's span is a child of the first caller's; every caller's
	// span names it (smithy-go's tracing has no links).
	ctx, span := telemetry.StartChild(ctx, "resourceserver.write",
		slog.String(telemetry.AttrPool, poolID), slog.String(telemetry.AttrIdentifier, identifier))
	rs, err := c.rmw(ctx, key, poolID, identifier, func(ctx context.Context, cur ResourceServer) (Change, map[string][]string, error) {
		// Jobs that arrived while the state was read share this write.
		var later []*job
		for _, j := range c.take(key, q, false) {
			switch {
			case members.add(j.ctx):
				jobs = append(jobs, j)
			case j.ctx.Err() != nil:
				j.done <- result{err: j.ctx.Err()}
			default:
				later = append(later, j)
			}
		}
		c.requeue(q, later)
		// Each job's plan runs once, on the state its predecessors left.
		var planned []plannedJob
		state := cur
		for _, j := range jobs {
			if err := j.ctx.Err(); err != nil {
				j.done <- result{err: err}
				continue
			}
			ch, err := j.plan(state)
			if err == nil {
				next := ch.ApplyTo(state)
				if err = checkResult(j.op, next); err == nil {
					planned = append(planned, plannedJob{j, ch})
					state = next
					continue
				}
			}
			j.done <- result{err: err}
		}
		if len(jobs) > 1 {
			c.log(ctx, slog.LevelDebug, "coalesced changes", poolID, identifier,
				slog.Int("changes", len(jobs)), slog.Int("planned", len(planned)))
		}
		composed, cascade, kept, err := c.checkGrants(ctx, cur, planned)
		accepted = kept
		return composed, cascade, err
	})
	span.Set(slog.Int(telemetry.AttrCoalesced, len(jobs)))
	if len(jobs) > 1 {
		for _, j := range jobs {
			telemetry.SpanOf(j.ctx).LinkTo(span)
		}
	}
	span.End(err)
	if accepted == nil {
		// The read failed, or no job was accepted: every job still waiting
		// gets the error.
		for _, j := range jobs {
			select {
			case j.done <- result{rs: rs, err: err}:
			default:
			}
		}
		return
	}
	for _, j := range accepted {
		j.done <- result{rs: rs.clone(), err: err}
	}
}

// plannedJob is a job and the change its plan made.
type plannedJob struct {
	j  *job
	ch Change
}

// compose composes the changes of jobs in order, each resolved against the
// state its predecessors left, and returns the composition and, for each
// job, the scope names its change removes from that state and those it
// defines anew.
func compose(cur ResourceServer, jobs []plannedJob) (composed Change, removed, added [][]string) {
	state := cur
	removed, added = make([][]string, len(jobs)), make([][]string, len(jobs))
	for i, p := range jobs {
		r := p.ch.Resolve(state)
		for _, n := range r.remove {
			if indexScope(state.Scopes, n) >= 0 {
				removed[i] = append(removed[i], n)
			}
		}
		for _, s := range r.upsert {
			if indexScope(state.Scopes, s.Name) < 0 {
				added[i] = append(added[i], s.Name)
			}
		}
		composed = composed.Then(r)
		state = p.ch.ApplyTo(state)
	}
	return composed, removed, added
}

// rmw takes the Locker, reads, asks plan for the resolved change to make,
// and writes and verifies it, as Apply lists. Errors come back unwrapped.
func (c *Client) rmw(ctx context.Context, key, poolID, identifier string,
	plan batchPlan) (ResourceServer, error) {
	var held Lock
	if c.opts.Locker != nil {
		asked := time.Now()
		shared, err := c.opts.Locker.Lock(ctx, key)
		waited := time.Since(asked)
		telemetry.Observe(ctx, telemetry.LockWait, waited, slog.String(telemetry.AttrPool, poolID), slog.String(telemetry.AttrIdentifier, identifier))
		telemetry.Event(ctx, "lock waited", slog.Duration("wait", waited))
		if err != nil {
			return ResourceServer{}, err
		}
		defer c.unlock(ctx, key, shared)
		held = shared
		if lost := shared.Lost(); lost != nil {
			var cancel context.CancelCauseFunc
			ctx, cancel = context.WithCancelCause(ctx)
			defer cancel(nil)
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				select {
				case <-lost:
					cancel(&rserrors.LockLostError{Key: key})
				case <-stop:
				}
			}()
		}
	}
	rs, err := c.rmwLocked(ctx, poolID, identifier, held, plan)
	if err != nil && ctx.Err() != nil {
		// A context ended by the lock's loss reports the loss.
		var ll *rserrors.LockLostError
		if cause := context.Cause(ctx); errors.As(cause, &ll) {
			err = cause
		}
	}
	return rs, err
}

// batchPlan turns the state read into the resolved change to write and
// the grants to revoke first (scope -> app clients).
type batchPlan func(ctx context.Context, cur ResourceServer) (Change, map[string][]string, error)

func (c *Client) rmwLocked(ctx context.Context, poolID, identifier string, held Lock,
	plan batchPlan) (ResourceServer, error) {
	din := &cip.DescribeResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	cur, readTook, err := c.read(ctx, din)
	if err != nil {
		return ResourceServer{}, err
	}
	d, cascade, err := plan(ctx, cur)
	if err != nil {
		return ResourceServer{}, err
	}
	if same(d.ApplyTo(cur), cur) {
		return cur, nil
	}
	if err := c.revoke(ctx, poolID, identifier, held, cascade); err != nil {
		return ResourceServer{}, err
	}
	for written := 0; ; written++ {
		next := d.ApplyTo(cur)
		if same(next, cur) {
			return cur, nil
		}
		if written == c.opts.MaxAttempts {
			c.log(ctx, slog.LevelWarn, "conflict: change overwritten on every attempt", poolID, identifier,
				slog.Int("attempts", written), slog.String("change", d.String()))
			return ResourceServer{}, &rserrors.ConflictError{UserPoolID: poolID, Identifier: identifier, Attempts: written}
		}
		if written > 0 {
			c.log(ctx, slog.LevelInfo, "change overwritten by another writer; writing it again", poolID, identifier,
				slog.Int("attempt", written+1), slog.String("change", d.String()))
			telemetry.Event(ctx, "overwrite re-applied", slog.Int(telemetry.AttrAttempts, written+1))
			telemetry.Count(ctx, telemetry.Reapplies, slog.String(telemetry.AttrPool, poolID), slog.String(telemetry.AttrIdentifier, identifier))
			if pause := c.opts.Backoff(written); pause > 0 {
				// The state verified before the wait is stale after it:
				// writing it would delete what other writers did meanwhile.
				if err := wait.Sleep(ctx, pause); err != nil {
					return ResourceServer{}, err
				}
				if cur, readTook, err = c.read(ctx, din); err != nil {
					return ResourceServer{}, err
				}
				if next = d.ApplyTo(cur); same(next, cur) {
					return cur, nil
				}
			}
		}
		if err := checkResult("UpdateResourceServer", next); err != nil {
			return ResourceServer{}, err
		}
		if err := checkLock(held, poolID, identifier); err != nil {
			return ResourceServer{}, err
		}
		telemetry.SpanOf(ctx).Set(slog.Int(telemetry.AttrAttempts, written+1))
		out, updateTook, err := c.write(ctx, cur, next, d)
		if err != nil {
			return ResourceServer{}, err
		}
		if c.opts.DisableVerify {
			return out, nil
		}
		if err := wait.Sleep(ctx, wait.Settle(readTook, updateTook)); err != nil {
			return ResourceServer{}, err
		}
		if cur, readTook, err = c.read(ctx, din); err != nil {
			return ResourceServer{}, err
		}
	}
}

// checkLock returns a *rserrors.LockLostError when held, the Locker's
// lock, has been lost. It asks the lock afresh (Lost, not a channel kept
// from before), so that a process resumed after a pause past its lease
// learns of the loss before it writes.
func checkLock(held Lock, poolID, identifier string) error {
	if held == nil {
		return nil
	}
	select {
	case <-held.Lost():
		return &rserrors.LockLostError{Key: lockKey(poolID, identifier)}
	default:
		return nil
	}
}

// unlock releases the Locker's lock; a failure leaves the lock to expire
// and is logged, since the change itself is done.
func (c *Client) unlock(ctx context.Context, key string, l Lock) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := l.Unlock(ctx); err != nil && c.opts.Logger != nil {
		c.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "resourceserver: releasing the Locker's lock failed",
			slog.String("key", key), slog.Any("error", err))
	}
}

// write sends the UpdateResourceServer that turns cur into next, after
// validating it and passing it through the guard, and returns how long the
// call took, without the wait for the rate limit. It is the only place
// that sends UpdateResourceServer.
func (c *Client) write(ctx context.Context, cur, next ResourceServer, d Change) (ResourceServer, time.Duration, error) {
	in := next.updateInput()
	if err := validate.UpdateResourceServerInput(in); err != nil {
		return ResourceServer{}, 0, err
	}
	if err := guard(cur, in, d); err != nil {
		return ResourceServer{}, 0, err
	}
	out, took, err := send(ctx, c, next.UserPoolID, write, c.api.UpdateResourceServer, in)
	if err != nil {
		return ResourceServer{}, took, err
	}
	if out == nil || out.ResourceServer == nil || aws.ToString(out.ResourceServer.Name) == "" {
		return next, took, nil
	}
	return fromSDK(out.ResourceServer), took, nil
}

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

func newBatchContext(jobs []*job) (context.Context, *batchContext) {
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

// log writes one record about a change to Options.Logger.
func (c *Client) log(ctx context.Context, level slog.Level, msg, poolID, identifier string, attrs ...slog.Attr) {
	l := c.opts.Logger
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	attrs = append([]slog.Attr{slog.String("userPoolId", poolID), slog.String("identifier", identifier)}, attrs...)
	l.LogAttrs(ctx, level, "resourceserver: "+msg, attrs...)
}
