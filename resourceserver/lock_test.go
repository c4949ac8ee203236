package resourceserver_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// recordingLocker records the keys it is asked to lock and returns err
// if set.
type recordingLocker struct {
	mu    sync.Mutex
	keys  []string
	held  int
	err   error
	inner resourceserver.Locker
}

func (l *recordingLocker) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	l.mu.Lock()
	l.keys = append(l.keys, key)
	l.mu.Unlock()
	if l.err != nil {
		return nil, l.err
	}
	inner, err := l.inner.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.held++
	l.mu.Unlock()
	return recordingLock{l, inner}, nil
}

type recordingLock struct {
	l     *recordingLocker
	inner resourceserver.Lock
}

func (r recordingLock) Lost() <-chan struct{} { return r.inner.Lost() }

func (r recordingLock) Unlock(ctx context.Context) error {
	r.l.mu.Lock()
	r.l.held--
	r.l.mu.Unlock()
	return r.inner.Unlock(ctx)
}

// TestLockerWrapsTheReadModifyWrite checks that a change with something
// to write reads first without the Locker, then takes it and reads,
// writes and verifies under it.
func TestLockerWrapsTheReadModifyWrite(t *testing.T) {
	t.Parallel()
	l := &recordingLocker{inner: resourceserver.NewMemoryLocker()}
	f := newFake(makeServer(readScope))
	// Every call but the first read must happen while the Locker is held.
	var calls int
	check := func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		want := 1
		if calls++; calls == 1 {
			want = 0
		}
		if l.held != want {
			t.Errorf("call %d was sent with the Locker held %d times, want %d", calls, l.held, want)
		}
	}
	f.OnDescribe = func(_ context.Context, in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		check()
		return f.StoreDescribe(in)
	}
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		check()
		return f.StoreUpdate(in)
	}
	c := newTestClient(f, func(o *resourceserver.Options) { o.Locker = l })
	if _, err := c.AddScope(t.Context(), testPool, testID, adminScope); err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	if diff := cmp.Diff([]string{"cognito-idp/" + testPool + "/" + testID}, l.keys); diff != "" {
		t.Errorf("Locker keys mismatch (-want +got):\n%s", diff)
	}
	if l.held != 0 {
		t.Errorf("Locker still held %d times after AddScope returned", l.held)
	}
	if diff := cmp.Diff([]string{opDescribe, opDescribe, opUpdate, opDescribe}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

// TestNoLockForANoOp checks that a change with nothing to write, such as
// an Ensure of scopes already there, sends one Describe and never takes
// the Locker.
func TestNoLockForANoOp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		do   func(*resourceserver.Client) error
	}{
		{"Ensure", func(c *resourceserver.Client) error {
			_, err := c.Ensure(t.Context(), makeServer(readScope))
			return err
		}},
		{"AddScopes", func(c *resourceserver.Client) error {
			_, err := c.AddScopes(t.Context(), testPool, testID, readScope)
			return err
		}},
		{"RemoveScopes", func(c *resourceserver.Client) error {
			_, err := c.RemoveScopes(t.Context(), testPool, testID, "absent")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &recordingLocker{inner: resourceserver.NewMemoryLocker()}
			f := newFake(makeServer(readScope))
			if err := tc.do(newTestClient(f, func(o *resourceserver.Options) { o.Locker = l })); err != nil {
				t.Fatalf("%s() error = %v", tc.name, err)
			}
			if len(l.keys) != 0 {
				t.Errorf("%s() took the Locker for %v, want no lock for a change with nothing to write", tc.name, l.keys)
			}
			if diff := cmp.Diff([]string{opDescribe}, f.ops()); diff != "" {
				t.Errorf("calls mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLockerErrorSendsNothing(t *testing.T) {
	t.Parallel()
	errLock := errors.New("lock table unavailable")
	f := newFake(makeServer(readScope))
	c := newTestClient(f, func(o *resourceserver.Options) { o.Locker = &recordingLocker{err: errLock} })
	_, err := c.AddScope(t.Context(), testPool, testID, adminScope)
	if !errors.Is(err, errLock) {
		t.Fatalf("AddScope() error = %v, want %v", err, errLock)
	}
	checkOpError(t, err, "AddScope", testID)
	// The read that found something to write comes before the lock.
	if diff := cmp.Diff([]string{opDescribe}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

func TestLockerHonoursContext(t *testing.T) {
	t.Parallel()
	l := resourceserver.NewMemoryLocker()
	unlock, err := l.Lock(t.Context(), "cognito-idp/"+testPool+"/"+testID)
	if err != nil {
		t.Fatalf("Lock() error = %v", err)
	}
	defer unlock.Unlock(t.Context())
	f := newFake(makeServer(readScope))
	c := newTestClient(f, func(o *resourceserver.Options) { o.Locker = l })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = c.AddScope(ctx, testPool, testID, adminScope)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AddScope() error = %v, want %v", err, context.DeadlineExceeded)
	}
	if diff := cmp.Diff([]string{opDescribe}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
	// Another resource server is not blocked.
	other := makeServer(readScope)
	other.Identifier = "https://other.example.com"
	f.put(other)
	if _, err := c.AddScope(t.Context(), testPool, other.Identifier, adminScope); err != nil {
		t.Errorf("AddScope() on another identifier error = %v", err)
	}
}

// TestInProcessLockHonoursContext runs in a synctest bubble: the worker
// that delivered the first result deletes its queue just after, and
// synctest.Wait lets it finish before the leak check, without a sleep.
func TestInProcessLockHonoursContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testInProcessLockHonoursContext)
}

func testInProcessLockHonoursContext(t *testing.T) {
	f := newFake(makeServer(readScope))
	entered, release := make(chan struct{}), make(chan struct{})
	f.OnDescribe = func(_ context.Context, in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		close(entered)
		<-release
		return f.StoreDescribe(in)
	}
	c := newTestClient(f)
	done := make(chan error)
	go func() {
		_, err := c.AddScope(t.Context(), testPool, testID, adminScope)
		done <- err
	}()
	<-entered // the first call holds the key lock
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.AddScope(ctx, testPool, testID, writeScope); !errors.Is(err, context.Canceled) {
		t.Errorf("second AddScope() error = %v, want %v", err, context.Canceled)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.AddScope(ctx, testPool, testID, writeScope); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("third AddScope() error = %v, want %v", err, context.DeadlineExceeded)
	}
	f.OnDescribe = nil
	close(release)
	if err := <-done; err != nil {
		t.Errorf("first AddScope() error = %v", err)
	}
	synctest.Wait()
	if n := resourceserver.HeldKeys(c); n != 0 {
		t.Errorf("in-process lock holds %d keys, want 0", n)
	}
}

// TestSharedMemoryLocker runs two Clients, as two processes would, without
// verification: only the shared Locker keeps their writes from
// overwriting each other.
func TestSharedMemoryLocker(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer())
	l := resourceserver.NewMemoryLocker()
	clients := []*resourceserver.Client{
		newTestClient(f, noVerify, func(o *resourceserver.Options) { o.Locker = l }),
		newTestClient(f, noVerify, func(o *resourceserver.Options) { o.Locker = l }),
	}
	want := makeScopes(40)
	var wg sync.WaitGroup
	for i, s := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := clients[i%2].AddScope(t.Context(), testPool, testID, s); err != nil {
				t.Errorf("AddScope(%q) error = %v", s.Name, err)
			}
		}()
	}
	wg.Wait()
	got, _ := f.get(testPool, testID)
	if diff := cmp.Diff(want, got.Scopes, cmpopts.SortSlices(func(a, b resourceserver.Scope) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
}

func TestMemoryLocker(t *testing.T) {
	t.Parallel()
	l := resourceserver.NewMemoryLocker()
	unlockA, err := l.Lock(t.Context(), "a")
	if err != nil {
		t.Fatalf("Lock(a) error = %v", err)
	}
	// A different key is free.
	unlockB, err := l.Lock(t.Context(), "b")
	if err != nil {
		t.Fatalf("Lock(b) error = %v", err)
	}
	unlockB.Unlock(t.Context())
	for _, tt := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 10*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			if _, err := l.Lock(ctx, "a"); !errors.Is(err, tt.want) {
				t.Errorf("Lock(a) while held error = %v, want %v", err, tt.want)
			}
		})
	}
	got := make(chan error)
	go func() {
		unlock, err := l.Lock(t.Context(), "a")
		if err == nil {
			unlock.Unlock(t.Context())
		}
		got <- err
	}()
	unlockA.Unlock(t.Context())
	unlockA.Unlock(t.Context()) // a second call does nothing
	if err := <-got; err != nil {
		t.Errorf("Lock(a) after unlock error = %v", err)
	}
}

// TestRateLimitHonoursContext checks that a call waiting for its pacing
// slot ends with its context, and that a wait longer than the deadline is
// refused at once. Pacing runs in the SDK client's middleware, so the test
// uses the real client on the emulator.
func TestRateLimitHonoursContext(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	// One Describe every 10,000 s: the first is free, the second must wait.
	c := resourceserver.New(emuClient(s), func(o *resourceserver.Options) { o.ReadRate = 0.0001 })
	if _, err := c.Get(t.Context(), testPool, testID); err != nil {
		t.Fatalf("first Get() error = %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	if _, err := c.Get(ctx, testPool, testID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get() with a deadline before the next slot error = %v, want %v", err, context.DeadlineExceeded)
	}
	ctx, cancel = context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := c.Get(ctx, testPool, testID)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Get() cancelled while waiting error = %v, want %v", err, context.Canceled)
	}
	// Another pool has its own pacing, and updates have theirs.
	if _, err := c.Get(t.Context(), "us-east-1_Other1", testID); !rserrors.IsNotFound(err) {
		t.Errorf("Get() on another pool error = %v", err)
	}
	if _, err := c.Create(t.Context(), resourceserver.ResourceServer{UserPoolID: testPool, Identifier: "new", Name: "New"}); err != nil {
		t.Errorf("Create() error = %v", err)
	}
	if diff := cmp.Diff([]string{opDescribe, opDescribe + ":" + rserrors.CodeNotFound, opCreate}, requests(s)); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestMemoryLockerOptions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		opts      resourceserver.MemoryLockerOptions
		wantLease bool
	}{
		{"zero", resourceserver.MemoryLockerOptions{}, false},
		{"negative lease", resourceserver.MemoryLockerOptions{Lease: -time.Second}, false},
		{"lease", resourceserver.MemoryLockerOptions{Lease: time.Second}, true},
		{"heartbeat too long", resourceserver.MemoryLockerOptions{Lease: time.Second, Heartbeat: time.Second}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// In a bubble: the heartbeat and the wait past the lease run
			// in virtual time.
			synctest.Test(t, func(t *testing.T) {
				l := resourceserver.NewMemoryLocker(nil, func(o *resourceserver.MemoryLockerOptions) { *o = tt.opts })
				lk, err := l.Lock(t.Context(), "k")
				if err != nil {
					t.Fatalf("Lock() error = %v", err)
				}
				if got := lk.Lost() != nil; got != tt.wantLease {
					t.Errorf("Lost() != nil is %v, want %v", got, tt.wantLease)
				}
				if tt.wantLease {
					// The heartbeat keeps the lock past its lease.
					time.Sleep(tt.opts.Lease + tt.opts.Lease/2)
					select {
					case <-lk.Lost():
						t.Errorf("Lost() closed while the heartbeat ran")
					default:
					}
				}
				if err := lk.Unlock(t.Context()); err != nil {
					t.Errorf("Unlock() error = %v", err)
				}
			})
		})
	}
}
