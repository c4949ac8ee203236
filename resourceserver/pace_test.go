package resourceserver_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestNewRateOptions checks the rule that rate options follow in every
// package: a negative, infinite or NaN rate, or a rate set together with
// Pacer, makes New panic with a message that names the option.
func TestNewRateOptions(t *testing.T) {
	t.Parallel()
	p, err := pace.New(pace.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opt    func(*resourceserver.Options)
		option string
	}{
		{"negative read", func(o *resourceserver.Options) { o.ReadRate = -1 }, "ReadRate"},
		{"infinite update", func(o *resourceserver.Options) { o.UpdateRate = math.Inf(1) }, "UpdateRate"},
		{"NaN update", func(o *resourceserver.Options) { o.UpdateRate = math.NaN() }, "UpdateRate"},
		{"negative read, pacing off", func(o *resourceserver.Options) { o.ReadRate = -5; o.DisableRateLimit = true }, "ReadRate"},
		{"Pacer and UpdateRate", func(o *resourceserver.Options) { o.Pacer = p; o.UpdateRate = 10 }, "UpdateRate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "resourceserver: ") || !strings.Contains(msg, "Options."+tt.option) {
					t.Errorf("New() panicked with %q, want a message naming Options.%s", msg, tt.option)
				}
			}()
			resourceserver.New(newFake(), tt.opt)
		})
	}
}
