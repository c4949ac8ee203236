package resourceserver

import (
	"context"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/pace"
)

// The quota categories of the resource-server operations.
const (
	read  = pace.ResourceRead
	write = pace.ResourceUpdate
)

// send makes one SDK call for pool in quota category cat through the one
// call path, [engine.Send]: the Client's ClientOptions and pacer, the
// wire time, the error mapped by rserrors.From.
func send[In, Out any](ctx context.Context, c *Client, pool string, cat pace.Category,
	call func(context.Context, In, ...func(*cip.Options)) (Out, error), in In) (Out, time.Duration, error) {
	return engine.Send(ctx, c.caller, pool, cat, call, in)
}
