package appclient

import (
	"github.com/scopekeeper/scopekeeper/internal/paceopt"
	"github.com/scopekeeper/scopekeeper/pace"
)

// newPacer returns the pacer of a Client configured by o, by the rule of
// paceopt.Pacer: ReadRate sets UserPoolClientRead and UserPoolResourceRead,
// UpdateRate UserPoolClientUpdate. It panics on a bad rate, naming it.
func newPacer(o Options) *pace.Pacer {
	return paceopt.Pacer(paceopt.Options{
		Package: "appclient",
		Pacer:   o.Pacer,
		Rates: []paceopt.Rate{
			{Option: "ReadRate", Value: o.ReadRate, Categories: []pace.Category{pace.ClientRead, pace.ResourceRead}},
			{Option: "UpdateRate", Value: o.UpdateRate, Categories: []pace.Category{pace.ClientUpdate}},
		},
		Default: DefaultRate,
		Disable: o.DisableRateLimit,
		Logger:  o.Logger,
	})
}

// clientReadRate returns the function that tells the pacer's current rate
// of app-client reads for pool.
func (c *Client) clientReadRate(pool string) func() float64 {
	return func() float64 { return c.caller.Pacer.Rate(pool, pace.ClientRead) }
}
