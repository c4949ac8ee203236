package reconcile_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// overwriter is the SDK client with another writer racing it: after the
// first UpdateResourceServer of each identifier in stale succeeds, that
// writer's stale Update puts the server back as it was.
type overwriter struct {
	*cip.Client
	srv   *cognitotest.Server
	mu    sync.Mutex
	stale map[string]cognitotest.ResourceServer
}

func (o *overwriter) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	out, err := o.Client.UpdateResourceServer(ctx, in, optFns...)
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.stale[*in.Identifier]; ok && err == nil {
		delete(o.stale, *in.Identifier)
		if perr := o.srv.PutResourceServer(old); perr != nil {
			return nil, perr
		}
	}
	return out, err
}

// TestApplyRewritesOverwritten: a change another writer overwrote after it
// landed is found by the List that verifies the wave and written again.
func TestApplyRewritesOverwritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putMany(t, 3)
	old, _ := e.srv.ResourceServer(pool, "https://api001.example.com")
	api := &overwriter{Client: e.srv.Client(), srv: e.srv, stale: map[string]cognitotest.ResourceServer{old.Identifier: old}}
	rec := reconcile.New(api, appclient.New(api, func(o *appclient.Options) { o.DisableRateLimit = true }), func(o *reconcile.Options) {
		o.Settle = -1
		o.ResourceServerOptions = []func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}
	})
	p := planMany(t, rec, 3, true)
	e.srv.ResetRequests()
	res, err := rec.Apply(t.Context(), p, reconcile.ApplyOptions{})
	if err != nil {
		t.Fatalf("Apply() error = %v", err)
	}
	if len(res.Done()) != 3 {
		t.Errorf("done %d steps, want 3: %+v", len(res.Done()), res.Steps)
	}
	ops := countOps(e.srv.Requests())
	// The apply reads the servers again, but not the app clients that
	// this Reconciler's plan read moments ago (Options.ReuseRead); the
	// wave is verified by listings, one per round, not by a Describe per
	// server: the first read of each change, and one more after the
	// backoff of the overwritten one.
	want := map[string]int{"ListResourceServers": 3, "DescribeResourceServer": 4, "UpdateResourceServer": 4}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	for _, line := range e.state() {
		if line[len(line)-len("write=Write"):] != "write=Write" {
			t.Errorf("server not changed: %s", line)
		}
	}
}

// TestApplyFailures: stop at the first failure, or go on and collect; a
// step whose prerequisite failed is not tried.
func TestApplyFailures(t *testing.T) {
	t.Parallel()
	file := `userPoolId: ` + pool + `
resourceServers:
  - {identifier: https://a.example.com, name: A, scopes: [{name: x, description: x}]}
  - {identifier: https://b.example.com, name: B, scopes: [{name: x, description: x}]}
  - {identifier: https://c.example.com, name: C, scopes: [{name: x, description: x}]}
appClients:
  - clientId: worker1
    scopes: [https://a.example.com/x]
  - clientId: worker2
    scopes: [https://keep.example.com/k, https://c.example.com/x]
`
	for _, tc := range []struct {
		name      string
		continue_ bool
		want      []string
	}{
		{"stop", false, []string{"create https://a.example.com: failed", "create https://b.example.com: not tried", "create https://c.example.com: not tried",
			"grant https://a.example.com/x to app client worker1: not tried", "grant https://c.example.com/x to app client worker2: not tried"}},
		{"continue", true, []string{"create https://a.example.com: failed", "create https://b.example.com: done", "create https://c.example.com: done",
			"grant https://a.example.com/x to app client worker1: not tried", "grant https://c.example.com/x to app client worker2: done"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.put(t, "https://keep.example.com", "Keep", "k")
			e.putClient(t, "worker1", "one", "https://keep.example.com/k")
			e.putClient(t, "worker2", "two", "https://keep.example.com/k")
			rec := reconcile.New(e.srv.Client(), appclient.New(e.srv.Client(), func(o *appclient.Options) { o.DisableRateLimit = true }), func(o *reconcile.Options) {
				o.Settle, o.Parallelism = -1, 1
				o.ResourceServerOptions = []func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}
			})
			f, err := reconcile.Parse("f.yaml", []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := rec.Plan(t.Context(), f, reconcile.PlanOptions{})
			if err != nil {
				t.Fatalf("Plan() error = %v", err)
			}
			e.srv.FailNext("CreateResourceServer", 1, cognitotest.Fault{Code: "NotAuthorizedException", Status: 400})
			var progress []string
			res, err := rec.Apply(t.Context(), p, reconcile.ApplyOptions{ContinueOnError: tc.continue_, Progress: func(s reconcile.StepResult, finished, total int) {
				progress = append(progress, s.Step.String())
			}})
			var ae *reconcile.ApplyError
			if !errors.As(err, &ae) || ae.Result != res || !rserrors.IsNotAuthorized(err) {
				t.Fatalf("Apply() error = %v, want an *ApplyError holding the result and the NotAuthorized failure", err)
			}
			var got []string
			for _, s := range res.Steps {
				got = append(got, s.Step.String()+": "+string(s.Outcome))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes mismatch (-want +got):\n%s", diff)
			}
			if len(progress) != len(res.Steps) {
				t.Errorf("Progress called %d times, want %d", len(progress), len(res.Steps))
			}
		})
	}
}

func TestPlanProblemsAgainstPool(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read", "admin")
	e.putClient(t, "w1", "twin", "https://orders.example.com/read")
	e.putClient(t, "w2", "twin", "https://orders.example.com/read")
	f, err := reconcile.Parse("f.yaml", []byte(`userPoolId: `+pool+`
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    scopes: [{name: read, description: read}]
appClients:
  - clientName: twin
    scopes: [https://orders.example.com/read]
  - clientName: nobody
    scopes: [https://orders.example.com/read]
  - clientId: w1
    scopes: [https://orders.example.com/admin, https://nowhere.example.com/x]
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.rec.Plan(t.Context(), f, reconcile.PlanOptions{})
	var fe *reconcile.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Plan() error = %v, want a *FileError", err)
	}
	var got []problem
	for _, p := range fe.Problems {
		got = append(got, problem{p.Line, p.Column, p.Path, p.Rule})
	}
	want := []problem{
		{7, 17, "appClients[0].clientName", reconcile.RuleAmbiguousClient},
		{9, 17, "appClients[1].clientName", reconcile.RuleUnknownClient},
		{12, 14, "appClients[2].scopes[0]", reconcile.RuleUndefinedScope},
		{12, 48, "appClients[2].scopes[1]", reconcile.RuleUndefinedScope},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s\n%v", diff, err)
	}
	if _, err := e.rec.Plan(t.Context(), f, reconcile.PlanOptions{UserPoolID: "us-east-1_Other"}); !errors.As(err, &fe) || fe.Problems[0].Rule != reconcile.RulePool {
		t.Errorf("Plan(other pool) error = %v, want a RulePool problem", err)
	}
}

// TestApplyRevokeFailureKeepsScope: when the revoke before a removal
// fails, the removal is not tried, so no grant is left dangling; other
// servers go on with ContinueOnError.
func TestApplyRevokeFailureKeepsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://a.example.com", "A", "keep", "drop")
	e.put(t, "https://b.example.com", "B", "x")
	e.putClient(t, "worker1", "one", "https://a.example.com/keep", "https://a.example.com/drop")
	f, err := reconcile.Parse("f.yaml", []byte(`userPoolId: `+pool+`
resourceServers:
  - {identifier: https://a.example.com, name: A, scopes: [{name: keep, description: keep}]}
  - {identifier: https://b.example.com, name: B2, scopes: [{name: x, description: x}]}
appClients:
  - clientId: worker1
    scopes: [https://a.example.com/keep]
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.rec.Plan(t.Context(), f, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Dangling) != 0 {
		t.Fatalf("Dangling = %v, want none: the plan revokes the scope first", p.Dangling)
	}
	e.srv.FailNext("UpdateUserPoolClient", 1, cognitotest.Fault{Code: "NotAuthorizedException", Status: 400})
	res, err := e.rec.Apply(t.Context(), p, reconcile.ApplyOptions{ContinueOnError: true})
	if !rserrors.IsNotAuthorized(err) {
		t.Fatalf("Apply() error = %v, want the revoke's NotAuthorized", err)
	}
	var got []string
	for _, s := range res.Steps {
		got = append(got, s.Step.String()+": "+string(s.Outcome))
	}
	want := []string{
		"revoke https://a.example.com/drop from app client worker1: failed",
		"change https://a.example.com: not tried",
		"change https://b.example.com: done",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes mismatch (-want +got):\n%s", diff)
	}
	if rs, _ := e.srv.ResourceServer(pool, "https://a.example.com"); len(rs.Scopes) != 2 {
		t.Errorf("the scope was removed although its revoke failed: %+v", rs.Scopes)
	}
}
