package reconcile

import (
	"context"
	"log/slog"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// start starts the span of the operation op ("Plan", "Apply", "wave", ...)
// on pool and returns the context that carries it and the span. See
// docs/observability.md.
func (r *Reconciler) start(ctx context.Context, op, pool string, attrs ...slog.Attr) (context.Context, telemetry.Span) {
	if r.tel == nil {
		return ctx, telemetry.Span{}
	}
	return r.tel.Start(ctx, "reconcile."+op, append([]slog.Attr{slog.String(telemetry.AttrPool, pool)}, attrs...)...)
}

// reapplied records a created server found overwritten or deleted and
// written again as the attempt-th write, as the engine records a change
// written again: an event on the wave's span and a count of
// telemetry.Reapplies.
func (a *apply) reapplied(ctx context.Context, identifier string, attempt int) {
	telemetry.Event(ctx, "overwrite re-applied", slog.String(telemetry.AttrIdentifier, identifier), slog.Int(telemetry.AttrAttempts, attempt))
	telemetry.Count(ctx, telemetry.Reapplies, slog.String(engine.AttrPool, a.p.UserPoolID), slog.String(engine.AttrIdentifier, identifier))
}

// conflict returns the *rserrors.ConflictError of a server step that
// another writer undid on every attempt, and counts it in
// telemetry.Conflicts.
func (a *apply) conflict(ctx context.Context, identifier string, attempts int) error {
	telemetry.Count(ctx, telemetry.Conflicts, slog.String(engine.AttrPool, a.p.UserPoolID), slog.String(engine.AttrIdentifier, identifier))
	return &rserrors.ConflictError{UserPoolID: a.p.UserPoolID, Identifier: identifier, Attempts: attempts}
}
