package appclient_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// machineClient is an app client with OAuth on, client_credentials, a
// secret, and the given scopes.
func machineClient(id string, scopes ...string) types.UserPoolClientType {
	return types.UserPoolClientType{
		UserPoolId: aws.String(testPool), ClientId: aws.String(id), ClientName: aws.String("machine-" + id),
		ClientSecret: aws.String("secret"), AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: scopes, RefreshTokenValidity: 30,
		CallbackURLs: []string{"https://app.example.com/cb"},
	}
}

// setup returns a fake holding testClient with orders.read, the resource
// server ordersAPI with orders.read and orders.write, and a Client on it.
func setup(t *testing.T, opts ...func(*appclient.Options)) (*fakeAPI, *appclient.Client) {
	t.Helper()
	f := newFake()
	f.putClient(machineClient(testClient, ordersAPI+"/orders.read"))
	f.putServer(testPool, ordersAPI, "orders.read", "orders.write")
	return f, appclient.New(f, append([]func(*appclient.Options){noWait}, opts...)...)
}

func storedScopes(t *testing.T, f *fakeAPI, id string) []string {
	t.Helper()
	c, ok := f.client(testPool, id)
	if !ok {
		t.Fatalf("app client %s not stored", id)
	}
	return c.AllowedOAuthScopes
}

func TestGrantScopes(t *testing.T) {
	read, write := ordersAPI+"/orders.read", ordersAPI+"/orders.write"
	tests := []struct {
		name       string
		scopes     []string
		wantScopes []string
		wantOps    []string
		wantErr    error // matched with errors.Is
	}{
		{
			name: "new scope", scopes: []string{write},
			wantScopes: []string{read, write},
			wantOps:    []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient},
		},
		{
			name: "already held", scopes: []string{read},
			wantScopes: []string{read},
			wantOps:    []string{opDescribeClient, opDescribeServer},
		},
		{
			name: "repeated and standard", scopes: []string{write, "openid", write},
			wantScopes: []string{read, write, "openid"},
			wantOps:    []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient},
		},
		{
			name: "scope name not defined", scopes: []string{ordersAPI + "/orders.delete"},
			wantScopes: []string{read}, wantErr: rserrors.ErrScopeDoesNotExist,
			wantOps: []string{opDescribeClient, opDescribeServer},
		},
		{
			name: "no such resource server", scopes: []string{"https://nope.example.com/x", write},
			wantScopes: []string{read}, wantErr: rserrors.ErrScopeDoesNotExist,
			wantOps: []string{opDescribeClient, opDescribeServer, opDescribeServer},
		},
		{
			name: "bad scope", scopes: []string{"no-slash", ordersAPI + "/bad\"name"},
			wantScopes: []string{read}, wantErr: rserrors.ErrValidation,
		},
		{
			name: "no scope", wantScopes: []string{read}, wantErr: rserrors.ErrValidation,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, c := setup(t)
			got, err := c.GrantScopes(context.Background(), testPool, testClient, tt.scopes...)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("GrantScopes(%q) error = %v, want %v", tt.scopes, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantOps, f.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantScopes, storedScopes(t, f, testClient)); diff != "" {
				t.Errorf("stored scopes (-want +got):\n%s", diff)
			}
			if err == nil && !cmp.Equal(tt.wantScopes, got.AllowedOAuthScopes) {
				t.Errorf("GrantScopes(%q).AllowedOAuthScopes = %q, want %q", tt.scopes, got.AllowedOAuthScopes, tt.wantScopes)
			}
		})
	}
}

func TestGrantScopesMissingListsEach(t *testing.T) {
	f, c := setup(t)
	missing := []string{"https://nope.example.com/x", ordersAPI + "/orders.delete"}
	_, err := c.GrantScopes(context.Background(), testPool, testClient, append(missing, ordersAPI+"/orders.write")...)
	var e *appclient.ScopeNotFoundError
	if !errors.As(err, &e) {
		t.Fatalf("GrantScopes() error = %v, want *ScopeNotFoundError", err)
	}
	if diff := cmp.Diff(missing, e.Scopes); diff != "" {
		t.Errorf("ScopeNotFoundError.Scopes (-want +got):\n%s", diff)
	}
	if e.Err != nil || e.UserPoolID != testPool {
		t.Errorf("ScopeNotFoundError = %+v, want pool %s and no service error", e, testPool)
	}
	if !errors.Is(err, rserrors.ErrScopeDoesNotExist) || !rserrors.IsScopeDoesNotExist(err) {
		t.Errorf("GrantScopes() error = %v, want it to match ErrScopeDoesNotExist and IsScopeDoesNotExist", err)
	}
	var se *rserrors.ServiceError
	if errors.As(err, &se) {
		t.Errorf("GrantScopes() error = %v holds a service error %v, want none: nothing was sent", err, se)
	}
	var op *appclient.OpError
	if !errors.As(err, &op) || op.Op != "GrantScopes" || op.ClientID != testClient {
		t.Errorf("GrantScopes() error = %#v, want *OpError for GrantScopes %s", err, testClient)
	}
	if n := f.count(opUpdateClient); n != 0 {
		t.Errorf("UpdateUserPoolClient calls = %d, want 0", n)
	}
}

func TestRevokeScopes(t *testing.T) {
	read, write := ordersAPI+"/orders.read", ordersAPI+"/orders.write"
	tests := []struct {
		name       string
		held       []string
		revoke     []string
		wantScopes []string
		wantOps    []string
	}{
		{"one of two", []string{read, write}, []string{read}, []string{write},
			[]string{opDescribeClient, opUpdateClient, opDescribeClient}},
		{"not held", []string{write}, []string{read}, []string{write}, []string{opDescribeClient}},
		{"inactive scope", []string{write, "https://gone.example.com/x"}, []string{"https://gone.example.com/x"}, []string{write},
			[]string{opDescribeClient, opUpdateClient, opDescribeClient}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.putClient(machineClient(testClient, tt.held...))
			c := appclient.New(f, noWait)
			if _, err := c.RevokeScopes(context.Background(), testPool, testClient, tt.revoke...); err != nil {
				t.Fatalf("RevokeScopes(%q) error = %v", tt.revoke, err)
			}
			if diff := cmp.Diff(tt.wantOps, f.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantScopes, storedScopes(t, f, testClient)); diff != "" {
				t.Errorf("stored scopes (-want +got):\n%s", diff)
			}
			if got, _ := f.client(testPool, testClient); !aws.ToBool(got.AllowedOAuthFlowsUserPoolClient) || len(got.CallbackURLs) != 1 {
				t.Errorf("stored client lost OAuth or callback URLs: %+v", got)
			}
		})
	}
}

func TestModify(t *testing.T) {
	t.Run("fn error", func(t *testing.T) {
		f, c := setup(t)
		_, err := c.Modify(context.Background(), testPool, testClient, func(*appclient.AppClient) error { return errBoom })
		if !errors.Is(err, errBoom) {
			t.Fatalf("Modify() error = %v, want %v", err, errBoom)
		}
		if diff := cmp.Diff([]string{opDescribeClient}, f.ops()); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
	t.Run("nil fn", func(t *testing.T) {
		f, c := setup(t)
		_, err := c.Modify(context.Background(), testPool, testClient, nil)
		if !rserrors.IsValidation(err) || len(f.ops()) != 0 {
			t.Fatalf("Modify(nil) error = %v, calls %v; want validation error, no call", err, f.ops())
		}
	})
	t.Run("no change", func(t *testing.T) {
		f, c := setup(t)
		_, err := c.Modify(context.Background(), testPool, testClient, func(a *appclient.AppClient) error {
			a.AllowedOAuthScopes = append([]string{}, a.AllowedOAuthScopes...)
			a.LogoutURLs = []string{}
			return nil
		})
		if err != nil || f.count(opUpdateClient) != 0 {
			t.Fatalf("Modify(no change) error = %v, calls %v; want nil and no Update", err, f.ops())
		}
	})
	t.Run("turn OAuth off explicitly", func(t *testing.T) {
		f, c := setup(t)
		got, err := c.Modify(context.Background(), testPool, testClient, func(a *appclient.AppClient) error {
			a.AllowedOAuthFlowsUserPoolClient = false
			return nil
		})
		if err != nil {
			t.Fatalf("Modify() error = %v", err)
		}
		if got.AllowedOAuthFlowsUserPoolClient || f.updates()[0].AllowedOAuthFlowsUserPoolClient {
			t.Errorf("OAuth still on after fn turned it off")
		}
	})
	t.Run("added scope must exist", func(t *testing.T) {
		f, c := setup(t)
		_, err := c.Modify(context.Background(), testPool, testClient, func(a *appclient.AppClient) error {
			a.AllowedOAuthScopes = append(a.AllowedOAuthScopes, ordersAPI+"/nope")
			return nil
		})
		if !errors.Is(err, rserrors.ErrScopeDoesNotExist) || f.count(opUpdateClient) != 0 {
			t.Fatalf("Modify() error = %v, calls %v; want ErrScopeDoesNotExist and no Update", err, f.ops())
		}
	})
}

func TestDescribeWithoutClientIsRefused(t *testing.T) {
	f, c := setup(t)
	f.OnDescribeClient = func(context.Context, *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error) {
		return &cip.DescribeUserPoolClientOutput{}, nil
	}
	_, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write")
	if err == nil || f.count(opUpdateClient) != 0 {
		t.Fatalf("GrantScopes() error = %v, calls %v; want an error and no Update", err, f.ops())
	}
}

// overwrite makes the fake's UpdateUserPoolClient store the update, then
// revert the app client to before, as another writer's stale update
// would, for the first n updates.
func overwrite(f *fakeAPI, n int) {
	left := n
	f.OnUpdateClient = func(ctx context.Context, in *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
		before, _ := f.client(aws.ToString(in.UserPoolId), aws.ToString(in.ClientId))
		out, err := f.update(in)
		if left > 0 {
			left--
			f.putClient(before)
		}
		return out, err
	}
}

func TestVerifyRewritesAfterOverwrite(t *testing.T) {
	f, c := setup(t)
	overwrite(f, 1)
	write := ordersAPI + "/orders.write"
	got, err := c.GrantScopes(context.Background(), testPool, testClient, write)
	if err != nil {
		t.Fatalf("GrantScopes() error = %v", err)
	}
	want := []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient, opUpdateClient, opDescribeClient}
	if diff := cmp.Diff(want, f.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{ordersAPI + "/orders.read", write}, got.AllowedOAuthScopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
}

func TestConflictAfterMaxAttempts(t *testing.T) {
	f, c := setup(t, func(o *appclient.Options) { o.MaxAttempts = 3 })
	overwrite(f, 100)
	_, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write")
	var ce *rserrors.ConflictError
	if !errors.As(err, &ce) || ce.Attempts != 3 || ce.Identifier != testClient {
		t.Fatalf("GrantScopes() error = %v, want ConflictError after 3 attempts", err)
	}
	if n := f.count(opUpdateClient); n != 3 {
		t.Errorf("UpdateUserPoolClient calls = %d, want 3", n)
	}
}

// TestConcurrentModificationIsRetried checks that an Update refused with
// ConcurrentModificationException, as the SDK decodes it or as an
// unmodelled code, is rebuilt from a fresh Describe and sent again, and
// that one refused every time ends in a ConflictError.
func TestConcurrentModificationIsRetried(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		refusals int // how many Updates are refused
		wantOps  []string
		wantErr  error // nil, or the sentinel the error matches
	}{
		{
			name: "SDK exception once", err: &types.ConcurrentModificationException{Message: aws.String("busy")}, refusals: 1,
			wantOps: []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient, opUpdateClient, opDescribeClient},
		},
		{
			name: "generic code in lower case once", err: &smithy.GenericAPIError{Code: "concurrentmodificationexception", Message: "busy"}, refusals: 1,
			wantOps: []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient, opUpdateClient, opDescribeClient},
		},
		{
			name: "every time", err: &types.ConcurrentModificationException{Message: aws.String("busy")}, refusals: 100,
			wantOps: []string{opDescribeClient, opDescribeServer, opUpdateClient, opDescribeClient, opUpdateClient, opDescribeClient, opUpdateClient},
			wantErr: rserrors.ErrConflict,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, c := setup(t, func(o *appclient.Options) { o.MaxAttempts = 3 })
			left := tt.refusals
			f.OnUpdateClient = func(ctx context.Context, in *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
				if left > 0 {
					left--
					return nil, tt.err
				}
				return f.update(in)
			}
			_, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write")
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("GrantScopes() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantOps, f.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDisableVerify(t *testing.T) {
	f, c := setup(t, func(o *appclient.Options) { o.DisableVerify = true })
	got, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write")
	if err != nil {
		t.Fatalf("GrantScopes() error = %v", err)
	}
	want := []string{opDescribeClient, opDescribeServer, opUpdateClient}
	if diff := cmp.Diff(want, f.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(got.AllowedOAuthScopes) != 2 {
		t.Errorf("GrantScopes() scopes = %q, want 2", got.AllowedOAuthScopes)
	}
}

func TestServiceErrors(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		check func(error) bool
	}{
		{"scope does not exist", &smithy.GenericAPIError{Code: rserrors.CodeScopeDoesNotExist, Message: "Invalid scope requested: https://x/y"},
			func(err error) bool { return scopeNotFoundFromCognito(err, "https://x/y") }},
		{"scope does not exist, lower-case code", &smithy.GenericAPIError{Code: "scopedoesnotexistexception", Message: "Invalid scope requested: https://x/y"},
			func(err error) bool { return scopeNotFoundFromCognito(err, "https://x/y") }},
		{"typed scope does not exist", &types.ScopeDoesNotExistException{Message: aws.String("Invalid scope requested: a/b")},
			func(err error) bool {
				var sdk *types.ScopeDoesNotExistException
				return scopeNotFoundFromCognito(err, "a/b") && errors.As(err, &sdk)
			}},
		{"invalid oauth flow", &types.InvalidOAuthFlowException{Message: aws.String("bad flow")},
			func(err error) bool {
				var e *rserrors.InvalidOAuthFlowError
				var sdk *types.InvalidOAuthFlowException
				return errors.As(err, &e) && e.Message == "bad flow" &&
					errors.Is(err, rserrors.ErrInvalidOAuthFlow) && rserrors.IsInvalidOAuthFlow(err) && errors.As(err, &sdk)
			}},
		{"not found", &types.ResourceNotFoundException{Message: aws.String("gone")}, rserrors.IsNotFound},
		{"not authorized", &types.NotAuthorizedException{Message: aws.String("no")},
			func(err error) bool {
				var e *rserrors.NotAuthorizedError
				return errors.As(err, &e)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, c := setup(t)
			f.OnUpdateClient = func(context.Context, *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
				return nil, tt.err
			}
			_, err := c.GrantScopes(context.Background(), testPool, testClient, ordersAPI+"/orders.write")
			if !tt.check(err) {
				t.Errorf("GrantScopes() error = %#v, not as expected", err)
			}
			var op *appclient.OpError
			if !errors.As(err, &op) || !strings.HasPrefix(op.Error(), "appclient: GrantScopes "+testPool+"/"+testClient+": ") {
				t.Errorf("GrantScopes() error = %v, want an *OpError naming GrantScopes %s/%s", err, testPool, testClient)
			}
		})
	}
}

// scopeNotFoundFromCognito reports whether err holds a *ScopeNotFoundError
// for testPool that lists scopes and wraps Cognito's answer as a
// *rserrors.ScopeDoesNotExistError, and matches ErrScopeDoesNotExist and
// IsScopeDoesNotExist.
func scopeNotFoundFromCognito(err error, scopes ...string) bool {
	var e *appclient.ScopeNotFoundError
	if !errors.As(err, &e) || e.UserPoolID != testPool || !cmp.Equal(e.Scopes, scopes) {
		return false
	}
	var sd *rserrors.ScopeDoesNotExistError
	return errors.As(e.Err, &sd) && sd.Code == rserrors.CodeScopeDoesNotExist && cmp.Equal(sd.Scopes, scopes) &&
		errors.Is(err, rserrors.ErrScopeDoesNotExist) && rserrors.IsScopeDoesNotExist(err)
}

func TestNewNilAPIPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("New(nil) did not panic")
		}
	}()
	appclient.New(nil)
}

// TestErrorNamesAreAliases checks that the deprecated names of the error
// types and the errors package's own names reach the same error.
func TestErrorNamesAreAliases(t *testing.T) {
	_, c := setup(t)
	_, err := c.Get(context.Background(), testPool, "missing")
	var old *appclient.OpError
	var one *rserrors.OpError
	if !errors.As(err, &old) || !errors.As(err, &one) || old != one {
		t.Fatalf("Get() error = %v, want one *rserrors.OpError under both names", err)
	}
	if one.Package != "appclient" || one.ClientID != "missing" || one.Op != "Get" || !rserrors.IsNotFound(err) {
		t.Errorf("OpError = %+v, want Package appclient, Op Get, ClientID missing, a not-found cause", one)
	}
	var u *appclient.UnsafeUpdateError = &rserrors.UnsafeUpdateError{ClientID: "c"}
	if !errors.Is(u, rserrors.ErrUnsafeUpdate) {
		t.Errorf("appclient.UnsafeUpdateError does not match rserrors.ErrUnsafeUpdate")
	}
}

// keyLocker records the keys locked through it.
type keyLocker struct {
	mu    sync.Mutex
	keys  []string
	inner resourceserver.Locker
}

func (l *keyLocker) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	l.mu.Lock()
	l.keys = append(l.keys, key)
	l.mu.Unlock()
	return l.inner.Lock(ctx, key)
}

// TestGrantTakesTheServersLock: with a Locker, a grant or a revoke of a
// custom scope takes the lock of that scope's resource server, the key a
// resourceserver.Client takes, so that it waits for a removal holding it
// in another process; a change with nothing to write takes none.
func TestGrantTakesTheServersLock(t *testing.T) {
	key := "cognito-idp/" + testPool + "/" + ordersAPI
	inner := resourceserver.NewMemoryLocker()
	l := &keyLocker{inner: inner}
	f, c := setup(t, func(o *appclient.Options) { o.Locker = l })
	ctx := context.Background()
	if _, err := c.GrantScopes(ctx, testPool, testClient, ordersAPI+"/orders.write", "openid"); err != nil {
		t.Fatalf("GrantScopes() error = %v", err)
	}
	if _, err := c.RevokeScopes(ctx, testPool, testClient, ordersAPI+"/orders.write"); err != nil {
		t.Fatalf("RevokeScopes() error = %v", err)
	}
	if _, err := c.RevokeScopes(ctx, testPool, testClient, ordersAPI+"/orders.write"); err != nil {
		t.Fatalf("RevokeScopes() again error = %v", err)
	}
	if diff := cmp.Diff([]string{key, key}, l.keys); diff != "" {
		t.Errorf("locked keys (-want +got):\n%s", diff)
	}

	// A removal holds the server's lock: the grant waits and sends no
	// update.
	held, err := inner.Lock(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock(ctx)
	updates := f.count(opUpdateClient)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.GrantScopes(short, testPool, testClient, ordersAPI+"/orders.write"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GrantScopes() under a held lock error = %v, want %v", err, context.DeadlineExceeded)
	}
	if n := f.count(opUpdateClient); n != updates {
		t.Errorf("%d updates sent while the server's lock was held, want none", n-updates)
	}
}
