package main

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// fakeStore is a hand-written fake of ScopeStore: one hook per method and
// a log of the calls. A nil hook answers with success.
type fakeStore struct {
	addScopes func(poolID, identifier string, scopes []resourceserver.Scope) (resourceserver.ResourceServer, error)
	create    func(rs resourceserver.ResourceServer) (resourceserver.ResourceServer, error)
	calls     []string
}

func (f *fakeStore) AddScopes(_ context.Context, poolID, identifier string, scopes ...resourceserver.Scope) (resourceserver.ResourceServer, error) {
	f.calls = append(f.calls, "AddScopes")
	if f.addScopes == nil {
		return resourceserver.ResourceServer{UserPoolID: poolID, Identifier: identifier, Scopes: scopes}, nil
	}
	return f.addScopes(poolID, identifier, scopes)
}

func (f *fakeStore) Create(_ context.Context, rs resourceserver.ResourceServer) (resourceserver.ResourceServer, error) {
	f.calls = append(f.calls, "Create")
	if f.create == nil {
		return rs, nil
	}
	return f.create(rs)
}

// The errors a resourceserver.Client returns are *OpErrors around typed
// service errors; a fake builds them the same way.
var (
	errNotFound = &rserrors.OpError{Package: "resourceserver", Op: "AddScopes", UserPoolID: testPool, Identifier: testID,
		Err: &rserrors.ResourceNotFoundError{ServiceError: rserrors.ServiceError{Code: rserrors.CodeNotFound}}}
	errThrottled = &rserrors.OpError{Package: "resourceserver", Op: "AddScopes", UserPoolID: testPool, Identifier: testID,
		Err: &rserrors.TooManyRequestsError{ServiceError: rserrors.ServiceError{Code: rserrors.CodeTooManyRequests}}}
	errQuota = &rserrors.OpError{Package: "resourceserver", Op: "Create", UserPoolID: testPool, Identifier: testID,
		Err: &rserrors.LimitExceededError{ServiceError: rserrors.ServiceError{Code: rserrors.CodeLimitExceeded}}}
)

const (
	testPool = "us-east-1_Test12345"
	testID   = "https://payments.example.com"
)

var (
	readScope   = resourceserver.Scope{Name: "payments.read", Description: "Read payments"}
	refundScope = resourceserver.Scope{Name: "payments.refund", Description: "Refund payments"}
)

func TestRegisterAPIWithFakeStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		scopes    []resourceserver.Scope
		addScopes func(string, string, []resourceserver.Scope) (resourceserver.ResourceServer, error)
		create    func(resourceserver.ResourceServer) (resourceserver.ResourceServer, error)
		want      []string
		wantErr   error // matched with errors.Is
		wantCalls []string
	}{
		{
			name:      "existing server",
			scopes:    []resourceserver.Scope{readScope, refundScope},
			want:      []string{testID + "/payments.read", testID + "/payments.refund"},
			wantCalls: []string{"AddScopes"},
		},
		{
			name:   "missing server is created",
			scopes: []resourceserver.Scope{readScope},
			addScopes: func(string, string, []resourceserver.Scope) (resourceserver.ResourceServer, error) {
				return resourceserver.ResourceServer{}, errNotFound
			},
			want:      []string{testID + "/payments.read"},
			wantCalls: []string{"AddScopes", "Create"},
		},
		{
			name:   "throttled",
			scopes: []resourceserver.Scope{readScope},
			addScopes: func(string, string, []resourceserver.Scope) (resourceserver.ResourceServer, error) {
				return resourceserver.ResourceServer{}, errThrottled
			},
			wantErr:   rserrors.ErrTooManyRequests,
			wantCalls: []string{"AddScopes"},
		},
		{
			name:   "create over quota",
			scopes: []resourceserver.Scope{readScope},
			addScopes: func(string, string, []resourceserver.Scope) (resourceserver.ResourceServer, error) {
				return resourceserver.ResourceServer{}, errNotFound
			},
			create: func(resourceserver.ResourceServer) (resourceserver.ResourceServer, error) {
				return resourceserver.ResourceServer{}, errQuota
			},
			wantErr:   rserrors.ErrLimitExceeded,
			wantCalls: []string{"AddScopes", "Create"},
		},
		{
			name:    "no scopes",
			wantErr: ErrNoScopes,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := &fakeStore{addScopes: tt.addScopes, create: tt.create}
			svc := &Service{Store: store, PoolID: testPool}
			got, err := svc.RegisterAPI(t.Context(), testID, "Payments API", tt.scopes...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("RegisterAPI(%v) error = %v, want %v", tt.scopes, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RegisterAPI(%v) token scopes (-want +got):\n%s", tt.scopes, diff)
			}
			if diff := cmp.Diff(tt.wantCalls, store.calls); diff != "" {
				t.Errorf("RegisterAPI(%v) calls (-want +got):\n%s", tt.scopes, diff)
			}
		})
	}
}

func TestRegisterAPICreatesWhatWasAsked(t *testing.T) {
	t.Parallel()
	var created resourceserver.ResourceServer
	store := &fakeStore{
		addScopes: func(string, string, []resourceserver.Scope) (resourceserver.ResourceServer, error) {
			return resourceserver.ResourceServer{}, errNotFound
		},
		create: func(rs resourceserver.ResourceServer) (resourceserver.ResourceServer, error) {
			created = rs
			return rs, nil
		},
	}
	svc := &Service{Store: store, PoolID: testPool}
	if _, err := svc.RegisterAPI(t.Context(), testID, "Payments API", readScope, refundScope); err != nil {
		t.Fatalf("RegisterAPI() error = %v", err)
	}
	want := resourceserver.ResourceServer{
		UserPoolID: testPool, Identifier: testID, Name: "Payments API",
		Scopes: []resourceserver.Scope{readScope, refundScope},
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("Create got (-want +got):\n%s", diff)
	}
}
