package resourceserver

import (
	"context"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// send makes one SDK call for pool in quota category cat: it is the one
// path every request of a Client takes. It paces the call, adds the
// per-call options (the Client's and Options.ClientOptions), times it
// without the pacing wait, and maps an error with rserrors.From.
func send[In, Out any](ctx context.Context, c *Client, pool string, cat category,
	call func(context.Context, In, ...func(*cip.Options)) (Out, error), in In) (Out, time.Duration, error) {
	var zero Out
	if err := c.pace.wait(ctx, pool, cat); err != nil {
		return zero, 0, err
	}
	sent := time.Now()
	out, err := call(ctx, in, c.callOpt...)
	took := time.Since(sent)
	if err != nil {
		return zero, took, rserrors.From(err)
	}
	return out, took, nil
}
