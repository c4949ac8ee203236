package appclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
)

// TestGrantsIsPaced checks that Grants spaces its app-client reads at
// ReadRate: 1 List + 20 Describes at 100 per second, burst 1, cannot take
// less than 200ms however parallel the Describes are. It compares with a
// run without limits, as a ratio.
func TestGrantsIsPaced(t *testing.T) {
	const n, perSecond = 20, 100
	run := func(opts func(*appclient.Options)) time.Duration {
		c := appclient.New(grantsFake(n), opts)
		start := time.Now()
		if _, err := c.Grants(context.Background(), testPool); err != nil {
			t.Fatalf("Grants() error = %v", err)
		}
		return time.Since(start)
	}
	free := run(func(o *appclient.Options) { o.DisableRateLimit = true })
	paced := run(func(o *appclient.Options) { o.ReadRate = perSecond; o.Parallelism = 8 })
	floor := time.Duration(n) * time.Second / perSecond // the first read goes at once
	if paced < floor {
		t.Errorf("Grants of %d clients at %d/s took %v, want at least %v", n, perSecond, paced, floor)
	}
	t.Logf("paced %v, unpaced %v (%.0fx)", paced, free, float64(paced)/float64(max(free, 1)))
}
