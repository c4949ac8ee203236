package appclient_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

const goneAPI = "https://gone.example.com"

// grantsFake holds n app clients: client i allows orders.read, the odd
// ones also openid, every tenth the inactive scope goneAPI/x.
func grantsFake(n int) *fakeAPI {
	f := newFake()
	f.putServer(testPool, ordersAPI, "orders.read", "orders.write")
	for i := range n {
		scopes := []string{ordersAPI + "/orders.read"}
		if i%2 == 1 {
			scopes = append(scopes, "openid")
		}
		if i%10 == 0 {
			scopes = append(scopes, goneAPI+"/x")
		}
		f.putClient(machineClient(fmt.Sprintf("c%04d", i), scopes...))
	}
	return f
}

func TestGrants(t *testing.T) {
	f := grantsFake(130)
	c := appclient.New(f, noWait)
	g, err := c.Grants(context.Background(), testPool)
	if err != nil {
		t.Fatalf("Grants() error = %v", err)
	}
	calls := map[string]int{}
	for _, op := range f.ops() {
		calls[op]++
	}
	wantCalls := map[string]int{opListServers: 1, opListClients: 3, opDescribeClient: 130}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if g.AppClients != 130 || g.UserPoolID != testPool {
		t.Errorf("Grants() = pool %s, %d app clients; want %s, 130", g.UserPoolID, g.AppClients, testPool)
	}
	var scopes []string
	for _, s := range g.Scopes {
		scopes = append(scopes, s.Scope)
	}
	if diff := cmp.Diff([]string{goneAPI + "/x", ordersAPI + "/orders.read", "openid"}, scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{goneAPI + "/x"}, g.Inactive()); diff != "" {
		t.Errorf("Inactive() (-want +got):\n%s", diff)
	}
	holders := g.Holders(goneAPI + "/x")
	if len(holders) != 13 || holders[0] != (appclient.ClientRef{ID: "c0000", Name: "machine-c0000"}) || holders[1].ID != "c0010" {
		t.Errorf("Holders(gone) = %v, want 13 sorted by ID from c0000", holders)
	}
	if n := len(g.Holders("openid")); n != 65 {
		t.Errorf("len(Holders(openid)) = %d, want 65", n)
	}
	if h := g.Holders("email"); h != nil {
		t.Errorf("Holders(email) = %v, want nil", h)
	}
}

func TestGrantsSkipsDeletedClient(t *testing.T) {
	f := grantsFake(3)
	f.OnDescribeClient = func(ctx context.Context, in *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error) {
		if aws.ToString(in.ClientId) == "c0001" {
			return nil, clientNotFound(testPool, "c0001")
		}
		c, _ := f.client(testPool, aws.ToString(in.ClientId))
		return &cip.DescribeUserPoolClientOutput{UserPoolClient: &c}, nil
	}
	g, err := appclient.New(f, noWait).Grants(context.Background(), testPool)
	if err != nil || g.AppClients != 2 {
		t.Fatalf("Grants() = %d app clients, %v; want 2, nil", g.AppClients, err)
	}
}

func TestGrantsErrors(t *testing.T) {
	t.Run("invalid pool", func(t *testing.T) {
		f := grantsFake(1)
		_, err := appclient.New(f, noWait).Grants(context.Background(), "bad")
		if !rserrors.IsValidation(err) || len(f.ops()) != 0 {
			t.Fatalf("Grants(bad) error = %v, calls %v; want validation error, no call", err, f.ops())
		}
	})
	t.Run("describe fails", func(t *testing.T) {
		f := grantsFake(20)
		f.OnDescribeClient = func(context.Context, *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error) {
			return nil, &types.NotAuthorizedException{Message: aws.String("no")}
		}
		_, err := appclient.New(f, noWait).Grants(context.Background(), testPool)
		var e *rserrors.NotAuthorizedError
		var op *appclient.OpError
		if !errors.As(err, &e) || !errors.As(err, &op) || op.Op != "Grants" {
			t.Fatalf("Grants() error = %v, want NotAuthorized in an OpError", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := grantsFake(200)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int32
		f.OnDescribeClient = func(ctx context.Context, in *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error) {
			if n.Add(1) == 10 {
				cancel()
			}
			c, _ := f.client(testPool, aws.ToString(in.ClientId))
			return &cip.DescribeUserPoolClientOutput{UserPoolClient: &c}, nil
		}
		_, err := appclient.New(f, noWait).Grants(ctx, testPool)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Grants() error = %v, want context.Canceled", err)
		}
		if got := f.count(opDescribeClient); got > 10+appclient.DefaultParallelism {
			t.Errorf("DescribeUserPoolClient calls after cancel = %d, want at most %d", got, 10+appclient.DefaultParallelism)
		}
	})
}

func TestHolders(t *testing.T) {
	f := grantsFake(25)
	c := appclient.New(f, noWait)
	got, err := c.Holders(context.Background(), testPool, []string{goneAPI + "/x", ordersAPI + "/orders.write"})
	if err != nil {
		t.Fatalf("Holders() error = %v", err)
	}
	want := map[string][]string{goneAPI + "/x": {"c0000", "c0010", "c0020"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Holders() (-want +got):\n%s", diff)
	}
	if n := f.count(opListServers); n != 0 {
		t.Errorf("ListResourceServers calls = %d, want 0", n)
	}

	t.Run("no scope", func(t *testing.T) {
		f := grantsFake(1)
		got, err := appclient.New(f, noWait).Holders(context.Background(), testPool, nil)
		if err != nil || len(got) != 0 || len(f.ops()) != 0 {
			t.Fatalf("Holders(nil) = %v, %v, calls %v; want empty, nil, none", got, err, f.ops())
		}
	})
	t.Run("bad scope", func(t *testing.T) {
		f := grantsFake(1)
		_, err := appclient.New(f, noWait).Holders(context.Background(), testPool, []string{"openid", "bad"})
		var fe *rserrors.FieldError
		if !errors.As(err, &fe) || fe.Field != "scopes[1]" || len(f.ops()) != 0 {
			t.Fatalf("Holders(bad) error = %v, calls %v; want scopes[1] violation, no call", err, f.ops())
		}
	})
}

func TestRevoke(t *testing.T) {
	f := grantsFake(25)
	c := appclient.New(f, noWait)
	gone := goneAPI + "/x"
	if err := c.Revoke(context.Background(), testPool, gone, []string{"c0000", "c0010"}); err != nil {
		t.Fatalf("Revoke() error = %v", err)
	}
	if err := c.Revoke(context.Background(), testPool, gone, []string{"nosuch", "c0020"}); !rserrors.IsNotFound(err) {
		t.Fatalf("Revoke(nosuch) error = %v, want not found", err)
	}
	got, err := c.Holders(context.Background(), testPool, []string{gone})
	if err != nil {
		t.Fatalf("Holders() error = %v", err)
	}
	// c0020 comes after the failure: it keeps the scope.
	if diff := cmp.Diff(map[string][]string{gone: {"c0020"}}, got); diff != "" {
		t.Errorf("Holders() after Revoke (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{ordersAPI + "/orders.read"}, storedScopes(t, f, "c0000")); diff != "" {
		t.Errorf("c0000 scopes (-want +got):\n%s", diff)
	}
}

// recorder is a slog.Handler that keeps each record's message.
type recorder struct{ msgs *[]string }

func (r recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r recorder) Handle(_ context.Context, rec slog.Record) error {
	*r.msgs = append(*r.msgs, rec.Message)
	return nil
}
func (r recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r recorder) WithGroup(string) slog.Handler      { return r }

func TestLogger(t *testing.T) {
	var msgs []string
	_, c := setup(t, func(o *appclient.Options) { o.Logger = slog.New(recorder{&msgs}) })
	ctx := context.Background()
	if _, err := c.GrantScopes(ctx, testPool, testClient, ordersAPI+"/orders.write"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GrantScopes(ctx, testPool, testClient, ordersAPI+"/orders.write"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GrantScopes(ctx, testPool, testClient, ordersAPI+"/nope"); err == nil {
		t.Fatal("GrantScopes(nope) succeeded")
	}
	want := []string{"appclient: updated", "appclient: change verified", "appclient: no change", "appclient: grant refused, scope does not exist"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("log records (-want +got):\n%s", diff)
	}
}

// TestClientOptions checks that Options.ClientOptions reach every SDK call.
func TestClientOptions(t *testing.T) {
	f := grantsFake(3)
	c := appclient.New(f, noWait, func(o *appclient.Options) {
		o.ClientOptions = []func(*cip.Options){nil, func(o *cip.Options) { o.AppID = "scopekeeper-test" }}
	})
	ctx := context.Background()
	if _, err := c.Grants(ctx, testPool); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GrantScopes(ctx, testPool, "c0001", ordersAPI+"/orders.write"); err != nil {
		t.Fatal(err)
	}
	ids := f.appIDs()
	for i, id := range ids {
		if id != "scopekeeper-test" {
			t.Errorf("call %d (%s) AppID = %q, want the ClientOptions' value", i, f.ops()[i], id)
		}
	}
	if len(ids) != 1+1+3+4 {
		t.Errorf("calls = %v, want 9", f.ops())
	}
}
