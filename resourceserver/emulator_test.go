package resourceserver_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// These tests drive the real SDK client against the local emulator.

// emuClient returns the emulator's SDK client, which sends exactly one
// request per call unless the answer asks for a retry.
func emuClient(s *cognitotest.Server) *cip.Client {
	return s.Client()
}

// startEmulator starts an emulator on a loopback port holding testPool and
// returns it.
func startEmulator(t testing.TB, opts ...cognitotest.Option) *cognitotest.Server {
	t.Helper()
	return withTestPool(t, cognitotest.NewServer(opts...))
}

// startInProcess starts an in-process emulator (no socket) holding
// testPool and returns it: the emulator of the tests that run in a
// synctest bubble, which must call it inside the bubble.
func startInProcess(t testing.TB, opts ...cognitotest.Option) *cognitotest.Server {
	t.Helper()
	return withTestPool(t, cognitotest.NewInProcessServer(opts...))
}

// withTestPool adds testPool to s, closes s when t ends, and returns s.
func withTestPool(t testing.TB, s *cognitotest.Server) *cognitotest.Server {
	t.Helper()
	t.Cleanup(s.Close)
	if err := s.AddUserPool(testPool, "test"); err != nil {
		t.Fatalf("AddUserPool() error = %v", err)
	}
	return s
}

// put stores rs in the emulator.
func put(t testing.TB, s *cognitotest.Server, rs resourceserver.ResourceServer) {
	t.Helper()
	e := cognitotest.ResourceServer{UserPoolID: rs.UserPoolID, Identifier: rs.Identifier, Name: rs.Name}
	for _, sc := range rs.Scopes {
		e.Scopes = append(e.Scopes, cognitotest.Scope{Name: sc.Name, Description: sc.Description})
	}
	if err := s.PutResourceServer(e); err != nil {
		t.Fatalf("PutResourceServer() error = %v", err)
	}
}

// stored returns the emulator's state of testPool/id.
func stored(t testing.TB, s *cognitotest.Server, id string) resourceserver.ResourceServer {
	t.Helper()
	e, ok := s.ResourceServer(testPool, id)
	if !ok {
		t.Fatalf("resource server %s not stored", id)
	}
	rs := resourceserver.ResourceServer{UserPoolID: e.UserPoolID, Identifier: e.Identifier, Name: e.Name}
	for _, sc := range e.Scopes {
		rs.Scopes = append(rs.Scopes, resourceserver.Scope{Name: sc.Name, Description: sc.Description})
	}
	return rs
}

// requests returns "Operation" or "Operation:Code" for each logged
// request.
func requests(s *cognitotest.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Code != "" {
			out = append(out, r.Operation+":"+r.Code)
		} else {
			out = append(out, r.Operation)
		}
	}
	return out
}

func TestEmulatorHelperRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		do   func(*resourceserver.Client) (resourceserver.ResourceServer, error)
		want resourceserver.ResourceServer
		reqs []string
	}{
		{"AddScope", func(c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.AddScope(t.Context(), testPool, testID, adminScope)
		}, makeServer(readScope, writeScope, adminScope), []string{opDescribe, opUpdate, opDescribe}},
		{"AddScope no-op", func(c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.AddScope(t.Context(), testPool, testID, readScope)
		}, makeServer(readScope, writeScope), []string{opDescribe}},
		{"RemoveScopes", func(c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.RemoveScopes(t.Context(), testPool, testID, readScope.Name, "missing")
		}, makeServer(writeScope), []string{opDescribe, opUpdate, opDescribe}},
		{"Rename", func(c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.Rename(t.Context(), testPool, testID, "Renamed")
		}, renamed(makeServer(readScope, writeScope), "Renamed"), []string{opDescribe, opUpdate, opDescribe}},
		{"ClearScopes", func(c *resourceserver.Client) (resourceserver.ResourceServer, error) {
			return c.ClearScopes(t.Context(), testPool, testID)
		}, makeServer(), []string{opDescribe, opUpdate, opDescribe}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startEmulator(t)
			put(t, s, makeServer(readScope, writeScope))
			got, err := tt.do(newTestClient(emuClient(s)))
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("returned mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, stored(t, s, testID)); diff != "" {
				t.Errorf("stored mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.reqs, requests(s)); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmulatorPitfalls(t *testing.T) {
	t.Parallel()
	t.Run("rename keeps 99 scopes", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		put(t, s, makeServer(makeScopes(99)...))
		if _, err := newTestClient(emuClient(s)).Rename(t.Context(), testPool, testID, "Renamed"); err != nil {
			t.Fatalf("Rename() error = %v", err)
		}
		if diff := cmp.Diff(renamed(makeServer(makeScopes(99)...), "Renamed"), stored(t, s, testID)); diff != "" {
			t.Errorf("stored mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("101st scope refused before the Update", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		put(t, s, makeServer(makeScopes(100)...))
		_, err := newTestClient(emuClient(s)).AddScope(t.Context(), testPool, testID, resourceserver.Scope{Name: "extra", Description: "x"})
		if !rserrors.IsValidation(err) {
			t.Fatalf("AddScope() error = %v, want a validation error", err)
		}
		if diff := cmp.Diff([]string{opDescribe}, requests(s)); diff != "" {
			t.Errorf("requests mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("missing resource server", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		_, err := newTestClient(emuClient(s)).AddScope(t.Context(), testPool, testID, readScope)
		var raw *types.ResourceNotFoundException
		if !rserrors.IsNotFound(err) || !errors.As(err, &raw) {
			t.Fatalf("AddScope() error = %v, want ResourceNotFoundException", err)
		}
		if diff := cmp.Diff([]string{opDescribe + ":ResourceNotFoundException"}, requests(s)); diff != "" {
			t.Errorf("requests mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("invalid input sends nothing", func(t *testing.T) {
		t.Parallel()
		s := startEmulator(t)
		put(t, s, makeServer(readScope))
		errs := each(t.Context(), newTestClient(emuClient(s)), "bad pool", testID)
		for op, err := range errs {
			if !rserrors.IsValidation(err) {
				t.Errorf("%s() error = %v, want a validation error", op, err)
			}
		}
		if reqs := requests(s); len(reqs) != 0 {
			t.Errorf("requests = %v, want none", reqs)
		}
	})
}

func TestEmulatorLimitExceededSentOnce(t *testing.T) {
	t.Parallel()
	s := startEmulator(t, cognitotest.WithMaxResourceServers(1))
	c := newTestClient(emuClient(s))
	if _, err := c.Create(t.Context(), makeServer(readScope)); err != nil {
		t.Fatalf("first Create() error = %v", err)
	}
	second := makeServer(readScope)
	second.Identifier = "https://second.example.com"
	_, err := c.Create(t.Context(), second)
	if !rserrors.IsLimitExceeded(err) {
		t.Fatalf("second Create() error = %v, want LimitExceeded", err)
	}
	if diff := cmp.Diff([]string{opCreate, opCreate + ":LimitExceededException"}, requests(s)); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestEmulatorRetriesThrottlingAndLostAnswers(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	c := newTestClient(emuClient(s))

	s.FailNext(opDescribe, 2, cognitotest.Fault{Code: "TooManyRequestsException"})
	if _, err := c.Get(t.Context(), testPool, testID); err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	want := []string{opDescribe + ":TooManyRequestsException", opDescribe + ":TooManyRequestsException", opDescribe}
	if diff := cmp.Diff(want, requests(s)); diff != "" {
		t.Errorf("Get() requests mismatch (-want +got):\n%s", diff)
	}

	// The Update is applied but its answer is a 500: the SDK sends it again,
	// which is safe because every Update carries the full state.
	s.ResetRequests()
	s.FailNext(opUpdate, 1, cognitotest.Fault{Code: "InternalErrorException", AfterWrite: true})
	got, err := c.AddScope(t.Context(), testPool, testID, adminScope)
	if err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	if diff := cmp.Diff(makeServer(readScope, adminScope), got); diff != "" {
		t.Errorf("AddScope() mismatch (-want +got):\n%s", diff)
	}
	want = []string{opDescribe, opUpdate + ":InternalErrorException", opUpdate, opDescribe}
	if diff := cmp.Diff(want, requests(s)); diff != "" {
		t.Errorf("AddScope() requests mismatch (-want +got):\n%s", diff)
	}
}

func TestEmulatorConcurrentAddScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		clients func(*cognitotest.Server) []*resourceserver.Client
	}{
		{"one Client", func(s *cognitotest.Server) []*resourceserver.Client {
			return []*resourceserver.Client{newTestClient(emuClient(s))}
		}},
		{"two Clients sharing a Locker", func(s *cognitotest.Server) []*resourceserver.Client {
			l := resourceserver.NewMemoryLocker()
			withLocker := func(o *resourceserver.Options) { o.Locker = l }
			return []*resourceserver.Client{newTestClient(emuClient(s), withLocker), newTestClient(emuClient(s), withLocker)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startEmulator(t)
			put(t, s, makeServer())
			clients := tt.clients(s)
			want := makeScopes(30)
			var wg sync.WaitGroup
			for i, sc := range want {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := clients[i%len(clients)].AddScopes(t.Context(), testPool, testID, sc); err != nil {
						t.Errorf("AddScopes(%q) error = %v", sc.Name, err)
					}
				}()
			}
			wg.Wait()
			got := stored(t, s, testID)
			if diff := cmp.Diff(want, got.Scopes, cmpopts.SortSlices(func(a, b resourceserver.Scope) bool { return a.Name < b.Name })); diff != "" {
				t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmulatorList(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	var want []string
	for i := range 120 {
		rs := makeServer(readScope)
		rs.Identifier = fmt.Sprintf("https://api-%03d.example.com", i)
		put(t, s, rs)
		want = append(want, rs.Identifier)
	}
	var got []string
	for rs, err := range newTestClient(emuClient(s)).List(t.Context(), testPool) {
		if err != nil {
			t.Fatalf("List() error = %v", err)
		}
		got = append(got, rs.Identifier)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() identifiers mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{opList, opList, opList}, requests(s)); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// TestEmulatorPacing runs a Client with the default rate limits (a Pacer
// of the default Config) against an emulator that enforces Cognito's
// per-pool quota of 5 requests per second: no request may be throttled.
// The control, a Client without rate limits calling in a tight loop, is.
// It runs in a synctest bubble, on the in-process emulator: the pacing
// waits and the quota's refill pass in virtual time.
func TestEmulatorPacing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testEmulatorPacing)
}

func testEmulatorPacing(t *testing.T) {
	s := startInProcess(t, cognitotest.WithRateLimit(5))
	// pace.Default() is shared with the tests outside the bubble; this
	// Pacer, made inside it, paces by the same defaults.
	c := resourceserver.New(emuClient(s), func(o *resourceserver.Options) { o.Pacer = pacetest.New(t, pace.Config{}) })
	ctx := t.Context()
	if _, err := c.Create(ctx, makeServer(readScope)); err != nil {
		t.Fatalf("Create() error = %v", err)
	}
	for _, sc := range []resourceserver.Scope{writeScope, adminScope} {
		if _, err := c.AddScope(ctx, testPool, testID, sc); err != nil {
			t.Fatalf("AddScope() error = %v", err)
		}
	}
	for range 2 {
		if _, err := c.Get(ctx, testPool, testID); err != nil {
			t.Fatalf("Get() error = %v", err)
		}
	}
	for _, err := range c.List(ctx, testPool) {
		if err != nil {
			t.Fatalf("List() error = %v", err)
		}
	}
	for _, r := range s.Requests() {
		if r.Code != "" {
			t.Errorf("paced request %s answered %s", r.Operation, r.Code)
		}
	}

	s.ResetRequests()
	raw := resourceserver.New(emuClient(s), func(o *resourceserver.Options) { o.DisableRateLimit = true })
	for range 50 {
		_, _ = raw.Get(ctx, testPool, testID)
	}
	throttled := 0
	for _, r := range s.Requests() {
		if r.Code == "TooManyRequestsException" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Errorf("50 unpaced Gets were never throttled; the control does not exercise the quota")
	}
}
