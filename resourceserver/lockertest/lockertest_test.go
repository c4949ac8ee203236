package lockertest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/resourceserver/lockertest"
)

// lease is long enough that a run on the wall clock would take minutes:
// the suite runs in virtual time.
const lease = 10 * time.Second

// memoryConfig is the Config of the lease locker in memory, which passes
// the suite; the broken variants below start from it.
func memoryConfig() lockertest.Config {
	l := lockertest.NewLeaseLocker(lease)
	c := l.Config()
	c.Stall = func(t *testing.T, lk resourceserver.Lock) {
		if w, ok := lk.(wrappedLock); ok {
			lk = w.inner
		}
		l.Stall(t, lk)
	}
	return c
}

func TestLeaseLocker(t *testing.T) {
	t.Parallel()
	lockertest.Run(t, memoryConfig())
}

// TestMemoryLockerLease checks the deprecated lease of
// resourceserver.NewMemoryLocker, kept for one version.
func TestMemoryLockerLease(t *testing.T) {
	t.Parallel()
	const lease = 200 * time.Millisecond
	//lint:ignore SA1019 the deprecated lease is kept, and checked, for one version
	shared := resourceserver.NewMemoryLocker(func(o *resourceserver.MemoryLockerOptions) { o.Lease = lease })
	lockertest.Run(t, lockertest.Config{
		New:         func(*testing.T) resourceserver.Locker { return shared },
		Lease:       lease,
		Stall:       func(t *testing.T, l resourceserver.Lock) { l.(interface{ StopRenewing() }).StopRenewing() },
		VirtualTime: true,
	})
}

// lockerFunc adapts a function to resourceserver.Locker.
type lockerFunc func(ctx context.Context, key string) (resourceserver.Lock, error)

func (f lockerFunc) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	return f(ctx, key)
}

// wrappedLock is a memory lock with its methods replaced.
type wrappedLock struct {
	inner  resourceserver.Lock
	lost   func() <-chan struct{}
	unlock func(context.Context) error
}

func (l wrappedLock) Lost() <-chan struct{}            { return l.lost() }
func (l wrappedLock) Unlock(ctx context.Context) error { return l.unlock(ctx) }

// wrap returns a Config whose Locker is the memory locker with each lock
// changed by fn.
func wrap(fn func(wrappedLock) wrappedLock) lockertest.Config {
	c := memoryConfig()
	inner := c.New(nil)
	c.New = func(*testing.T) resourceserver.Locker {
		return lockerFunc(func(ctx context.Context, key string) (resourceserver.Lock, error) {
			lk, err := inner.Lock(ctx, key)
			if err != nil {
				return nil, err
			}
			return fn(wrappedLock{lk, lk.Lost, lk.Unlock}), nil
		})
	}
	return c
}

// broken are Lockers that each break one rule, with the sub-test of Run
// that must catch it.
var broken = map[string]struct {
	config  func() lockertest.Config
	subtest string
}{
	"no exclusion": {func() lockertest.Config {
		c := memoryConfig()
		c.New = func(*testing.T) resourceserver.Locker {
			return lockerFunc(func(context.Context, string) (resourceserver.Lock, error) {
				return wrappedLock{nil, func() <-chan struct{} { return nil }, func(context.Context) error { return nil }}, nil
			})
		}
		return c
	}, "Exclusion"},
	"context ignored while waiting": {func() lockertest.Config {
		c := memoryConfig()
		inner := c.New(nil)
		c.New = func(*testing.T) resourceserver.Locker {
			return lockerFunc(func(_ context.Context, key string) (resourceserver.Lock, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 3*lease)
				defer cancel()
				return inner.Lock(ctx, key)
			})
		}
		return c
	}, "Context"},
	"unlock after loss says nil": {func() lockertest.Config {
		return wrap(func(w wrappedLock) wrappedLock {
			w.unlock = func(ctx context.Context) error { w.inner.Unlock(ctx); return nil }
			return w
		})
	}, "Release"},
	"stall ignored": {func() lockertest.Config {
		c := memoryConfig()
		c.Stall = func(*testing.T, resourceserver.Lock) {}
		return c
	}, "Takeover"},
	"loss never reported": {func() lockertest.Config {
		return wrap(func(w wrappedLock) wrappedLock {
			never := make(chan struct{})
			w.lost = func() <-chan struct{} { return never }
			return w
		})
	}, "Loss"},
}

// brokenEnv names, in a child process, the broken Locker to run the suite
// against.
const brokenEnv = "LOCKERTEST_BROKEN"

// TestBrokenLockersFail checks that Run fails each broken Locker in the
// sub-test meant to catch it. It runs itself again in a child process per
// Locker, where it runs the suite, since a failing suite fails its test.
func TestBrokenLockersFail(t *testing.T) {
	if name := os.Getenv(brokenEnv); name != "" {
		lockertest.Run(t, broken[name].config())
		return
	}
	t.Parallel()
	for name, b := range broken {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenLockersFail$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("Run passed the Locker with %s:\n%s", name, out)
			}
			want := "--- FAIL: TestBrokenLockersFail/" + b.subtest + " "
			if !strings.Contains(string(out), want) {
				t.Errorf("Run failed the Locker with %s, but not in sub-test %s:\n%s", name, b.subtest, out)
			}
		})
	}
}
