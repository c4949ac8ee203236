package engine

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/gate"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/pace"
)

// The log attributes every package writes, named as the Cognito API names
// the members; spans and metrics use the same.
const (
	AttrPool       = telemetry.AttrPool
	AttrIdentifier = telemetry.AttrIdentifier
	AttrClientID   = telemetry.AttrClientID
)

// Caller holds what every SDK call of a Client carries.
type Caller struct {
	// Pacer paces each attempt; nil sends at once (and keeps pace's retry
	// rules: LimitExceededException is never retried).
	Pacer *pace.Pacer
	// Options are the Client's Options.ClientOptions, nil entries dropped,
	// applied before the pacer's option.
	Options []func(*cip.Options)
	// Telemetry traces and measures the Client's operations; nil: none.
	// The engine needs none of its own: it finds the operation's in the
	// context (telemetry.StartChild).
	Telemetry *telemetry.Telemetry
}

// NewCaller returns the Caller of a Client paced by p with the options
// opts (nil entries are dropped).
func NewCaller(p *pace.Pacer, opts []func(*cip.Options)) *Caller {
	return &Caller{Pacer: p, Options: slices.Clip(slices.DeleteFunc(slices.Clone(opts), func(f func(*cip.Options)) bool { return f == nil }))}
}

// Send makes one SDK call to pool in quota category cat: it is the one
// path every request takes. The call carries c.Options, then the pacer's
// option, which waits for a pacing slot before every attempt (the SDK's
// retries included), adapts the rate to throttles and retries them, and
// never retries LimitExceededException. Send returns how long the last
// attempt took on the wire, pacing waits left out, and maps an error with
// rserrors.From. It sends nothing when ctx is done.
func Send[In, Out any](ctx context.Context, c *Caller, pool string, cat pace.Category,
	call func(context.Context, In, ...func(*cip.Options)) (Out, error), in In) (Out, time.Duration, error) {
	var zero Out
	if err := ctx.Err(); err != nil {
		return zero, 0, err
	}
	var g *gate.Gate // a write's: stopped before it is sent, marked once it is
	if cat.Writes() {
		g = gate.From(ctx)
		if err := g.Check(); err != nil {
			return zero, 0, err
		}
	}
	var wire atomic.Int64 // nanoseconds of the last attempt, once sent
	opts := append(slices.Clip(c.Options), c.Pacer.Option(pool, cat), timeAttempts(&wire, g))
	start := time.Now()
	out, err := call(ctx, in, opts...)
	took := time.Duration(wire.Load())
	if took == 0 { // an API that is not the SDK's client runs no middleware
		took = time.Since(start)
		if !errors.Is(err, gate.ErrStopped) {
			g.MarkSent() // as far as this side can tell
		}
	}
	if err != nil {
		return zero, took, rserrors.From(err)
	}
	return out, took, nil
}

// timeAttempts returns the per-call option that records, in d, how long
// each attempt of the call takes from the end of the Finalize step (after
// pacing and signing) to its answer.
func timeAttempts(d *atomic.Int64, g *gate.Gate) func(*cip.Options) {
	return func(o *cip.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("scopekeeperTimeAttempt",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					g.MarkSent()
					start := time.Now()
					out, md, err := next.HandleFinalize(ctx, in)
					d.Store(int64(max(time.Since(start), 1)))
					return out, md, err
				}), middleware.After)
		})
	}
}

// Log writes one record to l (nil is silent): msg prefixed with the
// package name pkg, and attrs.
func Log(ctx context.Context, l *slog.Logger, level slog.Level, pkg, msg string, attrs ...slog.Attr) {
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	l.LogAttrs(ctx, level, pkg+": "+msg, attrs...)
}

// ResourceServerLockKey is the Locker key of a resource server,
// "cognito-idp/<pool>/<identifier>", which resourceserver and appclient
// both take. A user pool ID cannot contain "/", so the key is
// unambiguous although an identifier may contain "/".
func ResourceServerLockKey(pool, identifier string) string {
	return "cognito-idp/" + pool + "/" + identifier
}
