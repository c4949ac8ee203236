package resourceserver_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// ignoreSDK lets cmp compare the SDK's input types, whose unexported
// fields hold no data.
var ignoreSDK = cmpopts.IgnoreUnexported(cip.CreateResourceServerInput{}, cip.UpdateResourceServerInput{},
	types.ResourceServerScopeType{})

// updateInput is the UpdateResourceServer input expected for rs.
func updateInput(rs resourceserver.ResourceServer) *cip.UpdateResourceServerInput {
	in := &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(rs.UserPoolID), Identifier: aws.String(rs.Identifier), Name: aws.String(rs.Name),
		Scopes: []types.ResourceServerScopeType{},
	}
	for _, s := range rs.Scopes {
		in.Scopes = append(in.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(s.Name), ScopeDescription: aws.String(s.Description)})
	}
	return in
}

func renamed(rs resourceserver.ResourceServer, name string) resourceserver.ResourceServer {
	rs.Name = name
	return rs
}

// TestHelperCalls proves the calls each helper makes, the full Update it
// sends and what it returns, with verification on and off.
func TestHelperCalls(t *testing.T) {
	t.Parallel()
	start := makeServer(readScope, writeScope)
	newRead := resourceserver.Scope{Name: readScope.Name, Description: "Read every order"}
	write := []string{opDescribe, opUpdate, opDescribe}
	tests := []struct {
		name string
		do   func(context.Context, *resourceserver.Client) (resourceserver.ResourceServer, error)
		// want is the resulting state; it is sent in the Update unless
		// noUpdate.
		want     resourceserver.ResourceServer
		noUpdate bool
	}{
		{
			name: "AddScope new",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.AddScope(ctx, testPool, testID, adminScope)
			},
			want: makeServer(readScope, writeScope, adminScope),
		},
		{
			name: "AddScope same description",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.AddScope(ctx, testPool, testID, readScope)
			},
			want: start, noUpdate: true,
		},
		{
			name: "AddScope other description",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.AddScope(ctx, testPool, testID, newRead)
			},
			want: makeServer(newRead, writeScope),
		},
		{
			name: "AddScopes appends new in order and updates existing in place",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.AddScopes(ctx, testPool, testID, adminScope, newRead, makeScopes(1)[0])
			},
			want: makeServer(newRead, writeScope, adminScope, makeScopes(1)[0]),
		},
		{
			name: "AddScopes nothing",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.AddScopes(ctx, testPool, testID)
			},
			want: start, noUpdate: true,
		},
		{
			name: "RemoveScopes existing",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.RemoveScopes(ctx, testPool, testID, readScope.Name)
			},
			want: makeServer(writeScope),
		},
		{
			name: "RemoveScopes missing",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.RemoveScopes(ctx, testPool, testID, "orders.missing")
			},
			want: start, noUpdate: true,
		},
		{
			name: "RemoveScopes missing and existing",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.RemoveScopes(ctx, testPool, testID, "orders.missing", writeScope.Name)
			},
			want: makeServer(readScope),
		},
		{
			name: "UpdateScopes new set",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.UpdateScopes(ctx, testPool, testID, []resourceserver.Scope{adminScope, readScope})
			},
			want: makeServer(readScope, adminScope), // kept scopes keep their place
		},
		{
			name: "UpdateScopes same set in another order",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.UpdateScopes(ctx, testPool, testID, []resourceserver.Scope{writeScope, readScope})
			},
			want: start, noUpdate: true,
		},
		{
			name: "ClearScopes",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.ClearScopes(ctx, testPool, testID)
			},
			want: makeServer(),
		},
		{
			name: "Rename",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.Rename(ctx, testPool, testID, "Orders API v2")
			},
			want: renamed(start, "Orders API v2"),
		},
		{
			name: "Rename same name",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.Rename(ctx, testPool, testID, start.Name)
			},
			want: start, noUpdate: true,
		},
		{
			name: "Modify adds, removes and renames",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error {
					rs.Name = "Orders"
					rs.Scopes = append(rs.Scopes[1:], adminScope)
					return nil
				})
			},
			want: renamed(makeServer(writeScope, adminScope), "Orders"),
		},
		{
			name: "Modify changes a description in place",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error {
					rs.Scopes[0].Description = newRead.Description
					return nil
				})
			},
			want: makeServer(newRead, writeScope),
		},
		{
			name: "Modify reorders only",
			do: func(ctx context.Context, c *resourceserver.Client) (resourceserver.ResourceServer, error) {
				return c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error {
					slices.Reverse(rs.Scopes)
					return nil
				})
			},
			want: start, noUpdate: true,
		},
	}
	for _, tt := range tests {
		for _, verify := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/verify=%t", tt.name, verify), func(t *testing.T) {
				t.Parallel()
				f := newFake(start)
				c := newTestClient(f, func(o *resourceserver.Options) { o.DisableVerify = !verify })
				got, err := tt.do(t.Context(), c)
				if err != nil {
					t.Fatalf("error = %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("returned state mismatch (-want +got):\n%s", diff)
				}
				var wantOps []string
				var wantUpdates []*cip.UpdateResourceServerInput
				switch {
				case tt.noUpdate:
					wantOps = []string{opDescribe}
				case verify:
					wantOps = write
				default:
					wantOps = write[:2]
				}
				if !tt.noUpdate {
					wantUpdates = []*cip.UpdateResourceServerInput{updateInput(tt.want)}
				}
				if diff := cmp.Diff(wantOps, f.ops()); diff != "" {
					t.Errorf("calls mismatch (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantUpdates, f.updates(), ignoreSDK); diff != "" {
					t.Errorf("Update inputs mismatch (-want +got):\n%s", diff)
				}
				stored, _ := f.get(testPool, testID)
				if diff := cmp.Diff(tt.want, stored, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("stored state mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestRenameKeepsEveryScope(t *testing.T) {
	t.Parallel()
	start := makeServer(makeScopes(99)...)
	f := newFake(start)
	got, err := newTestClient(f).Rename(t.Context(), testPool, testID, "Renamed")
	if err != nil {
		t.Fatalf("Rename() error = %v", err)
	}
	if diff := cmp.Diff(start.Scopes, got.Scopes); diff != "" {
		t.Errorf("Rename() scopes mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*cip.UpdateResourceServerInput{updateInput(renamed(start, "Renamed"))}, f.updates(), ignoreSDK); diff != "" {
		t.Errorf("Update input mismatch (-want +got):\n%s", diff)
	}
}

func TestAddScopeKeepsTheOther99(t *testing.T) {
	t.Parallel()
	all := makeScopes(100)
	f := newFake(makeServer(all[:99]...))
	got, err := newTestClient(f).AddScope(t.Context(), testPool, testID, all[99])
	if err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	if diff := cmp.Diff(all, got.Scopes); diff != "" {
		t.Errorf("AddScope() scopes mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*cip.UpdateResourceServerInput{updateInput(makeServer(all...))}, f.updates(), ignoreSDK); diff != "" {
		t.Errorf("Update input mismatch (-want +got):\n%s", diff)
	}
}

func TestAddScopeRefusesThe101st(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(makeScopes(100)...))
	_, err := newTestClient(f).AddScope(t.Context(), testPool, testID, resourceserver.Scope{Name: "one-too-many", Description: "x"})
	if !rserrors.IsValidation(err) {
		t.Fatalf("AddScope() error = %v, want a validation error", err)
	}
	if v := violation(err, "Scopes"); v == nil || v.Rule != rserrors.RuleMaxItems {
		t.Errorf("AddScope() violation on Scopes = %v, want rule %q", v, rserrors.RuleMaxItems)
	}
	checkOpError(t, err, "AddScope", testID)
	if diff := cmp.Diff([]string{opDescribe}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

func TestModifyHandsADeepCopy(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope, writeScope))
	// Had fn received the Client's own scope slice, the edit below would
	// change the state it compares against, and no Update would be sent.
	got, err := newTestClient(f).Modify(t.Context(), testPool, testID, func(rs *resourceserver.ResourceServer) error {
		rs.Scopes[1].Description = "Changed"
		return nil
	})
	if err != nil {
		t.Fatalf("Modify() error = %v", err)
	}
	want := makeServer(readScope, resourceserver.Scope{Name: writeScope.Name, Description: "Changed"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Modify() mismatch (-want +got):\n%s", diff)
	}
}

func TestModifyRefusals(t *testing.T) {
	t.Parallel()
	errMine := errors.New("caller says no")
	tests := []struct {
		name      string
		fn        func(*resourceserver.ResourceServer) error
		wantErr   error         // matched with errors.Is
		wantField string        // a violation expected on this field
		wantRule  rserrors.Rule // with this rule
	}{
		{
			name:    "fn error",
			fn:      func(rs *resourceserver.ResourceServer) error { rs.Name = "Changed"; return errMine },
			wantErr: errMine,
		},
		{
			name:      "Identifier changed",
			fn:        func(rs *resourceserver.ResourceServer) error { rs.Identifier = "https://other.example.com"; return nil },
			wantErr:   rserrors.ErrValidation,
			wantField: "Identifier", wantRule: rserrors.RuleImmutable,
		},
		{
			name:      "UserPoolID changed",
			fn:        func(rs *resourceserver.ResourceServer) error { rs.UserPoolID = "us-east-1_Other"; return nil },
			wantErr:   rserrors.ErrValidation,
			wantField: "UserPoolID", wantRule: rserrors.RuleImmutable,
		},
		{
			name: "invalid result",
			fn: func(rs *resourceserver.ResourceServer) error {
				rs.Scopes = append(rs.Scopes, resourceserver.Scope{Name: "bad name", Description: "x"})
				return nil
			},
			wantErr:   rserrors.ErrValidation,
			wantField: "Scopes[2].Name", wantRule: rserrors.RulePattern,
		},
		{
			name: "repeated scope name",
			fn: func(rs *resourceserver.ResourceServer) error {
				rs.Scopes = append(rs.Scopes, resourceserver.Scope{Name: readScope.Name, Description: "again"})
				return nil
			},
			wantErr:   rserrors.ErrValidation,
			wantField: "Scopes[2].Name", wantRule: rserrors.RuleUnique,
		},
		{
			name:      "empty name",
			fn:        func(rs *resourceserver.ResourceServer) error { rs.Name = ""; return nil },
			wantErr:   rserrors.ErrValidation,
			wantField: "Name", wantRule: rserrors.RuleLength,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(makeServer(readScope, writeScope))
			_, err := newTestClient(f).Modify(t.Context(), testPool, testID, tt.fn)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Modify() error = %v, want %v", err, tt.wantErr)
			}
			checkOpError(t, err, "Modify", testID)
			if tt.wantField != "" {
				if v := violation(err, tt.wantField); v == nil || v.Rule != tt.wantRule {
					t.Errorf("Modify() violation on %s = %v, want rule %q", tt.wantField, v, tt.wantRule)
				}
			}
			if diff := cmp.Diff([]string{opDescribe}, f.ops()); diff != "" {
				t.Errorf("calls mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentAddScopes runs 50 AddScopes on one resource server through
// one Client against a fake that, like Cognito, replaces the whole scope
// list on each Update: the per-key lock must keep every scope. It runs in
// a synctest bubble, so that the leak check waits for the worker.
func TestConcurrentAddScopes(t *testing.T) {
	t.Parallel()
	for _, verify := range []bool{true, false} {
		t.Run(fmt.Sprintf("verify=%t", verify), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { testConcurrentAddScopes(t, verify) })
		})
	}
}

func testConcurrentAddScopes(t *testing.T, verify bool) {
	f := newFake(makeServer())
	c := newTestClient(f, func(o *resourceserver.Options) { o.DisableVerify = !verify })
	want := makeScopes(50)
	var wg sync.WaitGroup
	errs := make([]error, len(want))
	for i, s := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.AddScopes(t.Context(), testPool, testID, s)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddScopes(%q) error = %v", want[i].Name, err)
		}
	}
	got, _ := f.get(testPool, testID)
	if diff := cmp.Diff(want, got.Scopes, cmpopts.SortSlices(func(a, b resourceserver.Scope) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("stored scopes mismatch (-want +got):\n%s", diff)
	}
	synctest.Wait() // the last worker deletes its queue after it answers
	if n := resourceserver.HeldKeys(c); n != 0 {
		t.Errorf("in-process lock holds %d keys after every call returned, want 0", n)
	}
}

// TestVerifyReappliesOverwrittenChange simulates another writer whose stale
// Update lands right after the Client's first one.
func TestVerifyReappliesOverwrittenChange(t *testing.T) {
	t.Parallel()
	other := resourceserver.Scope{Name: "other.writer", Description: "Added by another process"}
	f := newFake(makeServer(readScope))
	var once sync.Once
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		out, err := f.StoreUpdate(in)
		once.Do(func() { f.put(makeServer(readScope, other)) })
		return out, err
	}
	got, err := newTestClient(f).AddScope(t.Context(), testPool, testID, adminScope)
	if err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	want := makeServer(readScope, other, adminScope)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddScope() mismatch (-want +got):\n%s", diff)
	}
	wantUpdates := []*cip.UpdateResourceServerInput{updateInput(makeServer(readScope, adminScope)), updateInput(want)}
	if diff := cmp.Diff(wantUpdates, f.updates(), ignoreSDK); diff != "" {
		t.Errorf("Update inputs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{opDescribe, opUpdate, opDescribe, opUpdate, opDescribe}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

// TestVerifyReappliesRemoval checks that the delta, not the old result, is
// re-applied: a removal must not undo the other writer's addition.
func TestVerifyReappliesRemoval(t *testing.T) {
	t.Parallel()
	other := resourceserver.Scope{Name: "other.writer", Description: "Added by another process"}
	f := newFake(makeServer(readScope, writeScope))
	var once sync.Once
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		out, err := f.StoreUpdate(in)
		once.Do(func() { f.put(makeServer(readScope, writeScope, other)) })
		return out, err
	}
	got, err := newTestClient(f).RemoveScopes(t.Context(), testPool, testID, writeScope.Name)
	if err != nil {
		t.Fatalf("RemoveScopes() error = %v", err)
	}
	if diff := cmp.Diff(makeServer(readScope, other), got); diff != "" {
		t.Errorf("RemoveScopes() mismatch (-want +got):\n%s", diff)
	}
}

func TestVerifyGivesUpWithConflictError(t *testing.T) {
	t.Parallel()
	start := makeServer(readScope)
	f := newFake(start)
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		out, err := f.StoreUpdate(in)
		f.put(start) // another writer always wins
		return out, err
	}
	var backoffs []int
	c := newTestClient(f, func(o *resourceserver.Options) {
		o.MaxAttempts = 3
		o.Backoff = func(attempt int) time.Duration { backoffs = append(backoffs, attempt); return 0 }
	})
	_, err := c.AddScope(t.Context(), testPool, testID, adminScope)
	if !rserrors.IsConflict(err) {
		t.Fatalf("AddScope() error = %v, want a conflict", err)
	}
	var ce *rserrors.ConflictError
	if !errors.As(err, &ce) || ce.Attempts != 3 || ce.UserPoolID != testPool || ce.Identifier != testID {
		t.Errorf("AddScope() ConflictError = %+v, want 3 attempts on %s/%s", ce, testPool, testID)
	}
	checkOpError(t, err, "AddScope", testID)
	if got := len(f.updates()); got != 3 {
		t.Errorf("AddScope() sent %d Updates, want 3", got)
	}
	if diff := cmp.Diff([]int{1, 2}, backoffs); diff != "" {
		t.Errorf("backoff attempts mismatch (-want +got):\n%s", diff)
	}
}

func TestVerifyDisabledReturnsUpdateOutput(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope))
	answer := makeServer(readScope, adminScope)
	answer.Name = "As the service answered"
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		if _, err := f.StoreUpdate(in); err != nil {
			return nil, err
		}
		return &cip.UpdateResourceServerOutput{ResourceServer: toType(answer)}, nil
	}
	got, err := newTestClient(f, noVerify).AddScope(t.Context(), testPool, testID, adminScope)
	if err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	if diff := cmp.Diff(answer, got); diff != "" {
		t.Errorf("AddScope() mismatch (-want +got):\n%s", diff)
	}
}

func TestBackoffHonoursContext(t *testing.T) {
	t.Parallel()
	start := makeServer(readScope)
	f := newFake(start)
	f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		out, err := f.StoreUpdate(in)
		f.put(start)
		return out, err
	}
	c := newTestClient(f, func(o *resourceserver.Options) { o.Backoff = func(int) time.Duration { return time.Hour } })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.AddScope(ctx, testPool, testID, adminScope)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AddScope() error = %v, want %v", err, context.DeadlineExceeded)
	}
	if got := len(f.updates()); got != 1 {
		t.Errorf("AddScope() sent %d Updates, want 1", got)
	}
}

// TestUpdateErrorStopsTheLoop checks that a service error from the Update
// comes back mapped and nothing more is sent.
func TestUpdateErrorStopsTheLoop(t *testing.T) {
	t.Parallel()
	f := newFake(makeServer(readScope))
	f.OnUpdate = func(context.Context, *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		return nil, &types.NotAuthorizedException{Message: aws.String("Access denied")}
	}
	_, err := newTestClient(f).AddScope(t.Context(), testPool, testID, adminScope)
	var na *rserrors.NotAuthorizedError
	if !errors.As(err, &na) {
		t.Fatalf("AddScope() error = %v, want *rserrors.NotAuthorizedError", err)
	}
	if diff := cmp.Diff([]string{opDescribe, opUpdate}, f.ops()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}
