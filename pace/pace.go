package pace

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// Writes reports whether c is one of the categories of writes above,
// ResourceUpdate or ClientUpdate.
func (c Category) Writes() bool { return c == ResourceUpdate || c == ClientUpdate }

// Defaults of Config.
const (
	// DefaultCeiling is Cognito's per-pool quota of each category above, in
	// requests per second.
	DefaultCeiling = 5
	// DefaultThrottleRetries is how many times one call is sent again after
	// a TooManyRequestsException before the throttle reaches the caller.
	DefaultThrottleRetries = 16
)

// DefaultAccountCeilings returns Cognito's account-wide quotas of the four
// categories above, in requests per second over every user pool of one
// account in one Region: 20 for UserPoolResourceRead, 15 for each of the
// others. Pass it as Config.AccountCeilings. Each call returns a new map.
func DefaultAccountCeilings() map[Category]float64 {
	return map[Category]float64{ResourceRead: 20, ResourceUpdate: 15, ClientRead: 15, ClientUpdate: 15}
}

// Config configures a Pacer.
type Config struct {
	// Ceilings holds the quota, in requests per second to one user pool,
	// of each paced category; the Pacer sends at most 97% of it and adapts
	// its rate below that. A category missing from a non-nil map is not
	// paced. Nil means the four categories above, each at DefaultCeiling.
	// Each value must be a positive, finite number.
	Ceilings map[Category]float64

	// AccountCeilings holds the quota, in requests per second over every
	// user pool of one Region (the prefix of the pool ID before "_"), of
	// each category paced account-wide; [DefaultAccountCeilings] returns
	// Cognito's. A request of such a category then waits for a slot of its
	// pool and one of its Region, and leaves when it has both; the Pacer
	// sends at most 97% of each ceiling. Nil (the default) paces no
	// category account-wide. The Pacer takes every pool it paces to belong
	// to one account: give each account its own Pacer. Each value must be
	// a positive, finite number.
	AccountCeilings map[Category]float64

	// ThrottleRetries is how many times a call is sent again, each time
	// after its pacing wait, when Cognito answers TooManyRequestsException.
	// Zero means DefaultThrottleRetries; a negative value means none.
	ThrottleRetries int

	// Logger receives one record per decision: a throttle and the rate it
	// leads to (Info), a pacing wait longer than a second (Info). Nil is
	// silent. [Pacer.WithLogger] sends the records of some calls elsewhere.
	Logger *slog.Logger
}

// A Pacer spaces the requests sent to each (user pool, category) pair and
// adapts their rate to the throttles Cognito answers; see the package
// documentation for the model. A Pacer is safe for concurrent use; share
// one among every SDK client and every scopekeeper Client of a process
// that calls the same pools ([Default] is the one they share unless told
// otherwise). Its memory grows by a small struct per (pool, category)
// pair it has paced.
//
// A nil *Pacer paces nothing; its Option still keeps the retry rules.
type Pacer struct {
	*limiters
	log *slog.Logger
}

// limiters is the state that a Pacer and the Pacers of its WithLogger
// share.
type limiters struct {
	ceilings map[Category]float64 // per pool
	account  map[Category]float64 // per Region
	retries  int
	clk      clock

	mu  sync.Mutex
	all map[key]*limiter
}

// key names the limiter of one user pool, or of one Region's account-wide
// quota, and category.
type key struct {
	account bool   // scope is a Region
	scope   string // the user pool ID, or the Region
	cat     Category
}

// New returns a Pacer configured by cfg. It sends nothing. A ceiling that
// is not a positive, finite number gives a *rserrors.ValidationError
// naming each such field, such as "Ceilings[UserPoolResourceRead]" or
// "AccountCeilings[UserPoolClientRead]", and no Pacer.
func New(cfg Config) (*Pacer, error) {
	ceilings := cfg.Ceilings
	if ceilings == nil {
		ceilings = map[Category]float64{
			ResourceRead: DefaultCeiling, ResourceUpdate: DefaultCeiling,
			ClientRead: DefaultCeiling, ClientUpdate: DefaultCeiling,
		}
	}
	bad := checkCeilings(nil, "Ceilings", ceilings)
	bad = checkCeilings(bad, "AccountCeilings", cfg.AccountCeilings)
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
	return &Pacer{
		limiters: &limiters{
			ceilings: maps.Clone(ceilings),
			account:  maps.Clone(cfg.AccountCeilings),
			retries:  retries,
			clk:      realClock{},
			all:      make(map[key]*limiter),
		},
		log: cfg.Logger,
	}, nil
}

// checkCeilings appends to bad a violation per ceiling of m, the field
// name, that is not a positive, finite number.
func checkCeilings(bad []*rserrors.FieldError, name string, m map[Category]float64) []*rserrors.FieldError {
	for _, c := range slices.Sorted(maps.Keys(m)) {
		if v := m[c]; !(v > 0) || math.IsInf(v, 1) {
			bad = append(bad, rserrors.NewFieldError(fmt.Sprintf("%s[%s]", name, c), rserrors.RuleRange,
				"must be a positive, finite number of requests per second", fmt.Sprint(v)))
		}
	}
	return bad
}

// defaultPacer is the Pacer of Default, nil until it is first needed.
var defaultPacer atomic.Pointer[Pacer]

// Default returns the process's shared Pacer: the one last given to
// SetDefault or, if none was, one built on first use with Config{} (the
// four categories at DefaultCeiling per pool, no account-wide pacing, no
// Logger). Every resourceserver, appclient and reconcile Client built
// without a Pacer of its own paces its requests through it, so that
// together they stay within each pool's quota.
func Default() *Pacer {
	if p := defaultPacer.Load(); p != nil {
		return p
	}
	p, err := New(Config{})
	if err != nil { // Config{} holds no ceiling to refuse
		panic("pace: " + err.Error())
	}
	if defaultPacer.CompareAndSwap(nil, p) {
		return p
	}
	return defaultPacer.Load()
}

// SetDefault makes p the Pacer that Default returns, for instance one with
// AccountCeilings or a Logger. Clients keep the Pacer they got when they
// were built: call it before building them. A nil p makes Default build a
// new one on its next call.
func SetDefault(p *Pacer) {
	defaultPacer.Store(p)
}

// WithLogger returns a Pacer that paces with p's limiters, sharing their
// rates and queues, and sends the records of the calls made through its
// Option to log instead of p's Logger (nil: silent). A Client with a
// Logger of its own uses it so that its throttles and long waits are
// logged with its other decisions. WithLogger of a nil Pacer is nil.
func (p *Pacer) WithLogger(log *slog.Logger) *Pacer {
	if p == nil {
		return nil
	}
	return &Pacer{limiters: p.limiters, log: log}
}

// limiter returns the limiter of (pool, c), creating it on first use, or
// nil when c is not paced per pool; and the limiter of c for the pool's
// Region, or nil when c is not paced account-wide.
func (p *Pacer) limiter(pool string, c Category) (perPool, account *limiter) {
	if p == nil {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ceiling, ok := p.ceilings[c]; ok {
		perPool = p.getLocked(key{scope: pool, cat: c}, ceiling)
	}
	if ceiling, ok := p.account[c]; ok {
		account = p.getLocked(key{account: true, scope: Region(pool), cat: c}, ceiling)
	}
	return perPool, account
}

// getLocked returns the limiter of k, creating it with ceiling on first use.
func (p *Pacer) getLocked(k key, ceiling float64) *limiter {
	l := p.all[k]
	if l == nil {
		l = newLimiter(p.clk, ceiling)
		if !k.account {
			l.waitAttrs = waitAttrs(k.scope, k.cat)
		}
		p.all[k] = l
	}
	return l
}

// Region returns the Region of a user pool ID, the part before its "_"
// ("us-east-1" for "us-east-1_Example1"), under which AccountCeilings
// pace it; the whole ID when it has no "_".
func Region(pool string) string {
	region, _, _ := strings.Cut(pool, "_")
	return region
}

// Rate returns the rate, in requests per second, at which the Pacer now
// sends requests of category c to pool: 97% of the ceiling until a
// throttle lowers it, and +Inf when (pool, c) is not paced (a nil Pacer, or a
// category without a ceiling). The account-wide ceiling, when c has one,
// is not taken into account. It sends nothing.
func (p *Pacer) Rate(pool string, c Category) float64 {
	if p == nil {
		return math.Inf(1)
	}
	ceiling, ok := p.ceilings[c]
	if !ok {
		return math.Inf(1)
	}
	p.mu.Lock()
	l := p.all[key{scope: pool, cat: c}]
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
	l, account := p.limiter(pool, c)
	paced := l != nil || account != nil
	return func(o *cip.Options) {
		wrapRetryer(o, paced, p.throttleRetries())
		if paced {
			m := &middleware{p: p, pool: pool, cat: c, lim: l, account: account}
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
		slog.String("userPoolId", pool), slog.String("category", string(c)), slog.Float64("rate", rate))
}

// logWait records a pacing wait longer than a second.
func (p *Pacer) logWait(ctx context.Context, pool string, c Category, waited time.Duration) {
	if p.log == nil {
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "pace: long wait",
		slog.String("userPoolId", pool), slog.String("category", string(c)), slog.Duration("wait", waited))
}
