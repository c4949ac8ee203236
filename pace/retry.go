package pace

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// retryer wraps the retryer of one call. Its rules:
//
//   - LimitExceededException (a quota no retry can satisfy, which the
//     standard retryer counts as throttling) and a *WaitError are never
//     retried.
//   - When the call is paced, a TooManyRequestsException is retried up to
//     throttles times, with no retry delay (the pacing middleware spaces
//     the attempt) and without a retry-quota token of the wrapped retryer,
//     so throttles cannot drain the quota that protects against outages.
//     The attempts this adds come on top of the wrapped retryer's
//     MaxAttempts.
//   - Every other error keeps the wrapped retryer's rules, counting only
//     the attempts that were not throttled.
//
// A retryer is made per call (by the option of Pacer.Option, which the
// SDK runs for each call), so it may count the call's attempts; the SDK
// calls it from one goroutine at a time.
type retryer struct {
	aws.RetryerV2
	paced     bool
	budget    int // throttle retries allowed
	attempts  int // attempts started
	throttles int // attempts throttled
	counted   int // the attempt whose throttle was last counted
}

// wrapRetryer replaces o's retryer with a retryer around it. A retry
// maximum set on o for this call is applied to the wrapped retryer here,
// where the SDK would otherwise wrap it around ours.
func wrapRetryer(o *cip.Options, paced bool, budget int) {
	inner := o.Retryer
	if r, ok := inner.(*retryer); ok {
		inner = r.RetryerV2
	}
	if inner == nil {
		inner = retry.NewStandard()
	}
	if o.RetryMaxAttempts != 0 {
		inner = retry.AddWithMaxAttempts(inner, o.RetryMaxAttempts)
		o.RetryMaxAttempts = 0
	}
	v2, ok := inner.(aws.RetryerV2)
	if !ok {
		v2 = retryerV2{inner}
	}
	o.Retryer = &retryer{RetryerV2: v2, paced: paced, budget: budget}
}

// throttle reports whether err is a throttle that this retryer handles.
func (r *retryer) throttle(err error) bool {
	return r.paced && isCode(err, rserrors.CodeTooManyRequests)
}

// MaxAttempts returns the wrapped retryer's maximum plus the throttle
// budget when the call is paced; 0 (no maximum) stays 0.
func (r *retryer) MaxAttempts() int {
	n := r.RetryerV2.MaxAttempts()
	if n == 0 || !r.paced {
		return n
	}
	return n + r.budget
}

// GetAttemptToken counts the attempt and asks the wrapped retryer.
func (r *retryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	r.attempts++
	return r.RetryerV2.GetAttemptToken(ctx)
}

// IsErrorRetryable applies the rules of retryer to the error of the
// current attempt.
func (r *retryer) IsErrorRetryable(err error) bool {
	var werr *WaitError
	switch {
	case errors.As(err, &werr), isCode(err, rserrors.CodeLimitExceeded):
		return false
	case r.throttle(err):
		if r.counted != r.attempts {
			r.counted = r.attempts
			r.throttles++
		}
		return r.throttles <= r.budget
	}
	if !r.RetryerV2.IsErrorRetryable(err) {
		return false
	}
	n := r.RetryerV2.MaxAttempts()
	return !r.paced || n == 0 || r.attempts-r.throttles < n
}

// GetRetryToken costs nothing for a throttle and asks the wrapped retryer
// otherwise.
func (r *retryer) GetRetryToken(ctx context.Context, err error) (func(error) error, error) {
	if r.throttle(err) {
		return func(error) error { return nil }, nil
	}
	return r.RetryerV2.GetRetryToken(ctx, err)
}

// RetryDelay is zero for a throttle, whose next attempt waits for its
// pacing slot; otherwise it is the wrapped retryer's delay for the
// attempt's rank among the attempts that were not throttled.
func (r *retryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if r.throttle(err) {
		return 0, nil
	}
	return r.RetryerV2.RetryDelay(max(1, attempt-r.throttles), err)
}

// retryerV2 adapts a Retryer without GetAttemptToken, as the SDK's retry
// package does.
type retryerV2 struct {
	aws.Retryer
}

// GetAttemptToken returns the wrapped retryer's initial token.
func (r retryerV2) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}
