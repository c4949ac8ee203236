package resourceserver_test

import (
	"testing"

	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestNewRateOptions checks the rule that rate options follow in every
// package: a negative, infinite or NaN rate, or a rate set together with
// Pacer, makes New panic with a message that names the option.
func TestNewRateOptions(t *testing.T) {
	t.Parallel()
	pacetest.RateOptions(t, "resourceserver", func(r pacetest.Rates) {
		resourceserver.New(newFake(), func(o *resourceserver.Options) {
			o.ReadRate, o.UpdateRate, o.DisableRateLimit, o.Pacer = r.ReadRate, r.UpdateRate, r.DisableRateLimit, r.Pacer
		})
	})
}
