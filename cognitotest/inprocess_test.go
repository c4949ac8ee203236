package cognitotest_test

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// inProcess starts an in-process emulator closed at the end of the test (or bubble) and adds one
// user pool with a resource server "api" to it.
func inProcess(t *testing.T, opts ...rst.Option) (*rst.Server, string) {
	t.Helper()
	s := rst.NewInProcessServer(opts...)
	t.Cleanup(s.Close)
	pool := s.CreateUserPool("test")
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"}); err != nil {
		t.Fatal(err)
	}
	return s, pool
}

// TestRateLimitInVirtualTime checks the per-pool quota to the nanosecond: at 5 requests per
// second with a burst of 1, a call 199ms after the last one allowed is throttled, and one 200ms
// after it passes.
func TestRateLimitInVirtualTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, pool := inProcess(t, rst.WithRateLimit(5), rst.WithBurst(1))
		c := s.Client(oneShot)
		var tooMany *types.TooManyRequestsException
		steps := []struct {
			wait      time.Duration
			wantThrot bool
		}{{0, false}, {0, true}, {199 * time.Millisecond, true}, {time.Millisecond, false}, {200 * time.Millisecond, false}, {time.Millisecond, true}}
		for i, st := range steps {
			time.Sleep(st.wait)
			err := describe(t.Context(), c, pool, "api")
			if got := errors.As(err, &tooMany); got != st.wantThrot || (!got && err != nil) {
				t.Errorf("step %d (after %v): describe = %v, want throttled %v", i, st.wait, err, st.wantThrot)
			}
		}
	})
}

// TestFaultDelayInVirtualTime checks that a Fault's Delay waits on the clock: an hour-long delay
// takes an hour of virtual time and no real time, and Close ends one at once.
func TestFaultDelayInVirtualTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, pool := inProcess(t)
		c := s.Client(oneShot)
		if err := s.FailNext("DescribeResourceServer", 1, rst.Fault{Delay: time.Hour}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := describe(t.Context(), c, pool, "api"); err != nil {
			t.Fatalf("delayed describe = %v", err)
		}
		if took := time.Since(start); took != time.Hour {
			t.Errorf("delayed describe took %v of virtual time, want 1h", took)
		}

		if err := s.FailNext("DescribeResourceServer", 1, rst.Fault{Delay: time.Hour}); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- describe(t.Context(), c, pool, "api") }()
		synctest.Wait() // the call waits on its delay
		s.Close()
		if err := <-done; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("call delayed across Close = %v, want a reset connection", err)
		}
	})
}

// TestInProcessDrop checks that a dropped call fails like a reset connection, which the SDK
// retries.
func TestInProcessDrop(t *testing.T) {
	t.Parallel()
	s, pool := inProcess(t)
	if err := s.FailNext("DescribeResourceServer", 1, rst.Fault{Drop: true}); err != nil {
		t.Fatal(err)
	}
	err := describe(t.Context(), s.Client(oneShot), pool, "api")
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("dropped describe = %v, want a *net.OpError with ECONNRESET", err)
	}
	if err := s.FailNext("DescribeResourceServer", 1, rst.Fault{Drop: true, AfterWrite: true}); err != nil {
		t.Fatal(err)
	}
	s.ResetRequests()
	if err := describe(t.Context(), s.Client(), pool, "api"); err != nil {
		t.Errorf("describe with retries after a drop = %v, want success", err)
	}
	if got := s.Requests(); len(got) != 2 || !got[0].Injected || got[0].Status != 0 || got[1].Status != 200 {
		t.Errorf("Requests() = %+v, want a dropped call and its successful retry", got)
	}
}

// fixedClock is a Clock stopped at one instant.
type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time { return c.now }

func (c fixedClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.now.Add(d)
	return ch
}

// TestWithClock checks that the dates the emulator gives and its delays come from the clock.
func TestWithClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC)
	s, pool := inProcess(t, rst.WithClock(fixedClock{at}))
	c := s.Client(oneShot)
	if err := s.FailNext("CreateUserPoolClient", 1, rst.Fault{Delay: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web")})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	if got := out.UserPoolClient.CreationDate; got == nil || !got.Equal(at) {
		t.Errorf("CreationDate = %v, want %v", got, at)
	}
	pools, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	if err != nil || !aws.ToTime(pools.UserPool.CreationDate).Equal(at) {
		t.Errorf("DescribeUserPool = %v, %v; want the pool created at %v", pools, err, at)
	}
}
