package resourceserver

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
	// read is UserPoolResourceRead: Describe and List.
	read category = iota
	// write is UserPoolResourceUpdate: Create, Update and Delete.
	write
)

// pacer holds a rate limiter per user pool and category, created lazily.
type pacer struct {
	readRate, writeRate rate.Limit

	mu    sync.Mutex
	pools map[string]*[2]*rate.Limiter
}

// newPacer returns a pacer for the rates of o, or nil when both
// categories are unlimited.
func newPacer(o Options) *pacer {
	rr, wr := limit(o.ReadRate), limit(o.UpdateRate)
	if o.DisableRateLimit || (rr == rate.Inf && wr == rate.Inf) {
		return nil
	}
	return &pacer{readRate: rr, writeRate: wr, pools: make(map[string]*[2]*rate.Limiter)}
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
		l = &[2]*rate.Limiter{rate.NewLimiter(p.readRate, 1), rate.NewLimiter(p.writeRate, 1)}
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
