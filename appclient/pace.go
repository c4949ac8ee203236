package appclient

import (
	"math"

	"github.com/scopekeeper/scopekeeper/pace"
)

// newPacer returns the pacer for the rates of o: UserPoolClientRead and
// UserPoolResourceRead at ReadRate, UserPoolClientUpdate at UpdateRate. A
// category with no limit is left out; nil (which paces nothing but keeps
// pace's retry rules) when none is limited.
func newPacer(o Options) *pace.Pacer {
	if o.DisableRateLimit {
		return nil
	}
	ceilings := make(map[pace.Category]float64)
	for c, r := range map[pace.Category]float64{pace.ClientRead: o.ReadRate, pace.ResourceRead: o.ReadRate, pace.ClientUpdate: o.UpdateRate} {
		switch {
		case r == 0 || math.IsNaN(r):
			ceilings[c] = DefaultRate
		case r > 0 && !math.IsInf(r, 1):
			ceilings[c] = r
		}
	}
	if len(ceilings) == 0 {
		return nil
	}
	p, err := pace.New(pace.Config{Ceilings: ceilings, Logger: o.Logger})
	if err != nil {
		// Every ceiling above is positive and finite.
		panic("appclient: " + err.Error())
	}
	return p
}
