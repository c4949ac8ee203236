package cognitotest

import (
	"math/rand/v2"
)

// DefaultMaxResourceServers is the number of resource servers a user pool may hold unless
// [WithMaxResourceServers] says otherwise: Cognito's default quota (adjustable to 300 in AWS).
const DefaultMaxResourceServers = 25

// DefaultRegion is the region used by [Server.Client] and in the ids of pools the emulator
// creates, unless [WithRegion] says otherwise.
const DefaultRegion = "us-east-1"

// DefaultRequestLogSize is how many requests [Server.Requests] keeps unless
// [WithRequestLogSize] says otherwise.
const DefaultRequestLogSize = 10000

// config holds the settings chosen with Options.
type config struct {
	requestLog         int
	hostCheck          bool
	maxResourceServers int
	poolRate           float64
	burst              int
	accountReadRate    float64
	accountUpdateRate  float64
	region             string
	seed               uint64
	seeded             bool
}

func defaultConfig() config {
	return config{
		maxResourceServers: DefaultMaxResourceServers,
		region:             DefaultRegion,
		requestLog:         DefaultRequestLogSize,
		hostCheck:          true,
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

// WithRateLimit sets a request-rate quota per user pool and per category: the read category is
// DescribeResourceServer and ListResourceServers, the update category is CreateResourceServer,
// UpdateResourceServer and DeleteResourceServer. Each (pool, category) pair has a token bucket
// refilled at perSecond tokens per second with a burst of max(1, int(perSecond)); a call that
// finds its bucket empty answers TooManyRequestsException (HTTP 400) and leaves the store alone.
// 0 (the default) or a negative value means no quota. Real Cognito allows 5 per second.
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
// category (see [WithRateLimit]): read for DescribeResourceServer and ListResourceServers, update
// for CreateResourceServer, UpdateResourceServer and DeleteResourceServer, each with a burst of
// max(1, int(rate)). Beyond it a call answers TooManyRequestsException. 0 (the default) means no
// quota. Real Cognito allows 20 reads and 15 updates per second per account. The account quota is
// checked after the per-pool quota, and a call refused by either consumes no account token.
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
