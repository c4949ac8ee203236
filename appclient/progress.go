package appclient

import (
	"context"
	"math"
	"sync"
	"time"
)

// Progress is how far a scan of a pool's app clients ([Client.Grants],
// [Client.Holders]) has come: enough for a progress bar and an estimate
// of the time left.
type Progress struct {
	// UserPoolID is the user pool being read.
	UserPoolID string
	// Done is how many app clients have been read (described) so far, of
	// Total, the app clients the listing found.
	Done, Total int
	// Rate is the rate at which app clients are being read, in reads per
	// second: the pacer's current rate of UserPoolClientRead for the pool
	// (below the ceiling after throttles), or the rate seen since the
	// listing ended when that is slower; +Inf when reads are not paced and
	// none has been read yet.
	Rate float64
	// Elapsed is the time since the scan started, the listing included.
	Elapsed time.Duration
}

// Remaining estimates the time the scan still takes: the reads left at
// Rate. It is 0 when nothing is left, or when Rate is not known.
func (p Progress) Remaining() time.Duration {
	left := p.Total - p.Done
	if left <= 0 || !(p.Rate > 0) || math.IsInf(p.Rate, 1) {
		return 0
	}
	return time.Duration(float64(left) / p.Rate * float64(time.Second))
}

type progressKey struct{}

// WithProgress returns a context that makes the scans of [Client.Grants]
// and [Client.Holders] called with it report their progress to fn, as
// well as to Options.Progress: the way to follow one call, as
// net/http/httptrace follows one request. A nil fn reports nothing.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progress reports the progress of one scan to Options.Progress and to
// the function in its context; calls do not overlap, and Done only grows.
type progress struct {
	mu       sync.Mutex
	fns      []func(Progress)
	p        Progress
	started  time.Time
	listedAt time.Time // when the listing ended
	rate     func() float64
}

// newProgress returns the reporter of a scan of pool started at started,
// nil when nobody listens.
func (c *Client) newProgress(ctx context.Context, pool string, started time.Time) *progress {
	var fns []func(Progress)
	if c.opts.Progress != nil {
		fns = append(fns, c.opts.Progress)
	}
	if fn, _ := ctx.Value(progressKey{}).(func(Progress)); fn != nil {
		fns = append(fns, fn)
	}
	if len(fns) == 0 {
		return nil
	}
	return &progress{fns: fns, p: Progress{UserPoolID: pool}, started: started, rate: c.clientReadRate(pool)}
}

// listed reports the end of the listing: total app clients to read.
func (r *progress) listed(total int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Total = total
	r.listedAt = time.Now()
	r.report()
}

// read reports one more app client read.
func (r *progress) read() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Done++
	r.report()
}

func (r *progress) report() {
	now := time.Now()
	r.p.Rate = r.rate()
	if seen := now.Sub(r.listedAt).Seconds(); r.p.Done > 0 && seen > 0 {
		r.p.Rate = min(r.p.Rate, float64(r.p.Done)/seen)
	}
	r.p.Elapsed = now.Sub(r.started)
	for _, fn := range r.fns {
		fn(r.p)
	}
}
