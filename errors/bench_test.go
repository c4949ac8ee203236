package errors_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// sdkError returns the error the real SDK client gives for a
// DescribeResourceServer answered with body by a local server.
func sdkError(b *testing.B, body string) error {
	b.Helper()
	c, _ := newClient(b, reply{400, body, "", "req"})
	return call(b.Context(), b, c, "DescribeResourceServer")
}

func BenchmarkFrom(b *testing.B) {
	raw := sdkError(b, `{"__type":"ResourceNotFoundException","message":"gone"}`)
	b.ReportAllocs()
	for b.Loop() {
		if !errors.Is(rserrors.From(raw), rserrors.ErrNotFound) {
			b.Fatal("From did not map to a ResourceNotFoundError")
		}
	}
}

func BenchmarkIsNotFound(b *testing.B) {
	raw := sdkError(b, `{"__type":"ResourceNotFoundException","message":"gone"}`)
	throttle := sdkError(b, `{"__type":"TooManyRequestsException","message":"slow"}`)
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"raw", raw, true},
		{"mapped", rserrors.From(raw), true},
		{"wrapped mapped", fmt.Errorf("wrap: %w", rserrors.From(raw)), true},
		{"raw other kind", throttle, false},
		{"mapped other kind", rserrors.From(throttle), false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rserrors.IsNotFound(c.err) != c.want {
					b.Fatalf("IsNotFound(%v) != %v", c.err, c.want)
				}
			}
		})
	}
}

func BenchmarkShorten(b *testing.B) {
	cases := []struct{ name, in string }{
		{"short", "https://api.example.com"},
		{"300 ASCII", strings.Repeat("a", 300)},
		{"300 invalid bytes", strings.Repeat("\xff", 300)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rserrors.Shorten(c.in)
			}
		})
	}
}
