package appclient

import (
	"context"
	"log/slog"

	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// noEnd is the end of an operation that is not traced.
func noEnd(error) {}

// start starts the span of the public operation op on an app client
// (clientID empty for a whole pool) and returns the context that carries
// it and the function that ends it with the operation's error. See
// docs/observability.md.
func (c *Client) start(ctx context.Context, op, poolID, clientID string) (context.Context, func(error)) {
	if c.tel == nil {
		return ctx, noEnd
	}
	attrs := []slog.Attr{slog.String(telemetry.AttrPool, poolID)}
	if clientID != "" {
		attrs = append(attrs, slog.String(telemetry.AttrClientID, clientID))
	}
	ctx, span := c.tel.Start(ctx, "appclient."+op, attrs...)
	return ctx, func(err error) {
		telemetry.CountOutcome(ctx, err, attrs...)
		span.End(err)
	}
}
