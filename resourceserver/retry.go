package resourceserver

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// noQuotaRetry wraps the SDK client's retryer so that a
// LimitExceededException, a quota that no retry can satisfy, is not
// retried; the standard retryer lists it among the throttling codes.
// Every other decision, and the attempt and retry tokens, stay with the
// wrapped retryer.
type noQuotaRetry struct {
	aws.RetryerV2
}

// IsErrorRetryable returns false for LimitExceededException and asks the
// wrapped retryer otherwise.
func (r noQuotaRetry) IsErrorRetryable(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == rserrors.CodeLimitExceeded {
		return false
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// retryerV2 adapts a Retryer without GetAttemptToken, as the SDK's retry
// package does.
type retryerV2 struct {
	aws.Retryer
}

func (r retryerV2) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}

// withoutQuotaRetries is the per-call option that every SDK call of a
// Client carries.
func withoutQuotaRetries(o *cip.Options) {
	switch r := o.Retryer.(type) {
	case nil, noQuotaRetry:
	case aws.RetryerV2:
		o.Retryer = noQuotaRetry{r}
	default:
		o.Retryer = noQuotaRetry{retryerV2{r}}
	}
}
