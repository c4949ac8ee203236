package appclient

import (
	"context"
	"fmt"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// category is one of Cognito's request-rate quota categories.
type category int

const (
	// clientRead is UserPoolClientRead: DescribeUserPoolClient and
	// ListUserPoolClients.
	clientRead category = iota
	// clientUpdate is UserPoolClientUpdate: UpdateUserPoolClient.
	clientUpdate
	// resourceRead is UserPoolResourceRead: DescribeResourceServer and
	// ListResourceServers.
	resourceRead
	categories
)

// String returns Cognito's name of the category.
func (c category) String() string {
	switch c {
	case clientRead:
		return "UserPoolClientRead"
	case clientUpdate:
		return "UserPoolClientUpdate"
	case resourceRead:
		return "UserPoolResourceRead"
	}
	return fmt.Sprintf("category(%d)", int(c))
}

// pacer holds a rate limiter per user pool and category, created lazily.
type pacer struct {
	rates [categories]rate.Limit

	mu    sync.Mutex
	pools map[string]*[categories]*rate.Limiter
}

// newPacer returns a pacer for the rates of o, or nil when every category
// is unlimited.
func newPacer(o Options) *pacer {
	rr, ur := limit(o.ReadRate), limit(o.UpdateRate)
	if o.DisableRateLimit || (rr == rate.Inf && ur == rate.Inf) {
		return nil
	}
	return &pacer{rates: [categories]rate.Limit{rr, ur, rr}, pools: make(map[string]*[categories]*rate.Limiter)}
}

func limit(perSecond float64) rate.Limit {
	switch {
	case perSecond == 0 || math.IsNaN(perSecond):
		return DefaultRate
	case perSecond < 0:
		return rate.Inf
	}
	return rate.Limit(perSecond)
}

// wait blocks until a request of category c to pool may be sent, or ctx is
// done. A nil pacer only checks ctx.
func (p *pacer) wait(ctx context.Context, pool string, c category) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p == nil {
		return nil
	}
	p.mu.Lock()
	l := p.pools[pool]
	if l == nil {
		l = new([categories]*rate.Limiter)
		for i, r := range p.rates {
			l[i] = rate.NewLimiter(r, 1)
		}
		p.pools[pool] = l
	}
	p.mu.Unlock()
	if err := l[c].Wait(ctx); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		// Wait refuses at once when the delay would outlast the deadline.
		return fmt.Errorf("waiting for the request rate limit would exceed the context deadline: %w", context.DeadlineExceeded)
	}
	return nil
}
