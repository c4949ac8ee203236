package pace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
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
// returned channels. It runs in a synctest bubble: synctest.Wait returns
// once each waiter is queued.
func queueWaiters(t *testing.T, ctx context.Context, l *limiter, n int) (<-chan time.Time, <-chan error) {
	t.Helper()
	times, errs := make(chan time.Time, n), make(chan error, n)
	for range n {
		before := l.queued()
		go func() {
			at, err := l.wait(ctx, nil)
			if err != nil {
				errs <- err
				return
			}
			times <- at
		}()
		synctest.Wait()
		if got := l.queued(); got != before+1 {
			t.Fatalf("queue = %d after a waiter started, want %d", got, before+1)
		}
	}
	return times, errs
}

// settled waits until every goroutine of the bubble is blocked and checks
// that the head of the queue has set its timer.
func settled(t *testing.T, clk *fakeClock) {
	t.Helper()
	synctest.Wait()
	if n := clk.pending(); n != 1 {
		t.Fatalf("timers set = %d, want 1 (the head's)", n)
	}
}

func TestWaitSpacesRequestsAfterStall(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		clk := newFakeClock()
		l := newLimiter(clk, 5)
		interval := l.interval()
		first, err := l.wait(context.Background(), nil)
		if err != nil {
			t.Fatalf("first wait: %v", err)
		}
		const n = 6
		times, _ := queueWaiters(t, context.Background(), l, n)
		settled(t, clk)

		// The process stalls for 1.5s: every reserved send time would now be
		// past. Only the head may go; the next one waits a full interval.
		clk.Advance(1500 * time.Millisecond)
		got := []time.Time{first, <-times}
		settled(t, clk)
		select {
		case at := <-times:
			t.Fatalf("a second request left at %v right after the stall, want one request per interval", at.Sub(first))
		default:
		}
		for len(got) < n+1 {
			clk.Advance(interval)
			got = append(got, <-times)
			if len(got) < n+1 {
				settled(t, clk)
			}
		}
		for i := 1; i < len(got); i++ {
			if gap := got[i].Sub(got[i-1]); gap < interval {
				t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
			}
		}
	})
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
	synctest.Test(t, func(t *testing.T) {
		clk := newFakeClock()
		l := newLimiter(clk, 5)
		if _, err := l.wait(context.Background(), nil); err != nil {
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
		settled(t, clk)
		clk.Advance(l.interval())
		<-times
		if q := l.queued(); q != 0 {
			t.Errorf("queue after the waits = %d, want 0", q)
		}
		if _, err := l.wait(ctx, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("wait(done context) = %v, want context.Canceled", err)
		}
	})
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
			synctest.Test(t, func(t *testing.T) { pastDeadline(t, tt.ahead) })
		})
	}
}

// pastDeadline checks, in a synctest bubble, that a wait whose slot comes
// after the context's deadline fails at once, with ahead waiters queued
// before it.
func pastDeadline(t *testing.T, ahead int) {
	// One request per 10s; the deadline is 2s away. The clock is
	// the bubble's, as the deadline's is.
	l := newLimiter(realClock{}, 0.1)
	if _, err := l.wait(context.Background(), nil); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	bg, cancel := context.WithCancel(context.Background())
	defer cancel()
	queueWaiters(t, bg, l, ahead)
	ctx, cancelDeadline := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancelDeadline()
	start := time.Now()
	_, err := l.wait(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited != 0 {
		t.Errorf("wait returned after %v, want at once", waited)
	}
	if q := l.queued(); q != ahead {
		t.Errorf("queue = %d, want %d", q, ahead)
	}
}

// TestWaitWithAccount checks that requests to two pools whose categories
// share an account-wide limiter leave spaced by both: 1/rate of their
// pool, and 1/rate of the account over both pools.
func TestWaitWithAccount(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		account := newLimiter(realClock{}, 6)
		pools := []*limiter{newLimiter(realClock{}, 5), newLimiter(realClock{}, 5)}
		const perPool = 5
		type slot struct {
			pool int
			at   time.Time
		}
		slots := make(chan slot, 2*perPool)
		var wg sync.WaitGroup
		for i, l := range pools {
			for range perPool {
				wg.Go(func() {
					at, err := l.wait(context.Background(), account)
					if err != nil {
						t.Errorf("wait: %v", err)
						return
					}
					slots <- slot{i, at}
				})
			}
		}
		wg.Wait()
		close(slots)
		var all []time.Time
		last := make([]time.Time, len(pools))
		poolGap := pools[0].interval()
		for s := range slots { // in the order the slots were taken
			if !last[s.pool].IsZero() {
				if gap := s.at.Sub(last[s.pool]); gap < poolGap {
					t.Errorf("pool %d: slots %v apart, want at least %v", s.pool, gap, poolGap)
				}
			}
			last[s.pool] = s.at
			all = append(all, s.at)
		}
		if len(all) != 2*perPool {
			t.Fatalf("slots taken = %d, want %d", len(all), 2*perPool)
		}
		accountGap := account.interval()
		for i := 1; i < len(all); i++ {
			if gap := all[i].Sub(all[i-1]); gap < accountGap {
				t.Errorf("account: slots %d and %d %v apart, want at least %v", i-1, i, gap, accountGap)
			}
		}
		for _, l := range append(pools, account) {
			if q := l.queued(); q != 0 {
				t.Errorf("queue after the waits = %d, want 0", q)
			}
		}
	})
}

// TestWaitWithAccountCanceled checks that a request canceled while it
// waits for the account's slot gives its pool's turn to the next request.
func TestWaitWithAccountCanceled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		account := newLimiter(realClock{}, 0.1) // one per 10s
		pool := newLimiter(realClock{}, 5)
		first, err := pool.wait(context.Background(), account)
		if err != nil {
			t.Fatalf("first wait: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() {
			_, err := pool.wait(ctx, account)
			errs <- err
		}()
		synctest.Wait() // the head waits for the account
		next := make(chan error, 1)
		var at time.Time
		go func() {
			var err error
			at, err = pool.wait(context.Background(), account)
			next <- err
		}()
		synctest.Wait()
		if q := pool.queued(); q != 2 {
			t.Fatalf("pool queue = %d, want 2", q)
		}
		cancel()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled wait = %v, want context.Canceled", err)
		}
		if err := <-next; err != nil {
			t.Fatalf("next wait = %v", err)
		}
		if got, want := at.Sub(first), account.interval(); got != want {
			t.Errorf("next request left %v after the first, want the account's interval %v", got, want)
		}
		if q := pool.queued() + account.queued(); q != 0 {
			t.Errorf("queues after the waits = %d, want 0", q)
		}
	})
}
