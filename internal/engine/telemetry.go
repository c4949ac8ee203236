package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// writeSpan is the span of one batch (see Engine.batch); its zero span,
// when the callers are not traced, records nothing. Only the batch's
// worker touches it.
type writeSpan struct {
	span     telemetry.Span
	attempts int  // writes sent so far
	ended    bool // end has run
}

// carried records the callers the batch carries, and links each caller's
// span to the batch's when there are several.
func (e *Engine[S, C]) carried(ws *writeSpan, jobs []*job[S, C]) {
	if !ws.span.Recording() {
		return
	}
	ws.span.Set(slog.Int(telemetry.AttrCoalesced, len(jobs)))
	if len(jobs) > 1 {
		for _, j := range jobs {
			telemetry.SpanOf(j.ctx).LinkTo(ws.span)
		}
	}
}

// end sets the writes sent, if any, and ends the span with the batch's
// error, once.
func (ws *writeSpan) end(err error) {
	if ws.ended {
		return
	}
	ws.ended = true
	if ws.attempts > 0 && ws.span.Recording() {
		ws.span.Set(slog.Int(telemetry.AttrAttempts, ws.attempts))
	}
	ws.span.End(err)
}

// reapplied records a change found overwritten and written again as the
// attempt-th write: an event on the batch's span and a count of
// telemetry.Reapplies.
func (e *Engine[S, C]) reapplied(ctx context.Context, ws *writeSpan, k Key, attempt int) {
	ws.span.Event("overwrite re-applied", slog.Int(telemetry.AttrAttempts, attempt))
	telemetry.Count(ctx, telemetry.Reapplies, slog.String(AttrPool, k.Pool), slog.String(e.o.IDAttr, k.ID))
}

// lockWaited records the wait for the Locker's lock key: an event on the
// batch's span and an observation of telemetry.LockWait.
func (e *Engine[S, C]) lockWaited(ctx context.Context, k Key, key string, waited time.Duration) {
	telemetry.Event(ctx, "lock waited", slog.String("key", key), slog.Duration("wait", waited))
	telemetry.Observe(ctx, telemetry.LockWait, waited, slog.String(AttrPool, k.Pool), slog.String(e.o.IDAttr, k.ID))
}
