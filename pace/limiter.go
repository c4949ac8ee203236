package pace

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/scopekeeper/scopekeeper/internal/telemetry"
)

// The constants of the adaptation, CUBIC's as the SDK's adaptive retry
// mode uses them, scaled to the ceiling of a limiter.
const (
	// beta multiplies the rate after a throttle.
	beta = 0.7
	// cubicScale is CUBIC's C over the ceiling: 0.4 (requests per second
	// per cubed second) at a ceiling of 5 per second.
	cubicScale = 0.4 / 5
	// headroom is the share of the configured ceiling that a limiter
	// sends at most: the rest absorbs the jitter of the network and of
	// the scheduler, which could otherwise bring two requests sent 1/rate
	// apart to the service less than 1/rate apart.
	headroom = 0.97
	// floorShare is the lowest rate, as a share of the ceiling.
	floorShare = 1.0 / 25
	// recheck bounds a wait while the rate is rising, so that a waiter
	// sees the higher rate.
	recheck = 50 * time.Millisecond
)

// clock is the time source of a limiter; tests replace it.
type clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// function that stops the timer.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// limiter paces the requests of one (user pool, category): it hands out
// send slots one at a time, in arrival order, each when its time has come,
// and adapts its rate to throttles.
type limiter struct {
	clk       clock
	ceiling   float64
	floor     float64
	waitAttrs telemetry.MetricAttrs // of a pool's limiter: the pool and category of its pacing waits

	mu    sync.Mutex
	last  time.Time // when the last slot was taken; zero before the first
	cut   time.Time // when the rate was last lowered; zero before the first
	peak  float64   // CUBIC's W_max: the rate the curve returns to
	k     float64   // seconds after cut at which the curve reaches peak
	queue []*waiter // the requests waiting for a slot, head first
}

// waiter is a request in a limiter's queue.
type waiter struct {
	turn chan struct{} // closed when the waiter becomes the head
}

func newLimiter(clk clock, ceiling float64) *limiter {
	return &limiter{
		clk:     clk,
		ceiling: ceiling * headroom,
		floor:   ceiling * floorShare,
	}
}

// rateLocked returns the rate at now: the ceiling before the first
// throttle, then CUBIC's curve since the last one,
// peak + C·(t−k)³, from beta times the rate at the throttle back to the
// peak (concave: fast, then slowly near the peak) and beyond it (convex:
// slowly, then fast), between the floor and the ceiling.
func (l *limiter) rateLocked(now time.Time) float64 {
	if l.cut.IsZero() {
		return l.ceiling
	}
	t := now.Sub(l.cut).Seconds() - l.k
	r := l.peak + cubicScale*l.ceiling*t*t*t
	return min(l.ceiling, max(l.floor, r))
}

// nextLocked returns the earliest time at which the next slot may be
// taken, at the rate of now.
func (l *limiter) nextLocked(now time.Time) time.Time {
	if l.last.IsZero() {
		return l.last
	}
	return l.last.Add(l.intervalLocked(now))
}

func (l *limiter) intervalLocked(now time.Time) time.Duration {
	return time.Duration(float64(time.Second) / l.rateLocked(now))
}

// wait blocks until a slot is free and takes it, and returns the time it
// was taken. A slot is taken only when its time has come (now is at least
// the last slot's time plus 1/rate), and the time is taken from the clock
// at that moment, never reserved in advance: when the process stalls (a
// pause, GC, CPU throttling) and resumes late, the waiting requests still
// leave 1/rate apart. Waiters are served first come, first served.
//
// When outer is not nil (the limiter of the account's quota over many
// pools), the request needs a slot of both: once its slot of l has come,
// it waits, still at the head of l's queue, for a slot of outer, and
// takes l's slot at the moment it gets outer's, so that each limiter's
// slots are 1/rate apart at the moment of sending.
//
// wait returns ctx's error if ctx ends first, and an error wrapping
// context.DeadlineExceeded at once if the expected wait (the queue ahead of
// it at the current rate) ends after ctx's deadline.
func (l *limiter) wait(ctx context.Context, outer *limiter) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	l.mu.Lock()
	now := l.clk.Now()
	next := l.nextLocked(now)
	if outer == nil && len(l.queue) == 0 && !now.Before(next) {
		l.last = now
		l.mu.Unlock()
		return now, nil
	}
	if dl, ok := ctx.Deadline(); ok {
		at := next.Add(time.Duration(len(l.queue)) * l.intervalLocked(now))
		if at.After(dl) {
			l.mu.Unlock()
			return time.Time{}, wouldPass(at.Sub(now))
		}
	}
	w := &waiter{turn: make(chan struct{})}
	l.queue = append(l.queue, w)
	if len(l.queue) == 1 {
		close(w.turn)
	}
	l.mu.Unlock()

	select {
	case <-w.turn:
	case <-ctx.Done():
		l.leave(w)
		return time.Time{}, ctx.Err()
	}
	for {
		l.mu.Lock()
		now = l.clk.Now()
		next = l.nextLocked(now)
		if !now.Before(next) {
			if outer != nil {
				l.mu.Unlock()
				return l.takeWith(ctx, w, outer)
			}
			l.last = now
			l.leaveLocked(w)
			l.mu.Unlock()
			return now, nil
		}
		if dl, ok := ctx.Deadline(); ok && next.After(dl) {
			l.leaveLocked(w)
			l.mu.Unlock()
			return time.Time{}, wouldPass(next.Sub(now))
		}
		d := next.Sub(now)
		if l.rateLocked(now) < l.ceiling {
			d = min(d, recheck)
		}
		l.mu.Unlock()
		fired, stop := l.clk.NewTimer(d)
		select {
		case <-fired:
		case <-ctx.Done():
			stop()
			l.leave(w)
			return time.Time{}, ctx.Err()
		}
	}
}

// takeWith waits, for the head w of l's queue whose slot has come, for a
// slot of outer, and takes l's slot at the same moment.
func (l *limiter) takeWith(ctx context.Context, w *waiter, outer *limiter) (time.Time, error) {
	at, err := outer.wait(ctx, nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leaveLocked(w)
	if err != nil {
		return time.Time{}, err
	}
	l.last = at
	return at, nil
}

// wouldPass returns the error of a wait of d that would end after the
// context's deadline.
func wouldPass(d time.Duration) error {
	return fmt.Errorf("waiting %v would pass the context deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
}

// leave takes w out of the queue.
func (l *limiter) leave(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leaveLocked(w)
}

// leaveLocked takes w out of the queue and, if w was the head, gives the
// turn to the next waiter.
func (l *limiter) leaveLocked(w *waiter) {
	for i, q := range l.queue {
		if q != w {
			continue
		}
		l.queue = append(l.queue[:i], l.queue[i+1:]...)
		if i == 0 && len(l.queue) > 0 {
			close(l.queue[0].turn)
		}
		return
	}
}

// throttled lowers the rate after a throttle of a request sent at sent:
// the rate drops to beta times what it was, and the curve of rateLocked
// restarts from there toward a new peak, the rate before the drop (or,
// when that is below the last peak, CUBIC's fast-convergence value
// between the two, which leaves room to replicas that share the quota).
// It returns the new rate and whether it changed. A throttle of a request
// sent before the last drop changes nothing: that drop already answered
// the same congestion, and requests in flight together must not cut the
// rate once each.
func (l *limiter) throttled(sent time.Time) (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clk.Now()
	r := l.rateLocked(now)
	if sent.Before(l.cut) || r <= l.floor {
		return r, false
	}
	peak := r
	if !l.cut.IsZero() && r < l.peak {
		peak = r * (1 + beta) / 2
	}
	l.peak = peak
	l.k = math.Cbrt((peak - beta*r) / (cubicScale * l.ceiling))
	l.cut = now
	return l.rateLocked(now), true
}

// current returns the rate.
func (l *limiter) current() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rateLocked(l.clk.Now())
}
