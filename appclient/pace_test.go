package appclient_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestGrantsIsPaced checks, through the real SDK client against the
// emulator, that Grants spaces its app-client reads at ReadRate: 1 List +
// 20 Describes at 100 per second cannot take less than 200ms however
// parallel the Describes are, while the control, a run without limits,
// takes less. It runs in a synctest bubble, on the in-process emulator:
// the times are virtual, and a Grants that does not pace takes none.
func TestGrantsIsPaced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testGrantsIsPaced)
}

func testGrantsIsPaced(t *testing.T) {
	const n, perSecond = 20, 100
	run := func(opts func(*appclient.Options)) time.Duration {
		c := appclient.New(grantsInProcess(t, n, 1).Client(), opts)
		start := time.Now()
		if _, err := c.Grants(context.Background(), testPool); err != nil {
			t.Fatalf("Grants() error = %v", err)
		}
		return time.Since(start)
	}
	free := run(func(o *appclient.Options) { o.DisableRateLimit = true })
	paced := run(func(o *appclient.Options) { o.ReadRate = perSecond; o.Parallelism = 8 })
	floor := time.Duration(n) * time.Second / perSecond // the first read goes at once
	if paced < floor {
		t.Errorf("Grants of %d clients at %d/s took %v, want at least %v", n, perSecond, paced, floor)
	}
	if free >= floor {
		t.Errorf("Grants of %d clients without limits took %v, want less than %v: the floor shows nothing", n, free, floor)
	}
	t.Logf("paced %v, unpaced %v", paced, free)
}

// TestGrantsSurvivesThrottles reads the grants of 30 app clients with the
// Client's ceiling four times above the emulator's quota: the pacer
// retries each throttle and lowers its rate, and Grants succeeds. It runs
// in a synctest bubble, on the in-process emulator, whose quota refills in
// virtual time.
func TestGrantsSurvivesThrottles(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testGrantsSurvivesThrottles)
}

func testGrantsSurvivesThrottles(t *testing.T) {
	s := grantsInProcess(t, 30, 1, cognitotest.WithRateLimit(25), cognitotest.WithBurst(1))
	c := appclient.New(s.Client(), func(o *appclient.Options) { o.ReadRate = 100 })
	g, err := c.Grants(context.Background(), testPool)
	if err != nil {
		t.Fatalf("Grants() error = %v", err)
	}
	if g.AppClients != 30 {
		t.Errorf("Grants() read %d app clients, want 30", g.AppClients)
	}
	throttled := 0
	for _, r := range s.Requests() {
		if r.Code == "TooManyRequestsException" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Errorf("the emulator throttled none of %d requests: the test shows nothing", len(s.Requests()))
	}
	t.Logf("%d requests, %d throttled", len(s.Requests()), throttled)
}

// TestPacingHonoursDeadline checks that a request whose pacing wait would
// outlast the context's deadline fails at once with
// context.DeadlineExceeded, and nothing is sent. It runs in a synctest
// bubble, on the in-process emulator: "at once" is measured in virtual
// time, where only a wait takes any.
func TestPacingHonoursDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testPacingHonoursDeadline)
}

func testPacingHonoursDeadline(t *testing.T) {
	s := grantsInProcess(t, 1, 1)
	c := appclient.New(s.Client(), func(o *appclient.Options) { o.ReadRate = 0.5 })
	if _, err := c.Get(context.Background(), testPool, "c0000"); err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, testPool, "c0000")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get() error = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took != 0 {
		t.Errorf("Get() took %v to fail, want at once, before the deadline", took)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}
