// Package wait holds the waits that the read-modify-writes of package
// resourceserver, appclient and reconcile share: the backoff before a
// rewrite, the settle wait before a verifying read, and a sleep that ends
// with its context, which dynamolock's polls use too.
package wait

import (
	"context"
	"math/rand/v2"
	"time"
)

// MaxSettle bounds the wait before a verifying read.
const MaxSettle = 2 * time.Second

// Backoff is the default wait before the attempt-th rewrite (attempt
// starts at 1) of a change that verification found overwritten:
// exponential backoff with full jitter, a random delay up to
// 100ms×2^(attempt-1), capped at 2s.
func Backoff(attempt int) time.Duration {
	const base, ceiling = 100 * time.Millisecond, 2 * time.Second
	d := ceiling
	if attempt < 6 {
		d = min(base<<(max(attempt, 1)-1), ceiling)
	}
	return rand.N(d + 1)
}

// Settle returns how long to wait between a write and the read that
// verifies it: twice as long as the read the write was based on and the
// write itself took, at most MaxSettle. Another writer that read before
// this write landed may have its own, stale, write on the way, which takes
// about a read's answer and a write's request to arrive; verifying after
// it has landed lets verification see it. The figures that led to twice
// are in docs/verification.md.
func Settle(readTook, writeTook time.Duration) time.Duration {
	return min(2*(readTook+writeTook), MaxSettle)
}

// Sleep waits for d or until ctx is done, and returns ctx's error if it
// is; a d of zero or less only checks ctx.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
