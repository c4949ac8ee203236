package cognitotest

import (
	"math/rand/v2"
	"time"
)

// DefaultMaxResourceServers is the number of resource servers a user pool may hold unless
// [WithMaxResourceServers] says otherwise: Cognito's default quota (adjustable to 300 in AWS).
const DefaultMaxResourceServers = 25

// DefaultRegion is the region used by [Server.Client] and in the ids of pools the emulator
// creates, unless [WithRegion] says otherwise.
const DefaultRegion = "us-east-1"

// DefaultMaxAppClients is the number of app clients a user pool may hold unless
// [WithMaxAppClients] says otherwise: Cognito's default quota.
const DefaultMaxAppClients = 1000

// DefaultRequestLogSize is how many requests [Server.Requests] keeps unless
// [WithRequestLogSize] says otherwise.
const DefaultRequestLogSize = 10000

// config holds the settings chosen with Options.
type config struct {
	requestLog         int
	hostCheck          bool
	maxResourceServers int
	maxAppClients      int
	inactiveScopes     bool
	poolRate           float64
	burst              int
	accountReadRate    float64
	accountUpdateRate  float64
	region             string
	seed               uint64
	seeded             bool
	clock              Clock
	timeouts           Timeouts
}

func defaultConfig() config {
	return config{
		maxResourceServers: DefaultMaxResourceServers,
		maxAppClients:      DefaultMaxAppClients,
		region:             DefaultRegion,
		requestLog:         DefaultRequestLogSize,
		hostCheck:          true,
		clock:              realClock{},
		timeouts:           DefaultTimeouts,
	}
}

func (c *config) rng() *rand.Rand {
	seed := c.seed
	if !c.seeded {
		seed = rand.Uint64()
	}
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// An Option changes a setting of a [Server] when it is created by [NewServer] or [NewServerAt].
type Option func(*config)

// WithMaxResourceServers sets how many resource servers each user pool may hold (default
// [DefaultMaxResourceServers], Cognito's default quota). A CreateResourceServer beyond it answers
// LimitExceededException. A value below 1 is treated as 1.
func WithMaxResourceServers(n int) Option {
	return func(c *config) { c.maxResourceServers = max(1, n) }
}

// WithRateLimit sets a request-rate quota per user pool and per category, Cognito's four:
// UserPoolResourceRead (DescribeResourceServer, ListResourceServers), UserPoolResourceUpdate
// (CreateResourceServer, UpdateResourceServer, DeleteResourceServer), UserPoolClientRead
// (DescribeUserPoolClient, ListUserPoolClients) and UserPoolClientUpdate (CreateUserPoolClient,
// UpdateUserPoolClient, DeleteUserPoolClient). Each (pool, category) pair has a token bucket
// refilled at perSecond tokens per second with a burst of max(1, int(perSecond)) (see
// [WithBurst]); a call that finds its bucket empty answers TooManyRequestsException (HTTP 400)
// and leaves the store alone. 0 (the default) or a negative value means no quota. Real Cognito
// allows 5 per second for each.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) { c.poolRate = max(0, perSecond) }
}

// WithBurst sets the burst of every token bucket of [WithRateLimit] and
// [WithAccountRateLimit]: how many calls may arrive at once after a quiet
// spell. 0 (the default) means max(1, int(rate)); 1 is the strictest quota,
// which refuses any call that arrives sooner than 1/rate after the last one
// it let through.
func WithBurst(n int) Option {
	return func(c *config) { c.burst = max(0, n) }
}

// WithAccountRateLimit sets a request-rate quota over all user pools, one token bucket per
// category (see [WithRateLimit]): read is the rate of each read category (UserPoolResourceRead,
// UserPoolClientRead), update that of each update category (UserPoolResourceUpdate,
// UserPoolClientUpdate), each bucket with a burst of max(1, int(rate)). Beyond it a call answers
// TooManyRequestsException. 0 (the default) means no quota. Real Cognito allows 20 resource-server
// reads and 15 resource-server updates per second per account. The account quota is checked
// after the per-pool quota, and a call refused by either consumes no account token.
func WithAccountRateLimit(read, update float64) Option {
	return func(c *config) {
		c.accountReadRate = max(0, read)
		c.accountUpdateRate = max(0, update)
	}
}

// WithRegion sets the region [Server.Client] signs for and the prefix of the ids of pools created
// by [Server.CreateUserPool] and by the CreateUserPool operation (default [DefaultRegion]). The
// region must be made of letters, digits and '-', or [NewServerAt] fails ([NewServer] panics);
// "" keeps the default.
func WithRegion(region string) Option {
	return func(c *config) {
		if region != "" {
			c.region = region
		}
	}
}

// WithSeed seeds the emulator's random source, which picks the faults of [Server.SetFaultRate]
// and the ids of created user pools, so that a test can repeat a run exactly (given the same
// sequence of calls). Without it the source is seeded randomly.
func WithSeed(seed uint64) Option {
	return func(c *config) {
		c.seed = seed
		c.seeded = true
	}
}

// WithRequestLogSize sets how many requests the log of [Server.Requests] keeps (default
// [DefaultRequestLogSize]): once it is full, each new request pushes out the oldest one, so that
// a long-running emulator does not grow without limit. 0 or a negative value keeps none.
func WithRequestLogSize(n int) Option {
	return func(c *config) { c.requestLog = max(0, n) }
}

// WithHostCheck turns the Host check on (the default) or off. With it on, the emulator answers
// only requests whose Host header names localhost or a loopback address (127.0.0.0/8, [::1]),
// with or without a port; any other gets 403 AccessDeniedException, and nothing is done. A web
// page cannot then reach the emulator through a name of its own that it makes resolve to
// 127.0.0.1 (DNS rebinding). Turn it off only to reach the emulator through another name that
// resolves to a loopback address, such as one in /etc/hosts.
func WithHostCheck(on bool) Option {
	return func(c *config) { c.hostCheck = on }
}

// WithMaxAppClients sets how many app clients each user pool may hold (default
// [DefaultMaxAppClients], Cognito's default quota). A CreateUserPoolClient beyond it answers
// LimitExceededException. A value below 1 is treated as 1.
func WithMaxAppClients(n int) Option {
	return func(c *config) { c.maxAppClients = max(1, n) }
}

// WithInactiveScopes decides what UpdateUserPoolClient does with an inactive scope: one that the
// app client already allows in AllowedOAuthScopes but that is no longer defined, because it was
// removed from its resource server or the server was deleted. Whether Cognito accepts such a scope
// sent back is not documented. With accept false (the default, the strict side) the request is
// refused with ScopeDoesNotExistException like any scope that does not exist; with accept true
// it is kept, still inactive. A scope the client does not already allow must exist in either
// case, and CreateUserPoolClient always requires every scope to exist.
func WithInactiveScopes(accept bool) Option {
	return func(c *config) { c.inactiveScopes = accept }
}

// Timeouts bound how long a server made by [NewServer] or [NewServerAt] waits on a client's
// connection, so that a client that sends its request slowly, or keeps an idle connection open,
// cannot hold a connection forever. They are net/http.Server's timeouts of the same names: zero
// or a negative value means no limit (and an Idle of zero means Read). They do not apply to
// [NewInProcessServer], which has no connections, and they do not bound a [Fault]'s Delay, which
// begins once the request has been read.
type Timeouts struct {
	// ReadHeader is how long a client has to send a request's headers.
	ReadHeader time.Duration
	// Read is how long a client has to send a whole request, body included.
	Read time.Duration
	// Idle is how long a kept-alive connection may wait for the next request.
	Idle time.Duration
}

// DefaultTimeouts are the [Timeouts] of a server unless [WithTimeouts] says otherwise: far
// longer than any request of an SDK needs on a loopback connection. Idle is longer than the 90
// seconds after which Go's HTTP clients (the AWS SDK's among them) close an idle connection, so
// that the client, not the server, ends an idle connection, and no request is sent on one the
// server is closing.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Idle: 2 * time.Minute}

// WithTimeouts sets the connection timeouts of a server made by [NewServer] or [NewServerAt]
// (default [DefaultTimeouts]).
func WithTimeouts(t Timeouts) Option {
	return func(c *config) { c.timeouts = t }
}
