package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// interrupter is the SDK client whose caller interrupts the apply once
// after CreateResourceServer has succeeded n times; from then on, with
// failList, every ListResourceServers fails.
type interrupter struct {
	*cip.Client
	n        int32
	failList bool
	cancel   context.CancelCauseFunc

	created atomic.Int32
	cut     atomic.Bool
}

var errUserStop = errors.New("operator pressed ctrl-c")

func (a *interrupter) CreateResourceServer(ctx context.Context, in *cip.CreateResourceServerInput, optFns ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error) {
	out, err := a.Client.CreateResourceServer(ctx, in, optFns...)
	if err == nil && a.created.Add(1) == a.n {
		a.cut.Store(true)
		a.cancel(errUserStop)
	}
	return out, err
}

func (a *interrupter) ListResourceServers(ctx context.Context, in *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	if a.failList && a.cut.Load() {
		return nil, errors.New("network down")
	}
	return a.Client.ListResourceServers(ctx, in, optFns...)
}

// TestApplyInterrupted: an apply whose context ends mid-wave lets the
// writes in flight land and reports each step as what the pool holds:
// done for a server created, not tried for one never started, written
// but not verified when it cannot read the pool back. The code before
// reported the created servers as failed.
func TestApplyInterrupted(t *testing.T) {
	t.Parallel()
	const n, cutAfter = 12, 3
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		failList bool
		// landed is the outcome of a step whose server was created; cut
		// that of one whose request was cut in flight and not seen in
		// place (besides NotTried for one never started). A cut request
		// may land after the read back: the pool is read after Apply.
		landed, cut reconcile.Outcome
	}{
		{"grace lets the wave verify", 0, false, reconcile.Done, reconcile.NotTried},
		{"cut at once, read back", -1, false, reconcile.Done, reconcile.Unverified},
		{"cut at once, read back fails", -1, true, reconcile.Unverified, reconcile.Unverified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, cognitotest.WithMaxResourceServers(50))
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			api := &interrupter{Client: e.srv.Client(), n: cutAfter, failList: tc.failList, cancel: cancel}
			rec := reconcile.New(api, appclient.New(api, func(o *appclient.Options) { o.DisableRateLimit = true }), func(o *reconcile.Options) {
				o.Parallelism = 2
				o.ResourceServerOptions = []func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}
			})
			p := planMany(t, rec, n, false)
			var mu sync.Mutex
			progress := map[string]reconcile.Outcome{}
			res, err := rec.Apply(ctx, p, reconcile.ApplyOptions{Grace: tc.grace, Progress: func(s reconcile.StepResult, _, _ int) {
				mu.Lock()
				defer mu.Unlock()
				if _, ok := progress[s.Step.Target]; ok {
					t.Errorf("Progress called twice for %s", s.Step)
				}
				progress[s.Step.Target] = s.Outcome
			}})
			var ae *reconcile.ApplyError
			if !errors.As(err, &ae) || ae.Result != res || !errors.Is(err, errUserStop) || !errors.Is(err, context.Canceled) {
				t.Fatalf("Apply() error = %v, want an *ApplyError holding the result and matching the context's cause", err)
			}
			created := map[string]bool{}
			for _, rs := range e.srv.ResourceServers(pool) {
				created[rs.Identifier] = true
			}
			if len(created) < cutAfter || len(created) == n {
				t.Fatalf("%d servers created, want from %d to %d: the interrupt should stop the apply", len(created), cutAfter, n-1)
			}
			for _, s := range res.Steps {
				want := reconcile.NotTried
				switch {
				case s.Outcome == reconcile.Unverified && tc.cut == reconcile.Unverified:
					want = tc.cut // cut in flight: in place or not, unknown to the read back
				case created[s.Step.Target]:
					want = tc.landed
				case s.Outcome == tc.cut:
					want = tc.cut
				}
				if s.Outcome != want {
					t.Errorf("%s: %s (%v), want %s: the pool holds it: %v", s.Step, s.Outcome, s.Err, want, created[s.Step.Target])
				}
				if (s.Outcome == reconcile.Unverified || s.Outcome == reconcile.Failed) && !errors.Is(s.Err, errUserStop) && !errors.Is(s.Err, context.Canceled) {
					t.Errorf("%s: error %v does not say it was interrupted", s.Step, s.Err)
				}
				if progress[s.Step.Target] != s.Outcome {
					t.Errorf("%s: Progress said %q, Result %q", s.Step, progress[s.Step.Target], s.Outcome)
				}
			}
		})
	}
}

// TestOnStepAsWritesLand: OnStep reports each resource-server step as its
// write lands, in that order, before the listing that verifies the wave;
// the final outcomes come to Progress after it.
func TestOnStepAsWritesLand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := reconcile.New(e.srv.Client(), nil, func(o *reconcile.Options) {
		o.Settle, o.Parallelism = -1, 1
		o.ResourceServerOptions = []func(*resourceserver.Options){func(o *resourceserver.Options) { o.DisableRateLimit = true }}
	})
	p := planMany(t, rec, 4, false)
	e.srv.ResetRequests()
	var events []string
	lists := func() int { return countOps(e.srv.Requests())["ListResourceServers"] }
	_, err := rec.Apply(t.Context(), p, reconcile.ApplyOptions{
		OnStep: func(s reconcile.StepResult) {
			events = append(events, fmt.Sprintf("step %s: %s, listings %d, creates %d", s.Step.Target, s.Outcome, lists(), countOps(e.srv.Requests())["CreateResourceServer"]))
		},
		Progress: func(s reconcile.StepResult, finished, total int) {
			events = append(events, fmt.Sprintf("final %s: %s, listings %d", s.Step.Target, s.Outcome, lists()))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// One listing before the writes (the apply's read), one after them.
	want := []string{
		"step https://api000.example.com: written, not verified, listings 1, creates 1",
		"step https://api001.example.com: written, not verified, listings 1, creates 2",
		"step https://api002.example.com: written, not verified, listings 1, creates 3",
		"step https://api003.example.com: written, not verified, listings 1, creates 4",
	}
	for i := range 4 {
		want = append(want, fmt.Sprintf("final https://api%03d.example.com: done, listings 2", i))
	}
	// The finals may come in any order: they are released by one listing.
	got := events
	if len(got) == len(want) {
		slices.Sort(got[4:])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
}

// edit returns the saved form of p with fn applied to its JSON object.
func edit(t *testing.T, p *reconcile.Plan, fn func(map[string]any)) *reconcile.Plan {
	t.Helper()
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	loaded, err := reconcile.ReadPlan(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ReadPlan() error = %v", err)
	}
	return loaded
}

// TestSavedPlanChecked: a saved plan is checked against what the apply
// reads, not trusted: edited lists of impacts or reads do not let it
// leave grants dangling or re-grant, and a plan made through another
// region or endpoint is refused. Nothing is written.
func TestSavedPlanChecked(t *testing.T) {
	t.Parallel()
	const orders = "https://orders.example.com"
	remove := "userPoolId: " + pool + "\nresourceServers:\n  - identifier: " + orders + "\n    name: Orders\n    scopes: [{name: read, description: read}]\n"
	readd := "userPoolId: " + pool + "\nresourceServers:\n  - identifier: " + orders + "\n    name: Orders\n    scopes: [{name: read, description: read}, {name: admin, description: admin}, {name: gone, description: gone}]\n"
	for _, tc := range []struct {
		name string
		file string
		edit func(map[string]any)
		api  func(*cognitotest.Server) *cip.Client
		want error
	}{
		{"dangling removed", remove, func(m map[string]any) { m["dangling"] = []any{} }, nil, reconcile.ErrDangling},
		{"dangling dropped", remove, func(m map[string]any) { delete(m, "dangling") }, nil, reconcile.ErrDangling},
		{"before edited", remove, func(m map[string]any) {
			m["dangling"] = []any{}
			rs := m["resourceServers"].([]any)[0].(map[string]any)
			rs["before"].(map[string]any)["scopes"] = []any{}
		}, nil, reconcile.ErrDangling},
		{"regrants removed", readd, func(m map[string]any) { m["regrants"] = []any{} }, nil, reconcile.ErrRegrant},
		{"reads dropped", remove, func(m map[string]any) { m["dangling"] = []any{}; m["appClients"] = map[string]any{} }, nil, reconcile.ErrStale},
		{"other region", remove, nil, func(s *cognitotest.Server) *cip.Client {
			return s.Client(func(o *cip.Options) { o.Region = "eu-west-1" })
		}, reconcile.ErrTarget},
		{"other endpoint", remove, nil, func(s *cognitotest.Server) *cip.Client {
			other := cognitotest.NewServer()
			t.Cleanup(other.Close)
			return other.Client()
		}, reconcile.ErrTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.put(t, orders, "Orders", "read", "admin")
			id := e.putClient(t, "worker1", "worker", orders+"/read", orders+"/admin", orders+"/gone")
			p := e.plan(t, tc.file, reconcile.PlanOptions{})
			if len(p.Dangling)+len(p.Regrants) == 0 && tc.api == nil {
				t.Fatalf("the plan has no impact to lose:\n%s", p)
			}
			saved := p
			if tc.edit != nil {
				saved = edit(t, p, tc.edit)
			} else {
				saved = edit(t, p, func(map[string]any) {})
			}
			rec := e.rec
			if tc.api != nil {
				api := tc.api(e.srv)
				rec = reconcile.New(api, appclient.New(api))
			}
			before := e.state()
			res, err := rec.Apply(t.Context(), saved, reconcile.ApplyOptions{})
			if !errors.Is(err, tc.want) || res != nil {
				t.Fatalf("Apply(edited plan) = %v, %v; want nil and an error matching %v", res, err, tc.want)
			}
			var te *reconcile.TargetError
			if errors.As(err, &te) && (te.Planned == te.Found || te.Field == "") {
				t.Errorf("TargetError %+v does not say what differs", te)
			}
			if diff := cmp.Diff(before, e.state()); diff != "" {
				t.Errorf("the refused apply wrote (-before +after):\n%s", diff)
			}
			if got := e.scopesOf(t, id); len(got) != 3 {
				t.Errorf("app client scopes = %v, want the three it had", got)
			}
		})
	}
}
