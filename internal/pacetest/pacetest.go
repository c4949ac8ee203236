package pacetest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/scopekeeper/scopekeeper/pace"
)

// New returns a Pacer configured by cfg, and fails tb if pace.New refuses
// cfg.
func New(tb testing.TB, cfg pace.Config) *pace.Pacer {
	tb.Helper()
	p, err := pace.New(cfg)
	if err != nil {
		tb.Fatalf("pace.New(%+v) error = %v", cfg, err)
	}
	return p
}

// Unpaced returns a Pacer that paces no category (its Config.Ceilings is
// empty, not nil). Examples make it the
// default (pace.SetDefault) when they run against an emulator that
// enforces no quota, so that they show the calls without waiting out
// Cognito's quota between them; the pacing itself is covered by package
// pace and the pacing tests of each package.
func Unpaced() *pace.Pacer {
	p, err := pace.New(pace.Config{Ceilings: map[pace.Category]float64{}})
	if err != nil { // an empty map holds no ceiling to refuse
		panic("pacetest: " + err.Error())
	}
	return p
}

// Rates are the pacing options that resourceserver.Options and
// appclient.Options both have, under the same names.
type Rates struct {
	ReadRate, UpdateRate float64
	DisableRateLimit     bool
	Pacer                *pace.Pacer
}

// RateOptions checks the rule that rate options follow in every package
// (internal/paceopt): a negative, infinite or NaN rate, even with pacing
// off, or a rate set together with Pacer, makes New panic with a message
// that starts with pkg + ": " and names the option. newClient builds a
// Client of the package with its Options set to r.
func RateOptions(t *testing.T, pkg string, newClient func(r Rates)) {
	t.Helper()
	p := New(t, pace.Config{})
	tests := []struct {
		name   string
		rates  Rates
		option string
	}{
		{"negative read", Rates{ReadRate: -1}, "ReadRate"},
		{"infinite read", Rates{ReadRate: math.Inf(1)}, "ReadRate"},
		{"infinite update", Rates{UpdateRate: math.Inf(1)}, "UpdateRate"},
		{"NaN update", Rates{UpdateRate: math.NaN()}, "UpdateRate"},
		{"negative read, pacing off", Rates{ReadRate: -5, DisableRateLimit: true}, "ReadRate"},
		{"negative update, pacing off", Rates{UpdateRate: -5, DisableRateLimit: true}, "UpdateRate"},
		{"Pacer and ReadRate", Rates{Pacer: p, ReadRate: 10}, "ReadRate"},
		{"Pacer and UpdateRate", Rates{Pacer: p, UpdateRate: 10}, "UpdateRate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, pkg+": ") || !strings.Contains(msg, "Options."+tt.option) {
					t.Errorf("New() panicked with %q, want a message that starts with %q and names Options.%s", msg, pkg+": ", tt.option)
				}
			}()
			newClient(tt.rates)
		})
	}
}
