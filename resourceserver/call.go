package resourceserver

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
)

// The quota categories of the resource-server operations.
const (
	read  = pace.ResourceRead
	write = pace.ResourceUpdate
)

// send makes one SDK call for pool in quota category cat: it is the one
// path every request of a Client takes. The call carries
// Options.ClientOptions, then the pacer's option, which waits for a pacing
// slot before every attempt (the SDK's retries included), adapts the rate
// to throttles and retries them, and never retries
// LimitExceededException. send returns how long the last attempt took on
// the wire, without pacing waits, and maps an error with rserrors.From.
func send[In, Out any](ctx context.Context, c *Client, pool string, cat pace.Category,
	call func(context.Context, In, ...func(*cip.Options)) (Out, error), in In) (Out, time.Duration, error) {
	var zero Out
	if err := ctx.Err(); err != nil {
		return zero, 0, err
	}
	var wire atomic.Int64 // nanoseconds of the last attempt, once sent
	opts := append(slices.Clip(c.callOpt), c.pace.Option(pool, cat), timeAttempts(&wire))
	start := time.Now()
	out, err := call(ctx, in, opts...)
	took := time.Duration(wire.Load())
	if took == 0 { // an API that is not the SDK's client runs no middleware
		took = time.Since(start)
	}
	if err != nil {
		return zero, took, rserrors.From(err)
	}
	return out, took, nil
}

// timeAttempts returns the per-call option that records, in d, how long
// each attempt of the call takes from the end of the Finalize step (after
// pacing and signing) to its answer.
func timeAttempts(d *atomic.Int64) func(*cip.Options) {
	return func(o *cip.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("scopekeeperTimeAttempt",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					start := time.Now()
					out, md, err := next.HandleFinalize(ctx, in)
					d.Store(int64(max(time.Since(start), 1)))
					return out, md, err
				}), middleware.After)
		})
	}
}
