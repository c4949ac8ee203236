package resourceserver

import (
	"testing"
	"time"
)

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 40; attempt++ {
		ceiling := 2 * time.Second
		if attempt <= 5 {
			ceiling = 100 * time.Millisecond << (attempt - 1)
		}
		for range 200 {
			if d := defaultBackoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("defaultBackoff(%d) = %v, want 0 to %v", attempt, d, ceiling)
			}
		}
	}
}
