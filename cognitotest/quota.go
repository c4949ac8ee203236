package cognitotest

import (
	"time"
)

// category is a rate-quota category of Cognito.
type category int

const (
	categoryNone         category = iota // no quota (the user-pool operations)
	categoryRead                         // UserPoolResourceRead: Describe, List
	categoryUpdate                       // UserPoolResourceUpdate: Create, Update, Delete
	categoryClientRead                   // UserPoolClientRead: Describe, List
	categoryClientUpdate                 // UserPoolClientUpdate: Create, Update, Delete
)

// bucketKey names a token bucket: a pool's (pool != "") or the account's, for one category.
type bucketKey struct {
	account bool
	pool    string
	cat     category
}

// bucket is a token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills the bucket for the time elapsed since its last use and takes a token if one is
// there.
func (b *bucket) take(now time.Time, rate float64, burstSetting int) bool {
	burst := float64(max(1, int(rate)))
	if burstSetting > 0 {
		burst = float64(burstSetting)
	}
	if b.last.IsZero() {
		b.tokens = burst
	} else if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// peek reports whether take would succeed, without taking.
func (b *bucket) peek(now time.Time, rate float64, burst int) bool {
	c := *b
	return c.take(now, rate, burst)
}

func (s *Server) bucketLocked(k bucketKey) *bucket {
	b, ok := s.buckets[k]
	if !ok {
		b = &bucket{}
		s.buckets[k] = b
	}
	return b
}

// allow applies the per-pool and per-account quotas of a call, or answers
// TooManyRequestsException. A refused call takes no token.
func (s *Server) allow(cat category, poolID string, now time.Time) *apiError {
	if cat == categoryNone {
		return nil
	}
	accountRate := s.cfg.accountReadRate
	if cat == categoryUpdate || cat == categoryClientUpdate {
		accountRate = s.cfg.accountUpdateRate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var poolBucket, accountBucket *bucket
	if s.cfg.poolRate > 0 {
		poolBucket = s.bucketLocked(bucketKey{pool: poolID, cat: cat})
		if !poolBucket.peek(now, s.cfg.poolRate, s.cfg.burst) {
			return errorf(codeTooManyRequests, "Too many requests")
		}
	}
	if accountRate > 0 {
		accountBucket = s.bucketLocked(bucketKey{account: true, cat: cat})
		if !accountBucket.peek(now, accountRate, s.cfg.burst) {
			return errorf(codeTooManyRequests, "Too many requests")
		}
		accountBucket.take(now, accountRate, s.cfg.burst)
	}
	if poolBucket != nil {
		poolBucket.take(now, s.cfg.poolRate, s.cfg.burst)
	}
	return nil
}
