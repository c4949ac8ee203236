package resourceserver

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestWithoutQuotaRetries(t *testing.T) {
	t.Parallel()
	t.Run("nil stays nil", func(t *testing.T) {
		var o cip.Options
		withoutQuotaRetries(&o)
		if o.Retryer != nil {
			t.Errorf("Retryer = %T, want nil", o.Retryer)
		}
	})
	t.Run("wraps once and keeps the wrapped retryer's answers", func(t *testing.T) {
		o := cip.Options{Retryer: retry.AddWithMaxAttempts(retry.NewStandard(), 7)}
		withoutQuotaRetries(&o)
		withoutQuotaRetries(&o)
		w, ok := o.Retryer.(noQuotaRetry)
		if !ok {
			t.Fatalf("Retryer = %T, want noQuotaRetry", o.Retryer)
		}
		if _, twice := w.RetryerV2.(noQuotaRetry); twice {
			t.Errorf("Retryer wrapped twice")
		}
		if got := o.Retryer.MaxAttempts(); got != 7 {
			t.Errorf("MaxAttempts() = %d, want 7", got)
		}
		if _, ok := o.Retryer.(aws.RetryerV2); !ok {
			t.Errorf("Retryer %T is not an aws.RetryerV2", o.Retryer)
		}
		tests := []struct {
			err  error
			want bool
		}{
			{&types.LimitExceededException{}, false},
			{&types.TooManyRequestsException{}, true},
			{&types.ResourceNotFoundException{}, false},
		}
		for _, tt := range tests {
			if got := o.Retryer.IsErrorRetryable(tt.err); got != tt.want {
				t.Errorf("IsErrorRetryable(%T) = %t, want %t", tt.err, got, tt.want)
			}
		}
	})
}
