package reconcile

import (
	"context"
	"log/slog"

	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// start starts the span of the operation op ("Plan", "Apply", "wave", ...)
// on pool and returns the context that carries it and the function that
// ends it with the operation's error. See docs/observability.md.
func (r *Reconciler) start(ctx context.Context, op, pool string, attrs ...slog.Attr) (context.Context, telemetry.Span) {
	if r.tel == nil {
		return ctx, telemetry.Span{}
	}
	return r.tel.Start(ctx, "reconcile."+op, append([]slog.Attr{slog.String(telemetry.AttrPool, pool)}, attrs...)...)
}
