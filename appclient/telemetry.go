package appclient

import (
	"context"

	"github.com/scopekeeper/scopekeeper/internal/engine"
)

// start starts the span of the public operation op on an app client
// (clientID empty for a whole pool); see telemetry.Telemetry.Op and
// docs/observability.md.
func (c *Client) start(ctx context.Context, op, poolID, clientID string) (context.Context, func(error)) {
	return c.caller.Telemetry.Op(ctx, "appclient", op, poolID, engine.AttrClientID, clientID)
}
