package pace

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	smithymw "github.com/aws/smithy-go/middleware"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/gate"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// middlewareID is the ID of the pacing middleware in the Finalize step.
const middlewareID = "scopekeeper/pace"

// middleware is the Finalize-step middleware that paces each attempt of
// one call. It sits after the SDK's "Retry" middleware, so every attempt
// passes through it, and before signing, so a request is signed after its
// wait.
type middleware struct {
	p    *Pacer
	pool string
	cat  Category
	lim  *limiter // the pool's; nil when only the account's paces the call

	account *limiter // the account's in the pool's Region, or nil
}

// ID returns middlewareID.
func (m *middleware) ID() string { return middlewareID }

// add inserts m into stack after the "Retry" middleware (at the start of
// the Finalize step if there is none), replacing the pacing middleware of
// an earlier Option of the same call.
func (m *middleware) add(stack *smithymw.Stack) error {
	if _, ok := stack.Finalize.Get(middlewareID); ok {
		_, err := stack.Finalize.Swap(middlewareID, m)
		return err
	}
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", smithymw.After)
	}
	return stack.Finalize.Add(m, smithymw.Before)
}

// HandleFinalize waits for a slot of (pool, category), and of the
// account's quota when it is paced too, sends the attempt, and lowers the
// rate after a TooManyRequestsException: the pool's, or the account's when
// only the account's paces the category. A throttle does not say which
// quota it enforced; the pool's rate answers it, as it answered before
// account-wide pacing, so that one pool's congestion leaves the others'
// pace alone.
func (m *middleware) HandleFinalize(ctx context.Context, in smithymw.FinalizeInput, next smithymw.FinalizeHandler) (
	smithymw.FinalizeOutput, smithymw.Metadata, error,
) {
	adapt, outer := m.lim, m.account
	if adapt == nil {
		adapt, outer = m.account, nil
	}
	g := m.gate(ctx)
	if err := g.Check(); err != nil {
		return smithymw.FinalizeOutput{}, smithymw.Metadata{}, &WaitError{Pool: m.pool, Category: m.cat, Err: err}
	}
	start := m.p.clk.Now()
	wctx, release := gated(ctx, g)
	sent, err := adapt.wait(wctx, outer)
	release()
	if err == nil {
		err = g.Check() // closed as the slot came
	} else if g.Check() != nil && ctx.Err() == nil {
		err = gate.ErrStopped
	}
	if err != nil {
		return smithymw.FinalizeOutput{}, smithymw.Metadata{}, &WaitError{Pool: m.pool, Category: m.cat, Err: err}
	}
	waited := sent.Sub(start)
	if waited > time.Second {
		m.p.logWait(ctx, m.pool, m.cat, waited)
	}
	if m.lim != nil {
		telemetry.ObserveWith(ctx, telemetry.PacingWait, waited, m.lim.waitAttrs)
	} else {
		telemetry.ObserveWith(ctx, telemetry.PacingWait, waited, waitAttrs(m.pool, m.cat))
	}
	out, md, err := next.HandleFinalize(ctx, in)
	if isCode(err, rserrors.CodeTooManyRequests) {
		telemetry.Count(ctx, telemetry.Throttles,
			slog.String(telemetry.AttrPool, m.pool), slog.String(telemetry.AttrCategory, string(m.cat)))
		if rate, lowered := adapt.throttled(sent); lowered {
			m.p.logThrottle(ctx, m.pool, m.cat, rate)
			telemetry.Event(ctx, "throttled",
				slog.String(telemetry.AttrCategory, string(m.cat)), slog.Float64(telemetry.AttrRate, rate))
		}
	}
	return out, md, err
}

// gate returns the gate of the work the call belongs to when the call is
// a write, nil otherwise: a gate stops writes not yet sent, never reads.
func (m *middleware) gate(ctx context.Context) *gate.Gate {
	if !m.cat.Writes() {
		return nil
	}
	return gate.From(ctx)
}

// gated returns ctx, ended also when g closes, for a pacing wait, and the
// function that releases it once the wait is over; ctx itself when g is
// nil.
func gated(ctx context.Context, g *gate.Gate) (context.Context, context.CancelFunc) {
	if g == nil {
		return ctx, func() {}
	}
	wctx, cancel := context.WithCancel(ctx)
	stop := g.AfterClose(cancel)
	return wctx, func() { stop(); cancel() }
}

// isCode reports whether err is an API error with that code, compared
// without regard to case as the SDK does.
func isCode(err error, code string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && strings.EqualFold(api.ErrorCode(), code)
}

// waitAttrs returns the attributes of the pacing waits of pool and
// category c, which a pool's limiter keeps.
func waitAttrs(pool string, c Category) telemetry.MetricAttrs {
	return telemetry.NewMetricAttrs(slog.String(telemetry.AttrPool, pool), slog.String(telemetry.AttrCategory, string(c)))
}
