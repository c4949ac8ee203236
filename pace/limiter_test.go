package pace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock whose time moves only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	return t.ch, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, u := range c.timers {
			if u == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the time by d at once and fires every timer due, as a
// process resumed after a stall finds them.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// eventually fails the test unless cond holds within 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func (l *limiter) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

func (l *limiter) interval() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.intervalLocked(l.clk.Now())
}

// queueWaiters starts n waits on l, one after the other so that they queue
// in order, each sending the time of its slot, or its error, on the
// returned channels.
func queueWaiters(t *testing.T, ctx context.Context, l *limiter, n int) (<-chan time.Time, <-chan error) {
	t.Helper()
	times, errs := make(chan time.Time, n), make(chan error, n)
	for range n {
		before := l.queued()
		go func() {
			at, err := l.wait(ctx)
			if err != nil {
				errs <- err
				return
			}
			times <- at
		}()
		eventually(t, "waiter queued", func() bool { return l.queued() == before+1 })
	}
	return times, errs
}

func TestWaitSpacesRequestsAfterStall(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := newLimiter(clk, 5)
	interval := l.interval()
	first, err := l.wait(context.Background())
	if err != nil {
		t.Fatalf("first wait: %v", err)
	}
	const n = 6
	times, _ := queueWaiters(t, context.Background(), l, n)
	eventually(t, "the head sets its timer", func() bool { return clk.pending() == 1 })

	// The process stalls for 1.5s: every reserved send time would now be
	// past. Only the head may go; the next one waits a full interval.
	clk.Advance(1500 * time.Millisecond)
	got := []time.Time{first, <-times}
	eventually(t, "the next head sets its timer", func() bool { return clk.pending() == 1 })
	select {
	case at := <-times:
		t.Fatalf("a second request left at %v right after the stall, want one request per interval", at.Sub(first))
	default:
	}
	for len(got) < n+1 {
		clk.Advance(interval)
		got = append(got, <-times)
		if len(got) < n+1 {
			eventually(t, "the next head sets its timer", func() bool { return clk.pending() == 1 })
		}
	}
	for i := 1; i < len(got); i++ {
		if gap := got[i].Sub(got[i-1]); gap < interval {
			t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
		}
	}
}

func TestThrottledAdapts(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := newLimiter(clk, 5)
	top := l.current()
	if top != 5*headroom {
		t.Fatalf("rate before any throttle = %v, want %v", top, 5*headroom)
	}
	sent := clk.Now()
	clk.Advance(10 * time.Millisecond)
	rate, lowered := l.throttled(sent)
	if !lowered || rate != top*beta {
		t.Fatalf("throttled() = %v, %v; want %v, true", rate, lowered, top*beta)
	}
	// A request sent before the decrease, throttled after it, answers
	// the same congestion.
	if r, lowered := l.throttled(sent); lowered || r != rate {
		t.Errorf("throttled(sent before the cut) = %v, %v; want %v, false", r, lowered, rate)
	}
	// The rate rises with time, never above the ceiling, back to it.
	prev := rate
	for range 100 {
		clk.Advance(100 * time.Millisecond)
		r := l.current()
		if r < prev || r > top {
			t.Fatalf("rate went from %v to %v, want non-decreasing up to %v", prev, r, top)
		}
		prev = r
	}
	if prev != top {
		t.Errorf("rate 10s after a throttle = %v, want the ceiling %v", prev, top)
	}
	// Throttles again and again bring it to the floor, not below.
	for range 50 {
		clk.Advance(time.Millisecond)
		l.throttled(clk.Now())
		clk.Advance(time.Millisecond)
	}
	if r := l.current(); r < l.floor || r > l.floor*1.01 {
		t.Errorf("rate after 50 throttles = %v, want the floor %v", r, l.floor)
	}
}

// TestThrottledConverges checks CUBIC's fast convergence: a throttle below
// the rate of the last one sets the next peak lower than the rate it
// interrupted, which leaves room to the replicas sharing the quota.
func TestThrottledConverges(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := newLimiter(clk, 5)
	l.throttled(clk.Now())
	clk.Advance(300 * time.Millisecond)
	before := l.current()
	l.throttled(clk.Now())
	if l.peak >= before {
		t.Errorf("peak after a throttle at %v below the last peak = %v, want less", before, l.peak)
	}
}

func TestWaitContext(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := newLimiter(clk, 5)
	if _, err := l.wait(context.Background()); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, canceled := queueWaiters(t, ctx, l, 1)
	times, _ := queueWaiters(t, context.Background(), l, 1)
	cancel()
	if err := <-canceled; !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with a canceled context = %v, want context.Canceled", err)
	}
	// The next waiter gets the slot the canceled one left.
	eventually(t, "the next head sets its timer", func() bool { return clk.pending() == 1 })
	clk.Advance(l.interval())
	<-times
	if q := l.queued(); q != 0 {
		t.Errorf("queue after the waits = %d, want 0", q)
	}
	if _, err := l.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait(done context) = %v, want context.Canceled", err)
	}
}

func TestWaitPastDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ahead int // waiters queued before
	}{
		{name: "next slot after the deadline", ahead: 0},
		{name: "queue ahead longer than the deadline", ahead: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// One request per 10s; the deadline is 2s away. The clock is
			// real, as the deadline is.
			l := newLimiter(realClock{}, 0.1)
			if _, err := l.wait(context.Background()); err != nil {
				t.Fatalf("first wait: %v", err)
			}
			bg, cancel := context.WithCancel(context.Background())
			defer cancel()
			queueWaiters(t, bg, l, tt.ahead)
			ctx, cancelDeadline := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancelDeadline()
			_, err := l.wait(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("wait = %v, want an error wrapping context.DeadlineExceeded", err)
			}
			if ctx.Err() != nil {
				t.Errorf("wait returned when the deadline passed, want at once")
			}
			if q := l.queued(); q != tt.ahead {
				t.Errorf("queue = %d, want %d", q, tt.ahead)
			}
		})
	}
}
