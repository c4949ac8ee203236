package paceopt

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/scopekeeper/scopekeeper/pace"
)

// Rate is one deprecated per-Client rate option: the ceiling, in requests
// per second to one user pool, of each of its categories.
type Rate struct {
	// Option is the option's name in Options, such as "ReadRate".
	Option string
	// Value is the option's value; 0 means the default.
	Value float64
	// Categories are the quota categories it sets the ceiling of.
	Categories []pace.Category
}

// Options are the rate options of one Client.
type Options struct {
	// Package names the Client's package in panic messages.
	Package string
	// Pacer is Options.Pacer: nil means pace.Default().
	Pacer *pace.Pacer
	// Rates are the deprecated rate options.
	Rates []Rate
	// Default is the ceiling of a Rate whose Value is 0.
	Default float64
	// Disable is Options.DisableRateLimit.
	Disable bool
	// Logger is Options.Logger.
	Logger *slog.Logger
}

// Pacer returns the pacer of a Client configured by o, by this rule:
//
//   - A rate that is negative, infinite or NaN is a mistake in the
//     program: Pacer panics with a message that names the option, whatever
//     the other options say.
//   - Disable: nil, which paces nothing (and keeps pace's rule that
//     LimitExceededException is not retried).
//   - A rate other than 0: a Pacer of the Client's own, with each rate's
//     categories at its value (Default for a rate left at 0), as before
//     shared pacing; it panics if o.Pacer is set too.
//   - Otherwise o.Pacer, or pace.Default() when it is nil.
//
// When o.Logger is set, the result logs the Client's throttles and long
// waits to it ([pace.Pacer.WithLogger]).
func Pacer(o Options) *pace.Pacer {
	own := false
	for _, r := range o.Rates {
		if r.Value < 0 || math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			panic(fmt.Sprintf("%s: Options.%s is %v; it must be positive and finite, or 0 for the default (set DisableRateLimit to switch pacing off)",
				o.Package, r.Option, r.Value))
		}
		own = own || r.Value != 0
	}
	if o.Disable {
		return nil
	}
	if !own {
		p := o.Pacer
		if p == nil {
			p = pace.Default()
		}
		if o.Logger != nil {
			p = p.WithLogger(o.Logger)
		}
		return p
	}
	if o.Pacer != nil {
		panic(fmt.Sprintf("%s: Options.Pacer and Options.%s are both set; set the ceilings on the Pacer (pace.Config.Ceilings) and leave the rates at 0",
			o.Package, setRate(o.Rates)))
	}
	ceilings := make(map[pace.Category]float64)
	for _, r := range o.Rates {
		v := r.Value
		if v == 0 {
			v = o.Default
		}
		for _, c := range r.Categories {
			ceilings[c] = v
		}
	}
	p, err := pace.New(pace.Config{Ceilings: ceilings, Logger: o.Logger})
	if err != nil { // every ceiling was checked above
		panic(o.Package + ": " + err.Error())
	}
	return p
}

// setRate returns the name of the first rate option that is set.
func setRate(rates []Rate) string {
	for _, r := range rates {
		if r.Value != 0 {
			return r.Option
		}
	}
	return ""
}
