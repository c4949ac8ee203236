package leaselock_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/leaselock"
)

// TestExpiry checks, in virtual time, that a lock whose heartbeat stops
// is lost a lease after its last renewal, not before (and noticed by the
// next heartbeat), with the heartbeat asked for or, when that is not
// below lease/2, lease/3; and that a renewing holder keeps it.
func TestExpiry(t *testing.T) {
	t.Parallel()
	const lease = time.Second
	for _, tt := range []struct {
		name      string
		heartbeat time.Duration
		renewed   time.Duration // the last renewal before the stall at 1.5s
	}{
		{"default heartbeat", 0, 4 * lease / 3},      // lease/3
		{"heartbeat too long", lease, 4 * lease / 3}, // lease/3 as well
		{"heartbeat 100ms", 100 * time.Millisecond, 1400 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				l := leaselock.New(lease, tt.heartbeat)
				start := time.Now()
				lk, err := l.Lock(t.Context(), "k")
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(1500*time.Millisecond - time.Nanosecond)
				select {
				case <-lk.Lost():
					t.Fatalf("Lost() closed at %v while the heartbeat ran", time.Since(start))
				default:
				}
				lk.StopRenewing()
				<-lk.Lost()
				if got, want := time.Since(start), tt.renewed+lease; got < want || got > want+lease/3+time.Millisecond {
					t.Errorf("lost at %v, want a lease after the last renewal, %v", got, want)
				}
				err = lk.Unlock(t.Context())
				var lle *rserrors.LockLostError
				if !errors.As(err, &lle) || !errors.Is(err, leaselock.ErrExpired) || lle.Key != "k" {
					t.Errorf("Unlock() after the loss error = %v, want a *rserrors.LockLostError for k caused by ErrExpired", err)
				}
			})
		})
	}
}

func TestNewPanicsOnNonPositiveLease(t *testing.T) {
	t.Parallel()
	for _, lease := range []time.Duration{0, -time.Second} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v, 0) did not panic", lease)
				}
			}()
			leaselock.New(lease, 0)
		}()
	}
}
