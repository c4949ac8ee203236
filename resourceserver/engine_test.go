package resourceserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestAnswerWithoutServerSendsNoUpdate checks that a Describe answered
// with success but without a resource server, or without its name, stops
// every change with an InvalidResponseError before any Update: building
// on it would send Scopes: [] and delete every scope.
func TestAnswerWithoutServerSendsNoUpdate(t *testing.T) {
	t.Parallel()
	answers := map[string]*cip.DescribeResourceServerOutput{
		"nil output":      nil,
		"no server":       {},
		"server unnamed":  {ResourceServer: toType(resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID})},
		"empty name only": {ResourceServer: toType(resourceserver.ResourceServer{Identifier: testID, Name: ""})},
	}
	changes := map[string]func(context.Context, *resourceserver.Client) (resourceserver.ResourceServer, error){
		"Rename": func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Rename(ctx, testPool, testID, "New name")
		},
		"Modify name only": func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error { rs.Name = "New name"; return nil })
		},
		"AddScope": func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.AddScope(ctx, testPool, testID, adminScope)
		},
		"Get": func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Get(ctx, testPool, testID)
		},
	}
	for an, answer := range answers {
		for cn, change := range changes {
			t.Run(an+"/"+cn, func(t *testing.T) {
				t.Parallel()
				f := newFake(makeServer(readScope, writeScope))
				f.OnDescribe = func(context.Context, *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
					return answer, nil
				}
				_, err := change(t.Context(), newTestClient(f))
				var ir *rserrors.InvalidResponseError
				if !errors.As(err, &ir) || !rserrors.IsInvalidResponse(err) {
					t.Fatalf("%s() error = %v, want an *rserrors.InvalidResponseError", cn, err)
				}
				if n := len(f.updates()); n != 0 {
					t.Errorf("%d Updates sent, want 0", n)
				}
				if got, _ := f.get(testPool, testID); len(got.Scopes) != 2 {
					t.Errorf("stored scopes = %v, want both kept", got.Scopes)
				}
			})
		}
	}
}

// TestReplaceKeepsScopesAddedAfterIt checks that ClearScopes and
// UpdateScopes remove only the scopes they read: a scope another writer
// adds after the replace landed and before it is verified is kept, and no
// second Update is sent to delete it.
func TestReplaceKeepsScopesAddedAfterIt(t *testing.T) {
	t.Parallel()
	late := resourceserver.Scope{Name: "late", Description: "Added by another writer"}
	tests := []struct {
		name string
		do   func(context.Context, *resourceserver.Client) (resourceserver.ResourceServer, error)
		want []resourceserver.Scope
	}{
		{"ClearScopes", func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.ClearScopes(ctx, testPool, testID)
		}, []resourceserver.Scope{late}},
		{"UpdateScopes", func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.UpdateScopes(ctx, testPool, testID, []resourceserver.Scope{adminScope})
		}, []resourceserver.Scope{adminScope, late}},
		{"Modify dropping scopes", func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error {
				rs.Scopes = []resourceserver.Scope{adminScope}
				return nil
			})
		}, []resourceserver.Scope{adminScope, late}},
		{"Apply Replace", func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Apply(ctx, testPool, testID, resourceserver.Change{}.Replace(adminScope))
		}, []resourceserver.Scope{adminScope, late}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(makeServer(readScope, writeScope))
			var once sync.Once
			f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
				out, err := f.StoreUpdate(in)
				once.Do(func() { // another writer adds a scope right after
					rs, _ := f.get(testPool, testID)
					rs.Scopes = append(rs.Scopes, late)
					f.put(rs)
				})
				return out, err
			}
			got, err := tt.do(t.Context(), newTestClient(f))
			if err != nil {
				t.Fatalf("%s() error = %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, got.Scopes, sortScopes); diff != "" {
				t.Errorf("%s() returned scopes mismatch (-want +got):\n%s", tt.name, diff)
			}
			stored, _ := f.get(testPool, testID)
			if diff := cmp.Diff(tt.want, stored.Scopes, sortScopes); diff != "" {
				t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
			}
			if n := len(f.updates()); n != 1 {
				t.Errorf("%d Updates sent, want 1", n)
			}
		})
	}
}

// TestModifyThatEmptiesIsRefused checks that a Modify whose result has no
// scope left, from a server that had some, is refused like
// UpdateScopes(nil), with nothing written.
func TestModifyThatEmptiesIsRefused(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope, writeScope))
	_, err := newTestClient(f).Modify(t.Context(), testPool, testID, func(rs *resourceserver.ResourceServer) error {
		rs.Scopes = nil
		return nil
	})
	if v := violation(err, "Scopes"); v == nil || v.Rule != rserrors.RuleRequired {
		t.Fatalf("Modify() error = %v, want a RuleRequired violation on Scopes", err)
	}
	if n := len(f.updates()); n != 0 {
		t.Errorf("%d Updates sent, want 0", n)
	}
}

func TestNewNilAPIPanics(t *testing.T) {
	t.Parallel()
	for name, api := range map[string]resourceserver.API{"nil": nil, "nil pointer": (*cip.Client)(nil)} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New() did not panic")
				}
			}()
			resourceserver.New(api)
		})
	}
}

func TestNewBadRatePanics(t *testing.T) {
	t.Parallel()
	for name, fn := range map[string]func(*resourceserver.Options){
		"negative read": func(o *resourceserver.Options) { o.ReadRate = -1 },
		"NaN update":    func(o *resourceserver.Options) { o.UpdateRate = float64NaN() },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New() did not panic")
				}
			}()
			resourceserver.New(newFake(), fn)
		})
	}
}

func float64NaN() float64 { var z float64; return z / z }

// TestCoalescing starts 12 AddScope calls on one resource server through
// one Client at once and checks that they share read-modify-writes: far
// fewer than the 36 calls of one Describe, Update and Describe each,
// every scope stored, and every caller given a state holding its scope.
func TestCoalescing(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	c := resourceserver.New(emuClient(s), func(o *resourceserver.Options) { o.DisableRateLimit = true })
	const n = 12
	scopes := makeScopes(n)
	results := make([]resourceserver.ResourceServer, n)
	errs := make([]error, n)
	atOnce(n, func(i int) { results[i], errs[i] = c.AddScope(t.Context(), testPool, testID, scopes[i]) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddScope(%q) error = %v", scopes[i].Name, err)
		} else if !slices.Contains(results[i].Scopes, scopes[i]) {
			t.Errorf("AddScope(%q) returned %v, without its scope", scopes[i].Name, results[i].Scopes)
		}
	}
	if diff := cmp.Diff(append([]resourceserver.Scope{readScope}, scopes...), stored(t, s, testID).Scopes, sortScopes); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
	calls := len(s.Requests())
	t.Logf("%d concurrent AddScope through one Client: %d calls (uncoalesced: %d)", n, calls, 3*n)
	if calls > 3*n/2 {
		t.Errorf("%d calls for %d concurrent AddScope, want them coalesced (at most %d)", calls, n, 3*n/2)
	}
}

// TestCoalescedCallersGetTheirOwnErrors checks that in a batch, a change
// that fails fails only its caller.
func TestCoalescedCallersGetTheirOwnErrors(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope))
	started, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	f.OnDescribe = func(_ context.Context, in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release // hold the first read so the others queue behind it
		}
		return f.StoreDescribe(in)
	}
	c := newTestClient(f)
	errFn := errors.New("refused by the caller")
	var wg sync.WaitGroup
	var addErr, failErr, tooManyErr error
	wg.Add(1)
	go func() { defer wg.Done(); _, _ = c.AddScope(t.Context(), testPool, testID, writeScope) }()
	<-started
	wg.Add(3)
	go func() { defer wg.Done(); _, addErr = c.AddScope(t.Context(), testPool, testID, adminScope) }()
	go func() {
		defer wg.Done()
		_, failErr = c.Modify(t.Context(), testPool, testID, func(*resourceserver.ResourceServer) error { return errFn })
	}()
	go func() {
		defer wg.Done()
		_, tooManyErr = c.AddScopes(t.Context(), testPool, testID, makeScopes(100)...)
	}()
	for resourceserver.Queued(c, testPool, testID) < 3 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if addErr != nil {
		t.Errorf("AddScope() error = %v, want nil", addErr)
	}
	if !errors.Is(failErr, errFn) {
		t.Errorf("Modify() error = %v, want %v", failErr, errFn)
	}
	if v := violation(tooManyErr, "Scopes"); v == nil || v.Rule != rserrors.RuleMaxItems {
		t.Errorf("AddScopes(100 more) error = %v, want a RuleMaxItems violation on Scopes", tooManyErr)
	}
	checkOpError(t, tooManyErr, "AddScopes", testID)
	rs, _ := f.get(testPool, testID)
	if diff := cmp.Diff([]resourceserver.Scope{readScope, writeScope, adminScope}, rs.Scopes); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
	// The changes queued while the first read was held join it.
	if n := len(f.updates()); n != 1 {
		t.Errorf("%d Updates, want 1 (all four changes share one)", n)
	}
}

// TestEnsure checks Ensure on a missing server, on an existing one (scopes
// added, others kept, never renamed), with replicas racing to create, and
// on a missing user pool.
func TestEnsure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("creates", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		want := makeServer(readScope, writeScope)
		got, err := resourceserver.New(emuClient(s), unpaced).Ensure(ctx, want)
		if err != nil {
			t.Fatalf("Ensure() error = %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Ensure() mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("adds and keeps", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		put(t, s, resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID, Name: "Kept name", Scopes: []resourceserver.Scope{adminScope}})
		got, err := resourceserver.New(emuClient(s), unpaced).Ensure(ctx, makeServer(readScope))
		if err != nil {
			t.Fatalf("Ensure() error = %v", err)
		}
		want := resourceserver.ResourceServer{UserPoolID: testPool, Identifier: testID, Name: "Kept name", Scopes: []resourceserver.Scope{adminScope, readScope}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Ensure() mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("replicas race", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		const replicas = 8
		errs := make([]error, replicas)
		clients := make([]*resourceserver.Client, replicas)
		for i := range clients {
			clients[i] = resourceserver.New(emuClient(s), unpaced)
		}
		atOnce(replicas, func(i int) {
			_, errs[i] = clients[i].Ensure(ctx, makeServer(resourceserver.Scope{Name: fmt.Sprintf("replica-%d", i), Description: "Replica scope"}))
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: Ensure() error = %v", i, err)
			}
		}
		if n := len(stored(t, s, testID).Scopes); n != replicas {
			t.Errorf("%d scopes stored, want %d", n, replicas)
		}
	})
	t.Run("missing pool", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		rs := makeServer(readScope)
		rs.UserPoolID = "us-east-1_Missing1"
		_, err := resourceserver.New(emuClient(s), unpaced).Ensure(ctx, rs)
		if !rserrors.IsUserPoolNotFound(err) || rserrors.IsResourceServerNotFound(err) {
			t.Errorf("Ensure() error = %v, want a missing user pool", err)
		}
	})
}

// TestNotFoundAndAlreadyExistsAreTyped checks that a caller can tell a
// missing user pool from a missing resource server, and a taken
// identifier from other invalid parameters, without comparing strings.
func TestNotFoundAndAlreadyExistsAreTyped(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	c := resourceserver.New(emuClient(s), unpaced)
	_, err := c.Get(ctx, testPool, "https://missing.example.com")
	if !rserrors.IsResourceServerNotFound(err) || rserrors.IsUserPoolNotFound(err) || !rserrors.IsNotFound(err) {
		t.Errorf("Get(missing server) error = %v, want a missing resource server", err)
	}
	_, err = c.Get(ctx, "us-east-1_Missing1", testID)
	if !rserrors.IsUserPoolNotFound(err) || rserrors.IsResourceServerNotFound(err) {
		t.Errorf("Get(missing pool) error = %v, want a missing user pool", err)
	}
	_, err = c.Create(ctx, makeServer())
	if !rserrors.IsAlreadyExists(err) || !rserrors.IsInvalidParameter(err) || !errors.Is(err, rserrors.ErrAlreadyExists) {
		t.Errorf("Create(taken identifier) error = %v, want already exists", err)
	}
	// Raw SDK errors answer the same predicates.
	_, err = emuClient(s).CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("x"),
	})
	if !rserrors.IsAlreadyExists(err) {
		t.Errorf("raw Create(taken identifier) error = %v, want already exists", err)
	}
	_, err = emuClient(s).DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
		UserPoolId: aws.String("us-east-1_Missing1"), Identifier: aws.String(testID),
	})
	if !rserrors.IsUserPoolNotFound(err) {
		t.Errorf("raw Describe(missing pool) error = %v, want a missing user pool", err)
	}
}

// lostLocker hands out locks whose Lost channel it closes when the
// Client's Describe is answered, as a lease that runs out mid-change.
type lostLocker struct{ lost chan struct{} }

func (l *lostLocker) Lock(context.Context, string) (resourceserver.Lock, error) { return l, nil }
func (l *lostLocker) Lost() <-chan struct{}                                     { return l.lost }
func (l *lostLocker) Unlock(context.Context) error                              { return rserrors.ErrLockLost }

// TestLockLostBeforeUpdate checks that a change whose Locker lock is lost
// after its Describe sends no Update and returns a LockLostError.
func TestLockLostBeforeUpdate(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope))
	l := &lostLocker{lost: make(chan struct{})}
	var once sync.Once
	f.OnDescribe = func(_ context.Context, in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		once.Do(func() { close(l.lost) })
		return f.StoreDescribe(in)
	}
	_, err := newTestClient(f, func(o *resourceserver.Options) { o.Locker = l }).AddScope(t.Context(), testPool, testID, adminScope)
	var ll *rserrors.LockLostError
	if !errors.As(err, &ll) || !rserrors.IsLockLost(err) {
		t.Fatalf("AddScope() error = %v, want an *rserrors.LockLostError", err)
	}
	if ll.Key != "cognito-idp/"+testPool+"/"+testID {
		t.Errorf("LockLostError.Key = %q", ll.Key)
	}
	if n := len(f.updates()); n != 0 {
		t.Errorf("%d Updates sent after the lock was lost, want 0", n)
	}
}

// TestLoggerAndClientOptions checks that Options.Logger gets a structured
// record of an overwrite and that Options.ClientOptions reach every SDK
// call.
func TestLoggerAndClientOptions(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var seen atomic.Int32
	count := func(o *cip.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				seen.Add(1)
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	}
	// The first verifying Describe finds the change overwritten.
	var overwritten atomic.Bool
	api := overwriteOnce{Client: emuClient(s), s: s, done: &overwritten}
	c := resourceserver.New(api, unpaced, func(o *resourceserver.Options) {
		o.Logger = logger
		o.ClientOptions = []func(*cip.Options){count}
		o.Backoff = func(int) time.Duration { return 0 }
	})
	if _, err := c.AddScope(t.Context(), testPool, testID, adminScope); err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	if got, want := int(seen.Load()), len(s.Requests()); got != want || got == 0 {
		t.Errorf("ClientOptions middleware saw %d calls, the emulator %d", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	var found bool
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["identifier"] == testID && rec["attempt"] == float64(2) {
			found = true
		}
	}
	if !found {
		t.Errorf("no record of the overwrite with identifier and attempt attributes in:\n%s", buf.String())
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// overwriteOnce is the emulator's client, except that right after the
// first Update lands it puts back the state before it, as a stale write
// of another writer would.
type overwriteOnce struct {
	*cip.Client
	s    *cognitotest.Server
	done *atomic.Bool
}

func (o overwriteOnce) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	before, _ := o.s.ResourceServer(aws.ToString(in.UserPoolId), aws.ToString(in.Identifier))
	out, err := o.Client.UpdateResourceServer(ctx, in, optFns...)
	if err == nil && o.done.CompareAndSwap(false, true) {
		if perr := o.s.PutResourceServer(before); perr != nil {
			return nil, perr
		}
	}
	return out, err
}
