package pace

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Category is one of Cognito's request-rate quota categories, named as the
// Cognito quotas page names it. Categories are data: any string can be a
// key of Config.Ceilings.
type Category string

// The categories of the user-pool operations that scopekeeper sends.
const (
	// ResourceRead is UserPoolResourceRead: DescribeResourceServer and
	// ListResourceServers.
	ResourceRead Category = "UserPoolResourceRead"
	// ResourceUpdate is UserPoolResourceUpdate: CreateResourceServer,
	// UpdateResourceServer and DeleteResourceServer.
	ResourceUpdate Category = "UserPoolResourceUpdate"
	// ClientRead is UserPoolClientRead: DescribeUserPoolClient and
	// ListUserPoolClients.
	ClientRead Category = "UserPoolClientRead"
	// ClientUpdate is UserPoolClientUpdate: CreateUserPoolClient,
	// UpdateUserPoolClient and DeleteUserPoolClient.
	ClientUpdate Category = "UserPoolClientUpdate"
)

// Defaults of Config.
const (
	// DefaultCeiling is Cognito's per-pool quota of each category above, in
	// requests per second.
	DefaultCeiling = 5
	// DefaultThrottleRetries is how many times one call is sent again after
	// a TooManyRequestsException before the throttle reaches the caller.
	DefaultThrottleRetries = 16
)

// Config configures a Pacer.
type Config struct {
	// Ceilings holds the quota, in requests per second to one user pool,
	// of each paced category; the Pacer sends at most 97% of it and adapts
	// its rate below that. A category missing from a non-nil map is not
	// paced. Nil means the four categories above, each at DefaultCeiling.
	// Each value must be a positive, finite number.
	Ceilings map[Category]float64

	// ThrottleRetries is how many times a call is sent again, each time
	// after its pacing wait, when Cognito answers TooManyRequestsException.
	// Zero means DefaultThrottleRetries; a negative value means none.
	ThrottleRetries int

	// Logger receives one record per decision: a throttle and the rate it
	// leads to (Info), a pacing wait longer than a second (Info). Nil is
	// silent.
	Logger *slog.Logger
}

// A Pacer spaces the requests sent to each (user pool, category) pair and
// adapts their rate to the throttles Cognito answers; see the package
// documentation for the model. A Pacer is safe for concurrent use; share
// one among every SDK client of a process that calls the same pools. Its
// memory grows by a small struct per (pool, category) pair it has paced.
//
// A nil *Pacer paces nothing; its Option still keeps the retry rules.
type Pacer struct {
	ceilings map[Category]float64
	retries  int
	log      *slog.Logger
	clk      clock

	mu       sync.Mutex
	limiters map[key]*limiter
}

// key names the limiter of one user pool and category.
type key struct {
	pool string
	cat  Category
}

// New returns a Pacer configured by cfg. It sends nothing. A ceiling that
// is not a positive, finite number gives a *rserrors.ValidationError
// naming each such field, such as "Ceilings[UserPoolResourceRead]", and
// no Pacer.
func New(cfg Config) (*Pacer, error) {
	ceilings := cfg.Ceilings
	if ceilings == nil {
		ceilings = map[Category]float64{
			ResourceRead: DefaultCeiling, ResourceUpdate: DefaultCeiling,
			ClientRead: DefaultCeiling, ClientUpdate: DefaultCeiling,
		}
	}
	var bad []*rserrors.FieldError
	for _, c := range slices.Sorted(maps.Keys(ceilings)) {
		if v := ceilings[c]; !(v > 0) || math.IsInf(v, 1) {
			bad = append(bad, rserrors.NewFieldError(fmt.Sprintf("Ceilings[%s]", c), rserrors.RuleRange,
				"must be a positive, finite number of requests per second", fmt.Sprint(v)))
		}
	}
	if len(bad) > 0 {
		return nil, &rserrors.ValidationError{Operation: "pace.New", Violations: bad}
	}
	retries := cfg.ThrottleRetries
	switch {
	case retries == 0:
		retries = DefaultThrottleRetries
	case retries < 0:
		retries = 0
	}
	p := &Pacer{
		ceilings: make(map[Category]float64, len(ceilings)),
		retries:  retries,
		log:      cfg.Logger,
		clk:      realClock{},
		limiters: make(map[key]*limiter),
	}
	maps.Copy(p.ceilings, ceilings)
	return p, nil
}

// limiter returns the limiter of (pool, c), creating it on first use, or
// nil when c is not paced.
func (p *Pacer) limiter(pool string, c Category) *limiter {
	if p == nil {
		return nil
	}
	ceiling, ok := p.ceilings[c]
	if !ok {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := key{pool, c}
	l := p.limiters[k]
	if l == nil {
		l = newLimiter(p.clk, ceiling)
		p.limiters[k] = l
	}
	return l
}

// Rate returns the rate, in requests per second, at which the Pacer now
// sends requests of category c to pool: 97% of the ceiling until a
// throttle lowers it, and +Inf when (pool, c) is not paced (a nil Pacer, or a
// category without a ceiling). It sends nothing.
func (p *Pacer) Rate(pool string, c Category) float64 {
	if p == nil {
		return math.Inf(1)
	}
	ceiling, ok := p.ceilings[c]
	if !ok {
		return math.Inf(1)
	}
	p.mu.Lock()
	l := p.limiters[key{pool, c}]
	p.mu.Unlock()
	if l == nil {
		return ceiling * headroom
	}
	return l.current()
}

// Option returns the per-call option of one SDK call to pool whose
// operation belongs to category c, to be passed last among the call's
// options (after any that set Retryer or RetryMaxAttempts):
//
//	out, err := client.DescribeResourceServer(ctx, in, p.Option(pool, pace.ResourceRead))
//
// It adds a middleware that waits for a pacing slot before every attempt
// of the call, retries included, and adapts the rate to the answer; and it
// wraps the call's retryer (see the package documentation, "Retries").
// It sends nothing itself. The call then fails with a *WaitError when its
// context ends during a pacing wait, or when the wait would outlast the
// context's deadline.
func (p *Pacer) Option(pool string, c Category) func(*cip.Options) {
	l := p.limiter(pool, c)
	return func(o *cip.Options) {
		wrapRetryer(o, l != nil, p.throttleRetries())
		if l != nil {
			m := &middleware{p: p, pool: pool, cat: c, lim: l}
			o.APIOptions = append(o.APIOptions, m.add)
		}
	}
}

func (p *Pacer) throttleRetries() int {
	if p == nil {
		return 0
	}
	return p.retries
}

// WaitError reports that a call was not sent because its context ended
// while it waited for its pacing slot, or would have ended before the
// slot. Err is the context's error, or an error wrapping
// context.DeadlineExceeded that says how long the wait would have been.
type WaitError struct {
	// Pool is the user pool the call was for.
	Pool string
	// Category is the call's quota category.
	Category Category
	// Err is the reason, matched by errors.Is with context.Canceled or
	// context.DeadlineExceeded.
	Err error
}

// Error returns "pace: <category> request to <pool>: <Err>".
func (e *WaitError) Error() string {
	return fmt.Sprintf("pace: %s request to %s: %v", e.Category, e.Pool, e.Err)
}

// Unwrap returns Err.
func (e *WaitError) Unwrap() error { return e.Err }

// logThrottle records that a throttle lowered the rate of (pool, c).
func (p *Pacer) logThrottle(ctx context.Context, pool string, c Category, rate float64) {
	if p.log == nil {
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "pace: throttled, rate lowered",
		slog.String("pool", pool), slog.String("category", string(c)), slog.Float64("rate", rate))
}

// logWait records a pacing wait longer than a second.
func (p *Pacer) logWait(ctx context.Context, pool string, c Category, waited time.Duration) {
	if p.log == nil {
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "pace: long wait",
		slog.String("pool", pool), slog.String("category", string(c)), slog.Duration("wait", waited))
}
