package reconcile_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

const pool = "us-east-1_Recon1"

// env is an emulator with one user pool and a Reconciler on it.
type env struct {
	srv *cognitotest.Server
	rec *reconcile.Reconciler
}

// newEnv starts an emulator holding pool, with pacing off so the tests
// are quick (the measurements pace).
func newEnv(t testing.TB, opts ...cognitotest.Option) *env {
	t.Helper()
	srv := cognitotest.NewServer(opts...)
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(pool, "test"); err != nil {
		t.Fatalf("AddUserPool() error = %v", err)
	}
	api := srv.Client()
	apps := appclient.New(api, func(o *appclient.Options) { o.DisableRateLimit = true; o.DisableVerify = true })
	rec := reconcile.New(api, apps, func(o *reconcile.Options) {
		o.Settle = -1
		o.ResourceServerOptions = append(o.ResourceServerOptions, func(o *resourceserver.Options) { o.DisableRateLimit = true })
	})
	return &env{srv: srv, rec: rec}
}

func (e *env) put(t testing.TB, identifier, name string, scopes ...string) {
	t.Helper()
	rs := cognitotest.ResourceServer{UserPoolID: pool, Identifier: identifier, Name: name}
	for _, s := range scopes {
		n, d, _ := strings.Cut(s, "=")
		if d == "" {
			d = n
		}
		rs.Scopes = append(rs.Scopes, cognitotest.Scope{Name: n, Description: d})
	}
	if err := e.srv.PutResourceServer(rs); err != nil {
		t.Fatalf("PutResourceServer() error = %v", err)
	}
}

// putClient stores an app client with OAuth on (client_credentials) that
// allows scopes, and returns its ID.
func (e *env) putClient(t testing.TB, id, name string, scopes ...string) string {
	t.Helper()
	c, err := e.srv.PutAppClient(pool, types.UserPoolClientType{
		ClientId: aws.String(id), ClientName: aws.String(name), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes:              scopes,
	})
	if err != nil {
		t.Fatalf("PutAppClient() error = %v", err)
	}
	return aws.ToString(c.ClientId)
}

func (e *env) scopesOf(t testing.TB, clientID string) []string {
	t.Helper()
	c, ok := e.srv.AppClient(pool, clientID)
	if !ok {
		t.Fatalf("app client %s missing", clientID)
	}
	out := slices.Clone(c.AllowedOAuthScopes)
	slices.Sort(out)
	return out
}

// state returns the pool's servers as "identifier|name|scope=desc,..." lines.
func (e *env) state() []string {
	var out []string
	for _, rs := range e.srv.ResourceServers(pool) {
		var sc []string
		for _, s := range rs.Scopes {
			sc = append(sc, s.Name+"="+s.Description)
		}
		slices.Sort(sc)
		out = append(out, rs.Identifier+"|"+rs.Name+"|"+strings.Join(sc, ","))
	}
	return out
}

func (e *env) plan(t testing.TB, yaml string, opts reconcile.PlanOptions) *reconcile.Plan {
	t.Helper()
	f, err := reconcile.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	p, err := e.rec.Plan(t.Context(), f, opts)
	if err != nil {
		t.Fatalf("Plan() error = %v", err)
	}
	return p
}

func (e *env) apply(t testing.TB, p *reconcile.Plan, opts reconcile.ApplyOptions) *reconcile.Result {
	t.Helper()
	res, err := e.rec.Apply(t.Context(), p, opts)
	if err != nil {
		t.Fatalf("Apply() error = %v", err)
	}
	return res
}

func TestRoundTrips(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read=Read orders", "write=Write orders", "admin=Administer")
	e.put(t, "https://billing.example.com", "Billing", "read=Read invoices")
	e.put(t, "https://legacy.example.com", "Legacy", "old=Old")

	// Export, then plan: no changes.
	f, err := e.rec.Export(t.Context(), pool, true)
	if err != nil {
		t.Fatalf("Export() error = %v", err)
	}
	var buf bytes.Buffer
	if err := f.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	exported := buf.String()
	p := e.plan(t, exported, reconcile.PlanOptions{Prune: true})
	if p.HasChanges() {
		t.Fatalf("plan of the export has changes:\n%s\nexport:\n%s", p, exported)
	}

	// Create, rename, add, remove, describe differently, prune.
	file := `
userPoolId: ` + pool + `
resourceServers:
  - identifier: https://orders.example.com
    name: Orders API
    scopes:
      - name: read
        description: Read all orders
      - name: write
        description: Write orders
      - name: cancel
        description: Cancel orders
  - identifier: https://billing.example.com
    name: Billing
    additive: true
    scopes:
      - {name: pay, description: Pay invoices}
  - identifier: https://shipping.example.com
    name: Shipping
    scopes:
      - {name: track, description: Track parcels}
`
	p = e.plan(t, file, reconcile.PlanOptions{Prune: true})
	want := `Plan for user pool us-east-1_Recon1:

  ~ https://billing.example.com
      + pay "Pay invoices"
  - https://legacy.example.com "Legacy"
      - old "Old"
  ~ https://orders.example.com
      ~ name "Orders" -> "Orders API"
      ~ read "Read orders" -> "Read all orders"
      + cancel "Cancel orders"
      - admin "Administer"
  + https://shipping.example.com "Shipping"
      + track "Track parcels"

Plan: 1 to add, 2 to change, 1 to destroy.
`
	if diff := cmp.Diff(want, p.String()); diff != "" {
		t.Errorf("plan text mismatch (-want +got):\n%s", diff)
	}
	res := e.apply(t, p, reconcile.ApplyOptions{})
	if n := len(res.Done()); n != 4 {
		t.Errorf("Apply() done %d steps, want 4: %+v", n, res.Steps)
	}
	wantState := []string{
		"https://billing.example.com|Billing|pay=Pay invoices,read=Read invoices",
		"https://orders.example.com|Orders API|cancel=Cancel orders,read=Read all orders,write=Write orders",
		"https://shipping.example.com|Shipping|track=Track parcels",
	}
	if diff := cmp.Diff(wantState, e.state()); diff != "" {
		t.Errorf("pool after apply mismatch (-want +got):\n%s", diff)
	}
	if p := e.plan(t, file, reconcile.PlanOptions{Prune: true}); p.HasChanges() {
		t.Errorf("plan after apply has changes:\n%s", p)
	}
}

func TestSavedPlanRefusedAfterDrift(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read")
	p := e.plan(t, "userPoolId: "+pool+"\nresourceServers:\n  - identifier: https://orders.example.com\n    name: Orders\n    scopes: [{name: read, description: read}, {name: write, description: w}]\n", reconcile.PlanOptions{})
	var saved bytes.Buffer
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	saved.Write(b)
	loaded, err := reconcile.ReadPlan(bytes.NewReader(saved.Bytes()))
	if err != nil {
		t.Fatalf("ReadPlan() error = %v", err)
	}
	if diff := cmp.Diff(p.String(), loaded.String()); diff != "" {
		t.Errorf("loaded plan differs (-saved +loaded):\n%s", diff)
	}
	e.put(t, "https://orders.example.com", "Orders", "read", "other")
	_, err = e.rec.Apply(t.Context(), loaded, reconcile.ApplyOptions{})
	var stale *reconcile.StaleError
	if !errors.As(err, &stale) || !errors.Is(err, reconcile.ErrStale) {
		t.Fatalf("Apply(stale plan) error = %v, want a *StaleError", err)
	}
	if got := e.state(); !slices.Equal(got, []string{"https://orders.example.com|Orders|other=other,read=read"}) {
		t.Errorf("stale apply wrote: %v", got)
	}
}

func TestDanglingRefusedThenAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read", "admin")
	id := e.putClient(t, "worker1", "worker", "https://orders.example.com/read", "https://orders.example.com/admin")
	file := "userPoolId: " + pool + "\nresourceServers:\n  - identifier: https://orders.example.com\n    name: Orders\n    scopes: [{name: read, description: read}]\n"
	p := e.plan(t, file, reconcile.PlanOptions{})
	// Only the holders of the removed scope are read, and the listing
	// names them.
	want := []reconcile.Impact{{Scope: "https://orders.example.com/admin", Clients: []reconcile.ClientRef{{ID: id, Name: "worker"}}}}
	if diff := cmp.Diff(want, p.Dangling); diff != "" {
		t.Fatalf("Dangling mismatch (-want +got):\n%s", diff)
	}
	if line := "removing https://orders.example.com/admin leaves it inactive on app client(s) worker (" + id + ")"; !strings.Contains(p.String(), line) {
		t.Errorf("printed plan does not name the client as %q:\n%s", line, p)
	}
	_, err := e.rec.Apply(t.Context(), p, reconcile.ApplyOptions{})
	var ie *reconcile.ImpactError
	if !errors.As(err, &ie) || !errors.Is(err, reconcile.ErrDangling) {
		t.Fatalf("Apply() error = %v, want an *ImpactError matching ErrDangling", err)
	}
	e.apply(t, p, reconcile.ApplyOptions{AllowDangling: true})
	if got := e.state(); !slices.Equal(got, []string{"https://orders.example.com|Orders|read=read"}) {
		t.Errorf("after allowed apply: %v", got)
	}
	// The grant is left, inactive.
	if got := e.scopesOf(t, id); !slices.Contains(got, "https://orders.example.com/admin") {
		t.Errorf("app client scopes = %v, want the inactive admin kept", got)
	}
	// Adding it back would re-grant it silently: refused, then allowed.
	file2 := strings.Replace(file, "[{name: read, description: read}]", "[{name: read, description: read}, {name: admin, description: admin}]", 1)
	p = e.plan(t, file2, reconcile.PlanOptions{})
	want = []reconcile.Impact{{Scope: "https://orders.example.com/admin", Clients: []reconcile.ClientRef{{ID: id, Name: "worker"}}}}
	if diff := cmp.Diff(want, p.Regrants); diff != "" {
		t.Fatalf("Regrants mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(mustErr(e.rec.Apply(t.Context(), p, reconcile.ApplyOptions{})), reconcile.ErrRegrant) {
		t.Fatalf("re-adding admin: want the re-grant refused")
	}
	e.apply(t, p, reconcile.ApplyOptions{AllowRegrant: true})
}

func mustErr(_ *reconcile.Result, err error) error { return err }

func TestGrants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read", "admin")
	e.put(t, "https://other.example.com", "Other", "o")
	id := e.putClient(t, "worker1", "billing-worker", "https://other.example.com/o", "https://orders.example.com/admin")
	file := `userPoolId: ` + pool + `
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}, {name: admin, description: admin}]
  - identifier: https://new.example.com
    name: New
    scopes: [{name: x, description: x}]
appClients:
  - clientName: billing-worker
    scopes: [https://orders.example.com/read, https://new.example.com/x]
`
	p := e.plan(t, file, reconcile.PlanOptions{})
	want := []reconcile.GrantPlan{{
		Client: reconcile.ClientRef{ID: id, Name: "billing-worker"},
		Grant:  []string{"https://orders.example.com/read", "https://new.example.com/x"},
		Revoke: []string{"https://orders.example.com/admin"},
	}}
	if diff := cmp.Diff(want, p.Grants); diff != "" {
		t.Fatalf("Grants mismatch (-want +got):\n%s", diff)
	}
	res := e.apply(t, p, reconcile.ApplyOptions{})
	var kinds []string
	for _, s := range res.Steps {
		kinds = append(kinds, string(s.Step.Kind)+":"+string(s.Outcome))
	}
	if diff := cmp.Diff([]string{"revoke:done", "create:done", "grant:done"}, kinds); diff != "" {
		t.Errorf("steps mismatch (-want +got):\n%s", diff)
	}
	wantScopes := []string{"https://new.example.com/x", "https://orders.example.com/read", "https://other.example.com/o"}
	if diff := cmp.Diff(wantScopes, e.scopesOf(t, id)); diff != "" {
		t.Errorf("client scopes mismatch (-want +got):\n%s", diff)
	}
	if p := e.plan(t, file, reconcile.PlanOptions{}); p.HasChanges() {
		t.Errorf("plan after apply has changes:\n%s", p)
	}
	_ = time.Second
	_ = rserrors.ErrValidation
}

// TestGrantByNameToClientWithoutScopes: a clientName resolves through the
// listing of every app client, so an app client that allows no scope yet
// can be granted one by name; an unknown clientId is a problem at its
// line and column.
func TestGrantByNameToClientWithoutScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read")
	id := e.putClient(t, "fresh1", "fresh-worker")
	file := `userPoolId: ` + pool + `
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
appClients:
  - clientName: fresh-worker
    scopes: [https://orders.example.com/read]
`
	p := e.plan(t, file, reconcile.PlanOptions{})
	want := []reconcile.GrantPlan{{Client: reconcile.ClientRef{ID: id, Name: "fresh-worker"}, Grant: []string{"https://orders.example.com/read"}}}
	if diff := cmp.Diff(want, p.Grants); diff != "" {
		t.Fatalf("Grants mismatch (-want +got):\n%s", diff)
	}
	if line := "~ app client fresh-worker (" + id + ")"; !strings.Contains(p.String(), line) {
		t.Errorf("printed plan lacks %q:\n%s", line, p)
	}
	e.apply(t, p, reconcile.ApplyOptions{})
	if diff := cmp.Diff([]string{"https://orders.example.com/read"}, e.scopesOf(t, id)); diff != "" {
		t.Errorf("client scopes mismatch (-want +got):\n%s", diff)
	}
	if p := e.plan(t, file, reconcile.PlanOptions{}); p.HasChanges() {
		t.Errorf("plan after apply has changes:\n%s", p)
	}

	f, err := reconcile.Parse("f.yaml", []byte(strings.Replace(file, "clientName: fresh-worker", "clientId: nosuchclient", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.rec.Plan(t.Context(), f, reconcile.PlanOptions{})
	var fe *reconcile.FileError
	if !errors.As(err, &fe) || len(fe.Problems) != 1 {
		t.Fatalf("Plan(unknown clientId) error = %v, want a *FileError with one problem", err)
	}
	got := fe.Problems[0]
	if got.Line != 7 || got.Column != 15 || got.Path != "appClients[0].clientId" || got.Rule != reconcile.RuleUnknownClient {
		t.Errorf("problem = %d:%d %s %s, want 7:15 appClients[0].clientId %s", got.Line, got.Column, got.Path, got.Rule, reconcile.RuleUnknownClient)
	}
}
