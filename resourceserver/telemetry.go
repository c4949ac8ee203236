package resourceserver

import (
	"context"

	"github.com/scopekeeper/scopekeeper/internal/engine"
)

// start starts the span of the public operation op, such as
// "resourceserver.AddScope", on a resource server (identifier empty for a
// whole pool); see telemetry.Telemetry.Op and docs/observability.md.
func (c *Client) start(ctx context.Context, op, poolID, identifier string) (context.Context, func(error)) {
	return c.caller.Telemetry.Op(ctx, op, poolID, engine.AttrIdentifier, identifier)
}
