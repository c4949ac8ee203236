package wait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempt := 0; attempt <= 40; attempt++ {
		ceiling := 2 * time.Second
		if attempt <= 5 {
			ceiling = 100 * time.Millisecond << (max(attempt, 1) - 1)
		}
		for range 200 {
			if d := Backoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want 0 to %v", attempt, d, ceiling)
			}
		}
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	tests := []struct{ read, write, want time.Duration }{
		{0, 0, 0},
		{10 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond},
		{time.Second, time.Second, MaxSettle},
	}
	for _, tt := range tests {
		if got := Settle(tt.read, tt.write); got != tt.want {
			t.Errorf("Settle(%v, %v) = %v, want %v", tt.read, tt.write, got, tt.want)
		}
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep() = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep() with a cancelled context = %v, want %v", err, context.Canceled)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) with a cancelled context = %v, want %v", err, context.Canceled)
	}
}
