package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/gate"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// DefaultGrace is how long an interrupted apply lets its writes in flight
// finish, unless ApplyOptions.Grace says otherwise.
const DefaultGrace = 5 * time.Second

// ApplyOptions are the choices of one apply.
type ApplyOptions struct {
	// AllowDangling applies a plan whose removals leave scopes inactive on
	// app clients. Without it such a plan is refused.
	AllowDangling bool
	// AllowRegrant applies a plan whose additions make inactive grants
	// active again. Without it such a plan is refused.
	AllowRegrant bool
	// ContinueOnError goes on after a step fails, and tries every step that
	// does not depend on a failed one. Without it the apply stops at the
	// first failure: steps in flight finish, no new one starts.
	ContinueOnError bool
	// Grace bounds an interrupted apply (see [Reconciler.Apply]): once
	// the apply's context ends, the steps in flight have Grace to finish
	// their writes and be verified; then they are cut, and what landed is
	// read back with a deadline of Grace again. Zero means DefaultGrace; a
	// negative value cuts them at once (the read back still gets
	// DefaultGrace).
	Grace time.Duration
	// Progress, if set, is called once per step when its outcome is final,
	// with the number of steps finished so far and the total. Calls do not
	// overlap.
	Progress func(s StepResult, finished, total int)
	// OnStep, if set, is called once per step as soon as the step is over
	// on its side, in the order the steps get there, without waiting for
	// the rest of its wave: a resource-server step whose write has landed
	// is reported [Unverified] (the listing that verifies the wave comes
	// once every write of the wave is in; its final outcome comes to
	// Progress and the Result), any other step with its final outcome.
	// Calls do not overlap with each other or with Progress.
	OnStep func(StepResult)
}

// StepKind is the kind of a step of an apply.
type StepKind string

// The kinds of step, in the order an apply runs them.
const (
	// StepRevoke removes scopes from an app client.
	StepRevoke StepKind = "revoke"
	// StepCreate creates a resource server.
	StepCreate StepKind = "create"
	// StepChange changes a resource server.
	StepChange StepKind = "change"
	// StepDelete deletes a resource server.
	StepDelete StepKind = "delete"
	// StepGrant adds scopes to an app client.
	StepGrant StepKind = "grant"
)

// Step is one write of an apply: to one resource server, or to one app
// client's scopes.
type Step struct {
	// Kind is what the step does.
	Kind StepKind
	// Target is the resource server's identifier, or the app client's ID.
	Target string
	// Scopes are the scopes granted or revoked; nil for resource servers.
	Scopes []string
}

// String returns "create <identifier>" or "grant <scopes> to app client
// <id>" and the like.
func (s Step) String() string {
	switch s.Kind {
	case StepGrant:
		return "grant " + strings.Join(s.Scopes, ", ") + " to app client " + s.Target
	case StepRevoke:
		return "revoke " + strings.Join(s.Scopes, ", ") + " from app client " + s.Target
	}
	return string(s.Kind) + " " + s.Target
}

// Outcome is what became of a step.
type Outcome string

// The outcomes of a step.
const (
	// Done: the step's write is in place (verified, for resource servers).
	Done Outcome = "done"
	// Failed: the step was tried and failed; StepResult.Err says why.
	Failed Outcome = "failed"
	// NotTried: the apply stopped before the step, or a step it depends on
	// did not succeed.
	NotTried Outcome = "not tried"
	// Unverified: the step's write may have landed and no read has shown
	// it in place: the apply was interrupted while the write or its
	// verification was under way, and the read back after it did not find
	// it (a request cut on this side may still be carried out) or failed.
	// StepResult.Err says which. In an [ApplyOptions.OnStep] call, a
	// resource-server step whose write has landed and waits for the
	// listing that verifies its wave.
	Unverified Outcome = "written, not verified"
)

// StepResult is a step and its outcome.
type StepResult struct {
	// Step is the step.
	Step Step
	// Outcome is what became of it.
	Outcome Outcome
	// Err is why it failed, nil otherwise.
	Err error
}

// Result is the outcome of every step of an apply, in the order they
// run: revokes, then resource servers (creates, changes and deletes by
// identifier), then grants.
type Result struct {
	// UserPoolID is the user pool.
	UserPoolID string
	// Steps holds every step of the plan with its outcome.
	Steps []StepResult
}

// Done returns the steps done, in order.
func (r *Result) Done() []StepResult { return r.with(Done) }

// Failed returns the steps that failed, in order.
func (r *Result) Failed() []StepResult { return r.with(Failed) }

// NotTried returns the steps not tried, in order.
func (r *Result) NotTried() []StepResult { return r.with(NotTried) }

// Unverified returns the steps written but not verified, in order.
func (r *Result) Unverified() []StepResult { return r.with(Unverified) }

func (r *Result) with(o Outcome) []StepResult {
	var out []StepResult
	for _, s := range r.Steps {
		if s.Outcome == o {
			out = append(out, s)
		}
	}
	return out
}

func (r *Result) count() (done, failed, notTried, unverified int) {
	return len(r.Done()), len(r.Failed()), len(r.NotTried()), len(r.Unverified())
}

// Apply carries out p, a plan made by [Reconciler.Plan] now or earlier and
// saved. In order, it:
//
//  1. refuses, with a *[TargetError] and nothing sent, a plan made for
//     another region or endpoint than this Reconciler's API reaches, and
//     with a *rserrors.GrantsError, a plan whose own lists of dangling
//     grants or re-grants opts does not allow;
//  2. reads the pool again as the plan did (ListResourceServers, and the
//     app clients the plan read unless this Reconciler made the plan less
//     than Options.ReuseRead ago) and refuses, with a *[StaleError], a plan
//     whose pool changed since;
//  3. checks the plan's steps against what it read, not against the
//     plan's lists, which a saved plan could have lost: it refuses a plan
//     that did not read the holders of a scope it removes or adds, and,
//     with a *rserrors.GrantsError, steps that leave grants dangling or
//     re-grant inactive scopes that opts does not allow;
//  4. revokes the scopes the plan revokes (appclient RevokeScopes), so no
//     grant is left dangling by what follows;
//  5. creates, changes and deletes resource servers through the
//     resourceserver.Client (Create, Apply with the planned Change, Delete:
//     the same engine, validation, guard, Locker and pacing as every
//     helper), up to Options.Parallelism at a time, the Client's pacing
//     spacing them to the quota; each Apply costs a DescribeResourceServer
//     and an UpdateResourceServer;
//  6. verifies that wave with one listing of the pool (one
//     ListResourceServers per 50 servers, after Options.Settle) in place
//     of a Describe per server, through the engine's wave seam, and writes
//     again each change found overwritten by another writer, up to
//     Options.MaxAttempts writes (then the step fails with a
//     *rserrors.ConflictError);
//  7. grants the scopes the plan grants (appclient GrantScopesListed),
//     once the servers that define them are in place: a scope the latest
//     listing showed costs no DescribeResourceServer.
//
// The checks of the app clients hold for the state read in step 2 (or by
// the plan itself, when this Reconciler made it less than
// Options.ReuseRead ago). A window remains: an app client granted a scope
// by another writer after that read and before the removal lands is left
// holding it dangling, unless every writer shares a resourceserver Locker
// (see appclient's Options.Locker), or the grant comes through this apply.
//
// A step whose prerequisite did not succeed (a removal whose revoke
// failed, a grant whose server failed) is not tried. Without
// opts.ContinueOnError the apply stops at the first failure.
//
// When ctx ends during the steps, Apply starts no new step, and a step
// whose write still waits for its pacing slot sends it no more (the step
// is not tried, unless an earlier write of it was sent); the writes sent
// go on, on a context that keeps ctx's values but not its end, for
// opts.Grace to finish and be verified; then they are cut. Apply then reads what landed, on a fresh context with a deadline of
// Grace: one listing of the resource servers if a server step was cut, and
// a DescribeUserPoolClient per app client whose step was cut (when the
// AppClients has Get, as *appclient.Client does). Each cut step is then
// done if its write is in place, and [Unverified] if it is not (a request
// cut on this side may still be carried out after the read) or the read
// failed. Steps never started are not tried.
//
// The Result lists every step as done, failed (with its error), written
// but not verified, or not tried; when any step failed or is unverified,
// or ctx ended before the apply did, the error is an *[ApplyError] holding
// the same Result, and errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) and errors.Is(err, context.Cause(ctx)) hold
// when ctx ended. Other errors (a refusal above, a failed read, a
// nil or unreadable plan) come with a nil Result and mean nothing was
// written.
func (r *Reconciler) Apply(ctx context.Context, p *Plan, opts ApplyOptions) (_ *Result, err error) {
	switch {
	case p == nil:
		return nil, errors.New("reconcile: Apply: nil plan")
	case p.Version != PlanVersion:
		return nil, &PlanVersionError{Version: p.Version, Supported: PlanVersion}
	case r.apps == nil && (p.AppClients.read() || len(p.Grants) > 0):
		return nil, errors.New("reconcile: Apply: the plan reads or writes app clients, and this Reconciler has no app-client client")
	}
	if err := r.sameTarget(p); err != nil {
		return nil, err
	}
	if err := p.Allowed(opts); err != nil {
		return nil, err
	}
	ctx, span := r.start(ctx, "Apply", p.UserPoolID, slog.Int(telemetry.AttrSteps, len(p.Servers)+len(p.Grants)))
	defer func() { span.End(err) }()
	servers, err := r.readServers(ctx, p.UserPoolID)
	if err != nil {
		return nil, err
	}
	st := state{pool: p.UserPoolID, servers: servers, apps: p.AppClients}
	if pr := p.read; pr != nil && pr.by == r && time.Since(pr.at) < r.opts.ReuseRead {
		st.holders, st.clients = pr.holders, pr.clients
	} else if st.holders, st.clients, err = r.readApps(ctx, p.UserPoolID, p.AppClients); err != nil {
		return nil, err
	}
	if fp := st.fingerprint(); fp != p.Fingerprint {
		return nil, &StaleError{UserPoolID: p.UserPoolID, Planned: p.Fingerprint, Found: fp}
	}
	if r.apps != nil {
		if err := p.checkRead(st); err != nil {
			return nil, err
		}
		dangling, regrants := p.impactsOn(st)
		if err := (&Plan{UserPoolID: p.UserPoolID, Dangling: dangling, Regrants: regrants}).Allowed(opts); err != nil {
			return nil, err
		}
	}
	a := newApply(r, p, opts)
	a.setListed(servers)
	a.run(ctx)
	return a.result()
}

// Allowed returns nil if opts allow what p does to grants, or a
// *rserrors.GrantsError listing the dangling grants (unless opts.AllowDangling)
// and the re-grants (unless opts.AllowRegrant) of p. It sends nothing; a
// command calls it to refuse before it asks for confirmation.
func (p *Plan) Allowed(opts ApplyOptions) error {
	var dangling, regrants []Impact
	if !opts.AllowDangling {
		dangling = p.Dangling
	}
	if !opts.AllowRegrant {
		regrants = p.Regrants
	}
	return impactError(p.UserPoolID, dangling, regrants)
}

// apply is one run of Apply.
type apply struct {
	r    *Reconciler
	p    *Plan
	opts ApplyOptions
	log  *slog.Logger

	revokes, servers, grants []int // indexes into res.Steps, by phase
	server                   map[int]ServerPlan

	mu       sync.Mutex
	res      *Result
	finished int
	reported []bool          // OnStep was called for the step
	cut      []error         // the error of a step cut by an interrupt, to read back
	gates    []*gate.Gate    // each step's: no write sent once the apply's context ends
	outer    context.Context // the apply's context, whose end closes the gates
	listed   []string        // the scopes of the latest listing of the pool
	cause    error           // why ctx ended, once it did
	ctxErr   error           // ctx.Err(), once it ended
	stop     atomic.Bool
}

func newApply(r *Reconciler, p *Plan, opts ApplyOptions) *apply {
	a := &apply{r: r, p: p, opts: opts, log: r.opts.Logger, server: map[int]ServerPlan{}, res: &Result{UserPoolID: p.UserPoolID}}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	add := func(s Step) int {
		a.res.Steps = append(a.res.Steps, StepResult{Step: s, Outcome: NotTried})
		return len(a.res.Steps) - 1
	}
	for _, g := range p.Grants {
		if len(g.Revoke) > 0 {
			a.revokes = append(a.revokes, add(Step{Kind: StepRevoke, Target: g.Client.ID, Scopes: g.Revoke}))
		}
	}
	for _, sp := range p.Servers {
		kind := map[Action]StepKind{ActionCreate: StepCreate, ActionChange: StepChange, ActionDelete: StepDelete}[sp.Action]
		i := add(Step{Kind: kind, Target: sp.Identifier})
		a.servers = append(a.servers, i)
		a.server[i] = sp
	}
	for _, g := range p.Grants {
		if len(g.Grant) > 0 {
			a.grants = append(a.grants, add(Step{Kind: StepGrant, Target: g.Client.ID, Scopes: g.Grant}))
		}
	}
	a.reported = make([]bool, len(a.res.Steps))
	a.cut = make([]error, len(a.res.Steps))
	a.gates = make([]*gate.Gate, len(a.res.Steps))
	return a
}

// grace returns how long the writes in flight may go on once ctx ends,
// and the deadline of the read back.
func (a *apply) grace() (writes, readBack time.Duration) {
	switch g := a.opts.Grace; {
	case g == 0:
		return DefaultGrace, DefaultGrace
	case g < 0:
		return 0, DefaultGrace
	default:
		return g, g
	}
}

// run runs the steps. The steps send their requests on wctx, which keeps
// ctx's values but ends only a grace period after ctx does: once ctx
// ends, no new step starts, and the steps in flight have that grace to
// finish. Then it reads back what the steps cut meanwhile left.
func (a *apply) run(ctx context.Context) {
	writes, readBack := a.grace()
	a.outer = ctx
	wctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	unwatch := context.AfterFunc(ctx, func() {
		cause := context.Cause(ctx)
		a.mu.Lock()
		a.cause, a.ctxErr = cause, ctx.Err()
		a.mu.Unlock()
		a.stop.Store(true)
		a.log.Warn("reconcile: apply interrupted: no new step starts, the steps in flight get a grace period",
			engine.AttrPool, a.p.UserPoolID, "grace", writes, "cause", cause)
		t := time.AfterFunc(writes, func() { cancel(cause) })
		context.AfterFunc(wctx, func() { t.Stop() })
	})
	defer unwatch()
	pool := a.p.UserPoolID
	a.each(wctx, a.revokes, func(ctx context.Context, i int) error {
		_, err := a.r.apps.RevokeScopes(ctx, pool, a.res.Steps[i].Step.Target, a.res.Steps[i].Step.Scopes...)
		return err
	})
	a.wave(wctx)
	a.each(wctx, a.grants, a.grant)
	if a.interrupted() != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBack)
		defer cancel()
		a.readBack(rctx)
	}
}

// interrupted returns why the apply's context ended, nil while it has
// not.
func (a *apply) interrupted() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cause
}

// result returns the Result and the error of Apply.
func (a *apply) result() (*Result, error) {
	cause := a.interrupted()
	if _, failed, _, unverified := a.res.count(); failed > 0 || unverified > 0 || cause != nil {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.res, &ApplyError{Result: a.res, Interrupted: cause, ctxErr: a.ctxErr}
	}
	return a.res, nil
}

// each runs fn for the app-client steps idx, up to Options.Parallelism
// at a time. A step whose prerequisites did not succeed, or that comes
// after a failure without ContinueOnError or after an interrupt, is left
// not tried.
func (a *apply) each(ctx context.Context, idx []int, fn func(context.Context, int) error) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(a.r.opts.Parallelism, len(idx)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if a.stop.Load() || !a.ready(i) {
					a.finish(i, NotTried, nil)
					continue
				}
				a.ended(i, fn(a.gate(ctx, i), i))
			}
		}()
	}
	for _, i := range idx {
		work <- i
	}
	close(work)
	wg.Wait()
}

// ended records the end of step i with err: done, failed, or, when the
// step was cut by an interrupt, to be read back.
func (a *apply) ended(i int, err error) {
	a.mu.Lock()
	g := a.gates[i]
	a.mu.Unlock()
	switch {
	case err == nil:
		a.finish(i, Done, nil)
	case errors.Is(err, gate.ErrStopped) && !g.Sent():
		// Interrupted before any of its writes was sent, in its
		// pacing wait: the step did nothing.
		a.finish(i, NotTried, nil)
	case a.cutBy(err):
		a.mu.Lock()
		a.cut[i] = err
		a.mu.Unlock()
	default:
		a.finish(i, Failed, err)
	}
}

// gate returns ctx with step i's gate, which stops the step's writes not
// yet sent (those waiting for their pacing slot included) once the
// apply's context ends.
func (a *apply) gate(ctx context.Context, i int) context.Context {
	ctx, g := gate.With(ctx, a.outer)
	a.mu.Lock()
	a.gates[i] = g
	a.mu.Unlock()
	return ctx
}

// cutBy reports whether err is a step's end because the apply was
// interrupted: the apply's context ended and err is a context's error.
func (a *apply) cutBy(err error) bool {
	cause := a.interrupted()
	return cause != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, cause))
}

// ready reports whether the prerequisites of step i succeeded: the
// revokes of the scopes a server step removes, and the server steps that
// define the scopes a grant adds.
func (a *apply) ready(i int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.res.Steps[i].Step
	switch s.Kind {
	case StepChange, StepDelete:
		removed := a.server[i].removed()
		for _, j := range a.revokes {
			if a.res.Steps[j].Outcome != Done && overlaps(a.res.Steps[j].Step.Scopes, removed) {
				return false
			}
		}
	case StepGrant:
		for _, j := range a.servers {
			if a.res.Steps[j].Outcome != Done && overlaps(s.Scopes, a.server[j].After.TokenScopes()) {
				return false
			}
		}
	}
	return true
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// finish records the final outcome of step i and reports it.
func (a *apply) finish(i int, o Outcome, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Steps[i].Outcome, a.res.Steps[i].Err = o, err
	if o == Failed {
		a.log.Warn("reconcile: step failed", engine.AttrPool, a.p.UserPoolID, "step", a.res.Steps[i].Step.String(), "error", err)
		if !a.opts.ContinueOnError {
			a.stop.Store(true)
		}
	}
	a.reportLocked(i, a.res.Steps[i])
	a.finished++
	if a.opts.Progress != nil {
		a.opts.Progress(a.res.Steps[i], a.finished, len(a.res.Steps))
	}
}

// written reports to OnStep that server step i's write has landed.
func (a *apply) written(i int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reportLocked(i, StepResult{Step: a.res.Steps[i].Step, Outcome: Unverified})
}

// reportLocked calls OnStep with s for step i, unless it was called for
// it already.
func (a *apply) reportLocked(i int, s StepResult) {
	if a.reported[i] {
		return
	}
	a.reported[i] = true
	if a.opts.OnStep != nil {
		a.opts.OnStep(s)
	}
}

// stepKey is the context key of the index of the step a write belongs to.
type stepKey struct{}

// wave writes every resource-server step and verifies them together
// through one engine.Wave: the resourceserver.Client's changes verify with
// the wave's ListResourceServers instead of a Describe each, and so do the
// creates and deletes here. A step found overwritten is written again, up
// to Options.MaxAttempts writes, and waits for the next listing.
func (a *apply) wave(ctx context.Context) {
	pool := a.p.UserPoolID
	ctx, span := a.r.start(ctx, "wave", pool, slog.Int(telemetry.AttrSteps, len(a.servers)))
	// The listing is the wave's: its span is a child of the wave's span,
	// whichever write's context the Wave passes, and it ends with the
	// wave's context (the apply's grace), not with one write's.
	listCtx := ctx
	var w *engine.Wave[resourceserver.ResourceServer]
	defer func() {
		span.Set(slog.Int(telemetry.AttrAttempts, w.Lists()))
		span.End(nil)
	}()
	w = engine.NewWave(a.r.opts.Settle, a.r.opts.Parallelism, func(context.Context) (map[engine.Key]resourceserver.ResourceServer, error) {
		listed, err := a.r.readServers(listCtx, pool)
		if err != nil {
			return nil, fmt.Errorf("verifying: %w", err)
		}
		a.setListed(listed)
		out := make(map[engine.Key]resourceserver.ResourceServer, len(listed))
		for _, rs := range listed {
			out[engine.Key{Pool: pool, ID: rs.Identifier}] = rs
		}
		return out, nil
	})
	// A write waits for the listing once it has landed: the step is over
	// on its side.
	w.OnRead(func(ctx context.Context, _ engine.Key) {
		if i, ok := ctx.Value(stepKey{}).(int); ok {
			a.written(i)
		}
	})
	// Every step joins the wave first, so that one listing verifies them
	// all; Options.Parallelism bounds the writes in flight, not the steps
	// waiting for the listing.
	ctxs, dones := make([]context.Context, len(a.servers)), make([]func(), len(a.servers))
	for n, i := range a.servers {
		ctxs[n], dones[n] = w.Join(context.WithValue(a.gate(ctx, i), stepKey{}, i))
	}
	var wg sync.WaitGroup
	for n, i := range a.servers {
		ctx, done := ctxs[n], dones[n]
		// Steps start in order: each takes its slot here.
		if err := w.Start(ctx); err != nil || a.stop.Load() {
			if a.stop.Load() {
				a.finish(i, NotTried, nil)
			} else {
				a.finish(i, Failed, err)
			}
			done()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done()
			if !a.ready(i) {
				a.finish(i, NotTried, nil)
				return
			}
			a.ended(i, a.writeServer(ctx, w, i))
		}()
	}
	wg.Wait()
}

// readBack reads, on ctx, what the steps cut by the interrupt left, and
// settles each: done if its write is in place, unverified if not (a
// request cut on this side may still land) or if the read fails.
func (a *apply) readBack(ctx context.Context) {
	a.mu.Lock()
	var servers, clients []int
	for i, err := range a.cut {
		switch {
		case err == nil:
		case a.res.Steps[i].Step.Kind == StepGrant || a.res.Steps[i].Step.Kind == StepRevoke:
			clients = append(clients, i)
		default:
			servers = append(servers, i)
		}
	}
	a.mu.Unlock()
	if len(servers) > 0 {
		listed, err := a.r.readServers(ctx, a.p.UserPoolID)
		byID := map[string]resourceserver.ResourceServer{}
		for _, rs := range listed {
			byID[rs.Identifier] = rs
		}
		for _, i := range servers {
			sp := a.server[i]
			rs, ok := byID[sp.Identifier]
			a.settle(i, err, landed(sp, rs, ok))
		}
	}
	get, _ := a.r.apps.(clientGetter)
	for _, i := range clients {
		if get == nil {
			a.settle(i, errors.New("the AppClients cannot read one app client back"), false)
			continue
		}
		s := a.res.Steps[i].Step
		c, err := get.Get(ctx, a.p.UserPoolID, s.Target)
		in := true
		for _, sc := range s.Scopes {
			in = in && slices.Contains(c.AllowedOAuthScopes, sc) == (s.Kind == StepGrant)
		}
		a.settle(i, err, in)
	}
}

// settle gives step i, cut by the interrupt, its final outcome from the
// read back: readErr is the read's error, in whether the write is in
// place.
func (a *apply) settle(i int, readErr error, in bool) {
	a.mu.Lock()
	cut := a.cut[i]
	a.mu.Unlock()
	switch {
	case readErr != nil:
		a.finish(i, Unverified, fmt.Errorf("interrupted (%w), and reading it back failed: %w", cut, readErr))
	case in:
		a.finish(i, Done, nil)
	default:
		// A request cut on this side may still be carried out on
		// Cognito's, after the read.
		a.finish(i, Unverified, fmt.Errorf("interrupted (%w) while its write was under way, and not in place when read back: it may still land", cut))
	}
}

// landed reports whether sp is in place on rs, the server as listed (ok:
// listed).
func landed(sp ServerPlan, rs resourceserver.ResourceServer, ok bool) bool {
	switch sp.Action {
	case ActionDelete:
		return !ok
	case ActionCreate:
		return ok && holds(rs, sp.After)
	}
	if !ok {
		return false
	}
	if n, renamed := sp.Change.NewName(); renamed && rs.Name != n {
		return false
	}
	if !holds(rs, resourceserver.ResourceServer{Name: rs.Name, Scopes: sp.Change.Added()}) {
		return false
	}
	for _, n := range sp.Change.Removed() {
		if slices.ContainsFunc(rs.Scopes, func(s resourceserver.Scope) bool { return s.Name == n }) {
			return false
		}
	}
	return true
}

// clientGetter is the optional method of an AppClients that reads one
// app client; *appclient.Client has it.
type clientGetter interface {
	Get(ctx context.Context, poolID, clientID string) (appclient.AppClient, error)
}

var _ clientGetter = (*appclient.Client)(nil)

// writeServer writes server step i and verifies it through w.
func (a *apply) writeServer(ctx context.Context, w *engine.Wave[resourceserver.ResourceServer], i int) error {
	sp := a.server[i]
	switch sp.Action {
	case ActionCreate:
		return a.create(ctx, w, sp)
	case ActionDelete:
		return a.delete(ctx, w, sp)
	}
	_, err := a.r.rs.Apply(ctx, a.p.UserPoolID, sp.Identifier, sp.Change)
	return err
}

// create creates sp's server and verifies it through w; a server found
// overwritten gets its name and scopes back (keeping any scope another
// writer added), and one found deleted is created again, up to
// Options.MaxAttempts writes.
func (a *apply) create(ctx context.Context, w *engine.Wave[resourceserver.ResourceServer], sp ServerPlan) error {
	pool, key := a.p.UserPoolID, engine.Key{Pool: a.p.UserPoolID, ID: sp.Identifier}
	for attempt := 1; ; attempt++ {
		if _, err := a.r.rs.Create(ctx, sp.After); err != nil {
			return err
		}
		rs, ok, err := w.Read(ctx, key)
		switch {
		case err != nil:
			return err
		case ok && holds(rs, sp.After):
			return nil
		case ok:
			a.log.Info("reconcile: created server overwritten, writing it again", engine.AttrPool, pool, engine.AttrIdentifier, sp.Identifier)
			a.reapplied(ctx, sp.Identifier, attempt+1)
			_, err := a.r.rs.Apply(ctx, pool, sp.Identifier, resourceserver.Change{}.Rename(sp.After.Name).Add(sp.After.Scopes...))
			if !errors.Is(err, engine.ErrNotListed) && !rserrors.IsResourceServerNotFound(err) {
				return err
			}
		}
		if attempt >= a.r.opts.MaxAttempts {
			return a.conflict(ctx, sp.Identifier, attempt)
		}
		a.log.Info("reconcile: created server deleted by another writer, creating it again", engine.AttrPool, pool, engine.AttrIdentifier, sp.Identifier)
		a.reapplied(ctx, sp.Identifier, attempt+1)
	}
}

// delete deletes sp's server and verifies through w that it is gone. A
// server listed again was created again by another writer: deleting it
// once more would delete that writer's server, so the step fails.
func (a *apply) delete(ctx context.Context, w *engine.Wave[resourceserver.ResourceServer], sp ServerPlan) error {
	pool := a.p.UserPoolID
	if err := a.r.rs.Delete(ctx, pool, sp.Identifier); err != nil {
		return err
	}
	if _, ok, err := w.Read(ctx, engine.Key{Pool: pool, ID: sp.Identifier}); err != nil || !ok {
		return err
	}
	return a.conflict(ctx, sp.Identifier, 1)
}

// setListed keeps the scopes of the latest listing of the pool, which the
// grants take as existing.
func (a *apply) setListed(servers []resourceserver.ResourceServer) {
	var listed []string
	for _, rs := range servers {
		listed = append(listed, rs.TokenScopes()...)
	}
	a.mu.Lock()
	a.listed = listed
	a.mu.Unlock()
}

// grant grants step i's scopes, those the latest listing showed taken as
// existing when the AppClients can (appclient.Client.GrantScopesListed).
func (a *apply) grant(ctx context.Context, i int) error {
	s := a.res.Steps[i].Step
	if g, ok := a.r.apps.(listedGranter); ok {
		a.mu.Lock()
		listed := a.listed
		a.mu.Unlock()
		_, err := g.GrantScopesListed(ctx, a.p.UserPoolID, s.Target, listed, s.Scopes...)
		return err
	}
	_, err := a.r.apps.GrantScopes(ctx, a.p.UserPoolID, s.Target, s.Scopes...)
	return err
}

// listedGranter is the optional method of an AppClients that grants
// scopes a listing showed without checking them again.
type listedGranter interface {
	GrantScopesListed(ctx context.Context, poolID, clientID string, listed []string, scopes ...string) (appclient.AppClient, error)
}

var _ listedGranter = (*appclient.Client)(nil)

// holds reports whether rs has want's name and each of want's scopes with
// its description.
func holds(rs, want resourceserver.ResourceServer) bool {
	if rs.Name != want.Name {
		return false
	}
	have := map[string]string{}
	for _, s := range rs.Scopes {
		have[s.Name] = s.Description
	}
	for _, s := range want.Scopes {
		if d, ok := have[s.Name]; !ok || d != s.Description {
			return false
		}
	}
	return true
}
