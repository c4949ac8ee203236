package engine_test

import (
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestConstructorsRefuseBadOptionsOneWay checks the one rule of every
// constructor: a value no correct program passes panics with a message
// naming the package and the option.
func TestConstructorsRefuseBadOptionsOneWay(t *testing.T) {
	t.Parallel()
	api := &cip.Client{}
	tests := []struct {
		name, want string
		do         func()
	}{
		{"resourceserver nil", "resourceserver: New called with a nil", func() { resourceserver.New(nil) }},
		{"resourceserver nil pointer", "resourceserver: New called with a nil *cognitoidentityprovider.Client", func() { resourceserver.New((*cip.Client)(nil)) }},
		{"resourceserver MaxAttempts", "resourceserver: Options.MaxAttempts is -1", func() {
			resourceserver.New(api, func(o *resourceserver.Options) { o.MaxAttempts = -1 })
		}},
		{"appclient nil pointer", "appclient: New called with a nil *cognitoidentityprovider.Client", func() { appclient.New((*cip.Client)(nil)) }},
		{"appclient MaxAttempts", "appclient: Options.MaxAttempts is -2", func() {
			appclient.New(api, func(o *appclient.Options) { o.MaxAttempts = -2 })
		}},
		{"appclient Parallelism", "appclient: Options.Parallelism is -1", func() {
			appclient.New(api, func(o *appclient.Options) { o.Parallelism = -1 })
		}},
		{"reconcile nil", "reconcile: New called with a nil", func() { reconcile.New(nil, nil) }},
		{"reconcile Parallelism", "reconcile: Options.Parallelism is -1", func() {
			reconcile.New(api, nil, func(o *reconcile.Options) { o.Parallelism = -1 })
		}},
		{"reconcile MaxAttempts", "reconcile: Options.MaxAttempts is -1", func() {
			reconcile.New(api, nil, func(o *reconcile.Options) { o.MaxAttempts = -1 })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, tt.want) {
					t.Errorf("panic = %q, want one starting %q", msg, tt.want)
				}
			}()
			tt.do()
		})
	}
}
