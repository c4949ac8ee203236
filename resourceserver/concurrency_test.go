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
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// These tests and benchmarks drive several Clients, each with its own SDK
// client, against the emulator at once: lost scopes with and without a
// Locker, against the hand-written Describe + Update loop; mixed changes;
// injected faults; Cognito's request quota; and context deadlines in the
// middle of a change.

// sortScopes compares scope lists as sets.
var sortScopes = cmpopts.SortSlices(func(a, b resourceserver.Scope) bool { return a.Name < b.Name })

// unpaced is the Client configuration of the concurrency tests: the default
// Options (verification on, five attempts, the default jittered backoff)
// with the client-side rate limits off, against an emulator without
// quotas, so that a round of TestConcurrentWriters takes a second or two
// instead of the 40 s that its 192 Describes take at Cognito's 5 per
// second.
func unpaced(o *resourceserver.Options) { o.DisableRateLimit = true }

const (
	raceWriters   = 8  // Clients, each with its own SDK client
	racePerWriter = 12 // goroutines per Client, each adding its own scope
	// raceTogether is how many rounds run at a time, each against its own
	// emulator: a round spends most of its time in backoffs, so two at a
	// time halve the test's duration.
	raceTogether = 2
)

// writers returns raceWriters adders made by newAdder.
func writers(newAdder func() adder) []adder {
	a := make([]adder, raceWriters)
	for i := range a {
		a[i] = newAdder()
	}
	return a
}

// raceScope is the scope that goroutine g of writer w adds.
func raceScope(w, g int) resourceserver.Scope {
	return resourceserver.Scope{Name: fmt.Sprintf("w%d.g%02d", w, g), Description: fmt.Sprintf("Added by goroutine %d of writer %d", g, w)}
}

// adder adds one scope to testPool/testID.
type adder func(context.Context, resourceserver.Scope) error

// clientAdder adds through c.AddScope.
func clientAdder(c *resourceserver.Client) adder {
	return func(ctx context.Context, sc resourceserver.Scope) error {
		_, err := c.AddScope(ctx, testPool, testID, sc)
		return err
	}
}

// naiveAdder is the careful read-modify-write that users write by hand on
// the raw SDK client: Describe, append the scope to every scope read, and
// Update with the name and the whole list. Nothing guards the gap between
// its Describe and its Update.
func naiveAdder(api *cip.Client) adder {
	return func(ctx context.Context, sc resourceserver.Scope) error {
		out, err := api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(testPool), Identifier: aws.String(testID)})
		if err != nil {
			return err
		}
		rs := out.ResourceServer
		scopes := append(slices.Clone(rs.Scopes), types.ResourceServerScopeType{ScopeName: aws.String(sc.Name), ScopeDescription: aws.String(sc.Description)})
		_, err = api.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
			UserPoolId: rs.UserPoolId, Identifier: rs.Identifier, Name: rs.Name, Scopes: scopes,
		})
		return err
	}
}

// raceResult is the outcome of one raceRound.
type raceResult struct {
	want    []resourceserver.Scope // every scope added
	errs    []error                // what each add returned, in want's order
	stored  resourceserver.ResourceServer
	lost    int // adds that returned nil but whose scope is not stored
	failed  int // adds that returned an error
	updates int // UpdateResourceServer requests the emulator received
	reads   int // DescribeResourceServer requests the emulator received
}

// raceRounds runs rounds independent rounds, at most together of them at
// a time, in the synctest bubble of t. Each round starts an in-process emulator holding testID without scopes,
// lets prepare set it up, asks newAdders for raceWriters adders (each must
// use its own SDK client and, for a Client, its own Client), and releases
// raceWriters × racePerWriter goroutines together, each adding its own
// scope once.
func raceRounds(t *testing.T, rounds, together int, prepare func(*cognitotest.Server), newAdders func(*cognitotest.Server) []adder) []raceResult {
	t.Helper()
	servers := make([]*cognitotest.Server, rounds)
	results := make([]raceResult, rounds)
	for i := range servers {
		servers[i] = startInProcess(t)
		put(t, servers[i], makeServer())
		if prepare != nil {
			prepare(servers[i])
		}
	}
	slots := make(chan struct{}, together)
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			results[i] = raceRound(t.Context(), newAdders(s))
		}()
	}
	wg.Wait()
	for i, s := range servers {
		r := &results[i]
		r.stored = stored(t, s, testID)
		have := make(map[string]bool)
		for _, sc := range r.stored.Scopes {
			have[sc.Name] = true
		}
		for j, sc := range r.want {
			switch {
			case r.errs[j] != nil:
				r.failed++
			case !have[sc.Name]:
				r.lost++
			}
		}
		for _, q := range s.Requests() {
			switch q.Operation {
			case opUpdate:
				r.updates++
			case opDescribe:
				r.reads++
			}
		}
	}
	return results
}

// raceRound runs the goroutines of one round, racePerWriter for each of
// adders, and returns the scopes they added and what each add returned.
func raceRound(ctx context.Context, adders []adder) raceResult {
	var r raceResult
	for w := range adders {
		for g := range racePerWriter {
			r.want = append(r.want, raceScope(w, g))
		}
	}
	r.errs = make([]error, len(r.want))
	atOnce(len(r.want), func(i int) { r.errs[i] = adders[i/racePerWriter](ctx, r.want[i]) })
	return r
}

// TestConcurrentWriters adds 96 scopes to one resource server at once from
// 8 Clients × 12 goroutines, as 8 processes would, and counts the scopes
// lost: those whose add returned nil but that are not stored at the end.
//
//   - The hand-written Describe + Update loop on 8 SDK clients loses most
//     of them. A 5ms delay on each of its Describes (an emulator fault)
//     widens the gap between Describe and Update, so that goroutines
//     released together overlap however they are scheduled.
//   - Clients with the default Options and no Locker verify each Update
//     and write again when they find it overwritten, which catches every
//     overwrite that lands before the verifying Describe; the remaining
//     loss is logged and must stay below the naive loop's and below 10%
//     (the goal is at most 1%, and runs measure about 0.1%, but a bound
//     that tight could flake, so it is not asserted). An add may also
//     give up with a *rserrors.ConflictError, which is no silent loss and
//     is counted apart; any other error fails the test.
//   - Clients sharing a Locker lose nothing, in every round.
//
// Rates: emulator without quotas, Clients with DisableRateLimit (see
// unpaced). Each subtest runs in a synctest bubble, on in-process
// emulators: the delays and backoffs pass in virtual time, while the
// goroutines still run at once. Run with -v to see the figures.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	total := raceWriters * racePerWriter
	naiveLost := 0
	t.Run("naive Describe+Update", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const rounds = 10
			for _, r := range raceRounds(t, rounds, raceTogether, func(s *cognitotest.Server) {
				s.FailNext(opDescribe, total, cognitotest.Fault{Delay: 5 * time.Millisecond})
			}, func(s *cognitotest.Server) []adder {
				return writers(func() adder { return naiveAdder(emuClient(s)) })
			}) {
				for i, err := range r.errs {
					if err != nil {
						t.Errorf("naive add of %q error = %v", r.want[i].Name, err)
					}
				}
				naiveLost += r.lost
			}
			t.Logf("naive Describe+Update, 8 SDK clients x 12 goroutines, %d rounds: lost %d of %d scopes (%.1f%%)",
				rounds, naiveLost, rounds*total, 100*float64(naiveLost)/float64(rounds*total))
			if naiveLost == 0 {
				t.Errorf("the naive loop lost no scope in %d rounds; the test does not show the problem", rounds)
			}
		})
	})

	t.Run("verify without Locker", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			const rounds = 10
			var lost, conflicts, updates int
			for _, r := range raceRounds(t, rounds, raceTogether, nil, func(s *cognitotest.Server) []adder {
				return writers(func() adder { return clientAdder(resourceserver.New(emuClient(s), unpaced)) })
			}) {
				for i, err := range r.errs {
					var ce *rserrors.ConflictError
					if err != nil && !errors.As(err, &ce) {
						t.Errorf("AddScope(%q) error = %v, want nil or a *rserrors.ConflictError", r.want[i].Name, err)
					}
				}
				lost += r.lost
				conflicts += r.failed
				updates += r.updates
			}
			n := rounds * total
			t.Logf("verify, no Locker, 8 Clients x 12 goroutines, %d rounds: lost %d of %d scopes (%.2f%%); %d ConflictErrors (%.2f%%); %.2f Updates per add",
				rounds, lost, n, 100*float64(lost)/float64(n), conflicts, 100*float64(conflicts)/float64(n), float64(updates)/float64(n))
			if lost >= naiveLost {
				t.Errorf("verification lost %d scopes, no fewer than the naive loop's %d", lost, naiveLost)
			}
			if lost*10 >= n {
				t.Errorf("verification lost %d of %d scopes, 10%% or more", lost, n)
			}
		})
	})

	t.Run("shared Locker", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			const rounds = 2
			updates := 0
			for round, r := range raceRounds(t, rounds, raceTogether, nil, func(s *cognitotest.Server) []adder {
				l := resourceserver.NewMemoryLocker() // one per round: every round uses the same key
				return writers(func() adder {
					return clientAdder(resourceserver.New(emuClient(s), unpaced, func(o *resourceserver.Options) { o.Locker = l }))
				})
			}) {
				for i, err := range r.errs {
					if err != nil {
						t.Errorf("round %d: AddScope(%q) error = %v", round, r.want[i].Name, err)
					}
				}
				if diff := cmp.Diff(r.want, r.stored.Scopes, sortScopes); diff != "" {
					t.Errorf("round %d: stored scopes mismatch (-want +got):\n%s", round, diff)
				}
				// Under the Locker nothing is rewritten: each batch of
				// coalesced adds costs Describe (before the lock), then
				// Describe, Update, Describe under it.
				if r.updates == 0 || r.updates > total || r.reads != 3*r.updates {
					t.Errorf("round %d: %d Updates and %d Describes, want 1 to %d Updates and three Describes each (nothing to rewrite under the Locker)",
						round, r.updates, r.reads, total)
				}
				updates += r.updates
			}
			t.Logf("shared Locker, 8 Clients x 12 goroutines, %d rounds: all %d scopes stored in each, %.1f Updates per round (coalesced)",
				rounds, total, float64(updates)/rounds)
		})
	})
}

// TestConcurrentMixedChanges runs adds, removals, description changes, a
// Modify that adds and removes, and a Rename, all at once, from 4 Clients
// sharing a Locker (default Options, rate limits off): the resource server
// must end up exactly as the changes say, whatever their order.
func TestConcurrentMixedChanges(t *testing.T) {
	t.Parallel()
	s := startEmulator(t)
	scope := func(prefix string, i int, desc string) resourceserver.Scope {
		return resourceserver.Scope{Name: fmt.Sprintf("%s-%02d", prefix, i), Description: fmt.Sprintf("%s %d", desc, i)}
	}
	var start []resourceserver.Scope
	for i := range 20 {
		start = append(start, scope("keep", i, "Keep"), scope("drop", i, "Drop"))
	}
	put(t, s, makeServer(start...))

	type change struct {
		name string
		do   func(context.Context, *resourceserver.Client) error
	}
	var changes []change
	want := makeServer()
	want.Name = "Orders API v2"
	for i := range 20 {
		changes = append(changes, change{fmt.Sprintf("RemoveScopes(drop-%02d)", i), func(ctx context.Context, c *resourceserver.Client) error {
			_, err := c.RemoveScopes(ctx, testPool, testID, scope("drop", i, "").Name)
			return err
		}})
		changes = append(changes, change{fmt.Sprintf("AddScope(new-%02d)", i), func(ctx context.Context, c *resourceserver.Client) error {
			_, err := c.AddScope(ctx, testPool, testID, scope("new", i, "New"))
			return err
		}})
		want.Scopes = append(want.Scopes, scope("new", i, "New"))
	}
	for i := range 8 {
		changes = append(changes, change{fmt.Sprintf("AddScopes(keep-%02d, new description)", i), func(ctx context.Context, c *resourceserver.Client) error {
			_, err := c.AddScopes(ctx, testPool, testID, scope("keep", i, "Kept and described again"))
			return err
		}})
		want.Scopes = append(want.Scopes, scope("keep", i, "Kept and described again"))
	}
	for i := 8; i < 16; i++ {
		want.Scopes = append(want.Scopes, scope("keep", i, "Keep"))
	}
	for i := range 4 {
		changes = append(changes, change{fmt.Sprintf("Modify(+mod-%02d, -keep-%02d)", i, 16+i), func(ctx context.Context, c *resourceserver.Client) error {
			_, err := c.Modify(ctx, testPool, testID, func(rs *resourceserver.ResourceServer) error {
				rs.Scopes = slices.DeleteFunc(rs.Scopes, func(sc resourceserver.Scope) bool { return sc.Name == scope("keep", 16+i, "").Name })
				rs.Scopes = append(rs.Scopes, scope("mod", i, "Modified"))
				return nil
			})
			return err
		}})
		want.Scopes = append(want.Scopes, scope("mod", i, "Modified"))
	}
	changes = append(changes, change{"Rename", func(ctx context.Context, c *resourceserver.Client) error {
		_, err := c.Rename(ctx, testPool, testID, want.Name)
		return err
	}})

	l := resourceserver.NewMemoryLocker()
	clients := make([]*resourceserver.Client, 4)
	for i := range clients {
		clients[i] = resourceserver.New(emuClient(s), unpaced, func(o *resourceserver.Options) { o.Locker = l })
	}
	atOnce(len(changes), func(i int) {
		if err := changes[i].do(t.Context(), clients[i%len(clients)]); err != nil {
			t.Errorf("%s error = %v", changes[i].name, err)
		}
	})
	if diff := cmp.Diff(want, stored(t, s, testID), sortScopes); diff != "" {
		t.Errorf("stored resource server mismatch (-want +got):\n%s", diff)
	}
}

// faultMix is the faults of TestFaults, each drawn with equal probability
// by SetFaultRate(0.5, faultMix...), so that of all requests about 30% are
// throttled (TooManyRequestsException, 400), 10% fail with
// InternalErrorException (500), a quarter of those after the Update or
// Describe took effect, and 10% have their connection dropped without an
// answer, half of those after the operation took effect.
var faultMix = func() []cognitotest.Fault {
	var f []cognitotest.Fault
	for range 12 {
		f = append(f, cognitotest.Fault{Code: rserrors.CodeTooManyRequests})
	}
	for range 3 {
		f = append(f, cognitotest.Fault{Code: rserrors.CodeInternalError})
	}
	return append(f,
		cognitotest.Fault{Code: rserrors.CodeInternalError, AfterWrite: true},
		cognitotest.Fault{Drop: true}, cognitotest.Fault{Drop: true},
		cognitotest.Fault{Drop: true, AfterWrite: true}, cognitotest.Fault{Drop: true, AfterWrite: true},
	)
}()

// faultOutcome classifies what a Client method returned under injected
// faults. Every error must be an *resourceserver.OpError for op on
// testPool/testID whose cause is one of:
//
//   - "throttled": a *rserrors.TooManyRequestsError: the SDK's retryer
//     used its 3 attempts, and the last one was throttled;
//   - "internal error": a *rserrors.InternalError (HTTP 500), likewise;
//   - "transport": a *smithyhttp.RequestSendError: the last attempt's
//     connection was dropped without an answer;
//   - "conflict": a *rserrors.ConflictError.
//
// Anything else is "untyped", which fails the test.
func faultOutcome(err error, op string) string {
	if err == nil {
		return "ok"
	}
	var oe *resourceserver.OpError
	if !errors.As(err, &oe) || oe.Op != op || oe.UserPoolID != testPool || oe.Identifier != testID {
		return "untyped"
	}
	var (
		throttled *rserrors.TooManyRequestsError
		internal  *rserrors.InternalError
		transport *smithyhttp.RequestSendError
		conflict  *rserrors.ConflictError
	)
	switch {
	case errors.As(oe.Err, &throttled):
		return "throttled"
	case errors.As(oe.Err, &internal):
		return "internal error"
	case errors.As(oe.Err, &transport):
		return "transport"
	case errors.As(oe.Err, &conflict):
		return "conflict"
	}
	return "untyped"
}

// TestFaults runs adds and removals of distinct scopes from 40 Clients
// sharing a Locker (default Options, rate limits off) against an emulator
// that fails half of all requests (faultMix), seeded with WithSeed. Every
// call must return nil or a typed error (see faultOutcome); a call that
// returned nil must have done its change: the final state holds every
// scope whose add returned nil, none whose removal returned nil, and every
// scope that no call touched. A failed call may or may not have taken
// effect (its Update may have been applied before the fault), so it is not
// checked.
//
// It runs in a synctest bubble, on the in-process emulator: the backoffs
// after each fault pass in virtual time.
func TestFaults(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testFaults)
}

func testFaults(t *testing.T) {
	const n = 20
	s := startInProcess(t, cognitotest.WithSeed(6))
	var start []resourceserver.Scope
	for i := range n {
		start = append(start,
			resourceserver.Scope{Name: fmt.Sprintf("untouched-%02d", i), Description: "Never changed"},
			resourceserver.Scope{Name: fmt.Sprintf("remove-%02d", i), Description: "To remove"})
	}
	put(t, s, makeServer(start...))
	s.SetFaultRate(0.5, faultMix...)

	// One Client per call, so that no call is coalesced with another and
	// the Locker orders every request.
	l := resourceserver.NewMemoryLocker()
	clients := make([]*resourceserver.Client, 2*n)
	for i := range clients {
		clients[i] = resourceserver.New(emuClient(s), unpaced, func(o *resourceserver.Options) { o.Locker = l })
	}
	type result struct {
		op, scope, outcome string
		err                error
		returned           resourceserver.ResourceServer
	}
	results := make([]result, 2*n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, r := clients[i%len(clients)], &results[i]
			if i%2 == 0 {
				r.op, r.scope = "AddScope", fmt.Sprintf("add-%02d", i/2)
				r.returned, r.err = c.AddScope(t.Context(), testPool, testID, resourceserver.Scope{Name: r.scope, Description: "Added"})
			} else {
				r.op, r.scope = "RemoveScopes", fmt.Sprintf("remove-%02d", i/2)
				r.returned, r.err = c.RemoveScopes(t.Context(), testPool, testID, r.scope)
			}
			r.outcome = faultOutcome(r.err, r.op)
		}()
	}
	wg.Wait()
	s.ClearFaults()

	final := stored(t, s, testID)
	have := make(map[string]bool)
	for _, sc := range final.Scopes {
		have[sc.Name] = true
	}
	counts := make(map[string]int)
	for _, r := range results {
		counts[r.outcome]++
		switch {
		case r.outcome == "untyped":
			t.Errorf("%s(%q) error = %v (%T), want nil or a typed error", r.op, r.scope, r.err, r.err)
		case r.outcome != "ok":
		case r.op == "AddScope" && !have[r.scope]:
			t.Errorf("AddScope(%q) returned nil but the scope is not stored", r.scope)
		case r.op == "RemoveScopes" && have[r.scope]:
			t.Errorf("RemoveScopes(%q) returned nil but the scope is still stored", r.scope)
		case r.op == "AddScope" && !slices.ContainsFunc(r.returned.Scopes, func(sc resourceserver.Scope) bool { return sc.Name == r.scope }):
			t.Errorf("AddScope(%q) returned nil and a resource server without the scope", r.scope)
		case r.op == "RemoveScopes" && slices.ContainsFunc(r.returned.Scopes, func(sc resourceserver.Scope) bool { return sc.Name == r.scope }):
			t.Errorf("RemoveScopes(%q) returned nil and a resource server with the scope", r.scope)
		}
	}
	for i := range n {
		if name := fmt.Sprintf("untouched-%02d", i); !have[name] {
			t.Errorf("scope %q, which no call touched, is not stored", name)
		}
	}

	injected := make(map[string]int)
	reqs := s.Requests()
	for _, q := range reqs {
		switch {
		case !q.Injected:
			injected["none"]++
		case q.Status == 0 && q.Applied:
			injected["dropped after write"]++
		case q.Status == 0:
			injected["dropped"]++
		case q.Applied:
			injected[q.Code+" after write"]++
		default:
			injected[q.Code]++
		}
	}
	t.Logf("%d calls: %v; %d requests: %v", len(results), counts, len(reqs), injected)
	// The seed fixes the sequence of faults by arrival, and the Locker
	// makes the sequence of requests the same in every run, so these hold
	// in every run; they show that the test exercised each fault and
	// checked the state after successes.
	for _, kind := range []string{rserrors.CodeTooManyRequests, rserrors.CodeInternalError, "dropped", "dropped after write"} {
		if injected[kind] == 0 {
			t.Errorf("no request met the fault %q; the test does not exercise it", kind)
		}
	}
	if counts["ok"] == 0 {
		t.Errorf("no call succeeded; the final state was not checked")
	}
}

// quotaServers is how many resource servers the quota test spreads its
// changes over: Cognito's default quota per user pool.
const quotaServers = cognitotest.DefaultMaxResourceServers

// quotaRun starts an emulator with start (startEmulator, or
// startInProcess in a synctest bubble) that enforces perSecond requests per
// second per pool and category (with the emulator's burst, int(perSecond)),
// holding quotaServers resource servers, and sends n AddScopes at once, one
// goroutine each, spread over the servers, through one Client configured
// by optFns. It returns how long they took, what each returned, and how
// many requests the emulator answered with TooManyRequestsException.
func quotaRun(tb testing.TB, start func(testing.TB, ...cognitotest.Option) *cognitotest.Server, perSecond float64, n int, optFns ...func(*resourceserver.Options)) (time.Duration, []error, int) {
	tb.Helper()
	s := start(tb, cognitotest.WithRateLimit(perSecond))
	for i := range quotaServers {
		rs := makeServer(readScope)
		rs.Identifier = fmt.Sprintf("https://api-%02d.example.com", i)
		put(tb, s, rs)
	}
	c := resourceserver.New(emuClient(s), optFns...)
	errs := make([]error, n)
	started := time.Now()
	atOnce(n, func(i int) {
		id := fmt.Sprintf("https://api-%02d.example.com", i%quotaServers)
		_, errs[i] = c.AddScope(tb.Context(), testPool, id, resourceserver.Scope{Name: fmt.Sprintf("scope-%02d", i), Description: "Added"})
	})
	elapsed := time.Since(started)
	throttled := 0
	for _, q := range s.Requests() {
		if q.Code == rserrors.CodeTooManyRequests {
			throttled++
		}
	}
	return elapsed, errs, throttled
}

// quotaFraction is the throughput of n verified AddScopes done in elapsed
// as a fraction of what a read quota of perSecond allows. Each verified
// AddScope that writes sends 2 Describes and 1 Update; the read and update
// quotas are equal, so reads bind, and the quota allows perSecond/2
// AddScopes per second. A Client with a burst of 1 needs at least
// (2n-1)/perSecond, so the fraction can reach 2n/(2n-1).
func quotaFraction(n int, elapsed time.Duration, perSecond float64) float64 {
	return float64(n) / elapsed.Seconds() / (perSecond / 2)
}

// TestQuotaNoThrottleSeen sends 50 AddScopes at once through one Client
// over 25 resource servers of one pool, against an emulator that enforces
// Cognito's per-pool quota scaled by 10 (50 requests per second per
// category instead of 5), with the Client's rates scaled alike
// (ReadRate = UpdateRate = 50). The caller must see no throttling: every
// AddScope returns nil. The throughput is measured by
// BenchmarkQuotaThroughput; here it is only logged, in the virtual time
// of the synctest bubble the test runs in, on the in-process emulator.
func TestQuotaNoThrottleSeen(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testQuotaNoThrottleSeen)
}

func testQuotaNoThrottleSeen(t *testing.T) {
	const rate, n = 50, 50
	elapsed, errs, throttled := quotaRun(t, startInProcess, rate, n, func(o *resourceserver.Options) { o.ReadRate, o.UpdateRate = rate, rate })
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddScope(scope-%02d) error = %v, want nil (throttled: %t)", i, err, rserrors.IsTooManyRequests(err))
		}
	}
	t.Logf("%d AddScopes in %v: %.3f of the quota; the service answered %d TooManyRequestsExceptions",
		n, elapsed, quotaFraction(n, elapsed, rate), throttled)
}

// BenchmarkQuotaThroughput measures what TestQuotaNoThrottleSeen does:
// concurrent AddScopes spread over 25 resource servers of one pool through
// one Client, against the emulator enforcing a per-pool quota per category.
//
//   - scaled: 50 AddScopes, quota 50 per second, Client paced at 50
//     (Cognito's 5 scaled by 10), about 2 s per op;
//   - real: 10 AddScopes, quota 5 per second, Client at its default
//     rates (5), about 4 s per op;
//   - scaled-unpaced, the control: as scaled with the Client's rate limits
//     off, relying on the SDK's retries (3 attempts).
//
// It reports quota-fraction for the paced cases (see quotaFraction; the
// goal is at least 0.95), service-throttles (TooManyRequestsExceptions the
// emulator answered, per op) and caller-throttles (AddScopes that returned
// one, per op; the goal is none).
func BenchmarkQuotaThroughput(b *testing.B) {
	for _, bc := range []struct {
		name    string
		rate    float64
		n       int
		optFn   func(*resourceserver.Options)
		unpaced bool
	}{
		{name: "scaled", rate: 50, n: 50, optFn: func(o *resourceserver.Options) { o.ReadRate, o.UpdateRate = 50, 50 }},
		{name: "real", rate: resourceserver.DefaultRate, n: 10, optFn: func(*resourceserver.Options) {}},
		{name: "scaled-unpaced", rate: 50, n: 50, optFn: unpaced, unpaced: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var fraction float64
			var service, caller int
			for range b.N {
				elapsed, errs, throttled := quotaRun(b, startEmulator, bc.rate, bc.n, bc.optFn)
				for _, err := range errs {
					switch {
					case err == nil:
					case rserrors.IsTooManyRequests(err):
						caller++
					default:
						b.Fatalf("AddScope() error = %v", err)
					}
				}
				fraction += quotaFraction(bc.n, elapsed, bc.rate)
				service += throttled
			}
			if !bc.unpaced {
				b.ReportMetric(fraction/float64(b.N), "quota-fraction")
			}
			b.ReportMetric(float64(service)/float64(b.N), "service-throttles/op")
			b.ReportMetric(float64(caller)/float64(b.N), "caller-throttles/op")
		})
	}
}

// afterFirstUpdate passes every call to API and calls then once, after
// the first Update has returned.
type afterFirstUpdate struct {
	resourceserver.API
	once *sync.Once
	then func()
}

func (a afterFirstUpdate) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	out, err := a.API.UpdateResourceServer(ctx, in, optFns...)
	a.once.Do(a.then)
	return out, err
}

// TestRewriteRereadsAfterBackoff overwrites a Client's first Update, as a
// stale writer would, and adds another scope while the Client waits for
// its backoff: the rewrite must start from a fresh Describe, keeping that
// scope, instead of writing the state it verified before the wait.
func TestRewriteRereadsAfterBackoff(t *testing.T) {
	t.Parallel()
	stale := resourceserver.Scope{Name: "stale.writer", Description: "Added by a stale writer"}
	during := resourceserver.Scope{Name: "during.backoff", Description: "Added during the backoff"}
	s := startEmulator(t)
	put(t, s, makeServer(readScope))
	api := afterFirstUpdate{API: emuClient(s), once: new(sync.Once), then: func() { put(t, s, makeServer(readScope, stale)) }}
	var attempts []int
	c := resourceserver.New(api, unpaced, func(o *resourceserver.Options) {
		o.Backoff = func(attempt int) time.Duration {
			attempts = append(attempts, attempt)
			put(t, s, makeServer(readScope, stale, during))
			return time.Millisecond
		}
	})
	got, err := c.AddScope(t.Context(), testPool, testID, adminScope)
	if err != nil {
		t.Fatalf("AddScope() error = %v", err)
	}
	want := makeServer(readScope, stale, during, adminScope)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddScope() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, stored(t, s, testID)); diff != "" {
		t.Errorf("stored mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1}, attempts); diff != "" {
		t.Errorf("backoff attempts mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{opDescribe, opUpdate, opDescribe, opDescribe, opUpdate, opDescribe}, requests(s)); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// lateUpdate passes every call to API, except that it sends an Update
// with a context that is never cancelled and returns its answer only once
// the caller's context is done: an Update that takes effect but whose
// answer comes back after the deadline.
type lateUpdate struct{ resourceserver.API }

func (l lateUpdate) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	out, err := l.API.UpdateResourceServer(context.WithoutCancel(ctx), in, optFns...)
	<-ctx.Done()
	return out, err
}

// deadlineCase is a case of TestContextDeadlineDuringAChange.
type deadlineCase struct {
	name string
	// primeUpdate sends one AddScope first, to take the only Update
	// token.
	primeUpdate bool
	setup       func(*cognitotest.Server)
	api         func(*cip.Client) resourceserver.API
	optFn       func(*resourceserver.Options)
	deadline    time.Duration
	// reqs is the requests the change sends; applied is whether its
	// Update takes effect.
	reqs    []string
	applied bool
}

// TestContextDeadlineDuringAChange gives a change a deadline that runs out
// while it waits in the middle of its read-modify-write, against the
// emulator: it must return the context's error (errors.Is
// context.DeadlineExceeded) in an *OpError and send nothing more. Each
// wait would last hours without the deadline, so returning at all shows
// that it returns promptly. The waits for the in-process lock, the Locker,
// the first Describe's rate limit and the backoff have their own tests
// with the fake (lock_test.go, modify_test.go); these are the waits after
// the first Describe, and a call in flight.
func TestContextDeadlineDuringAChange(t *testing.T) {
	t.Parallel()
	const slow = 1.0 / 10_000 // a rate limit whose next token comes after hours
	tests := []deadlineCase{
		{
			name:        "rate limit of the Update",
			primeUpdate: true,
			optFn:       func(o *resourceserver.Options) { o.ReadRate, o.UpdateRate = 1e9, slow },
			deadline:    time.Hour,
			reqs:        []string{opDescribe},
		},
		{
			// The first Describe takes the only read token.
			name:     "rate limit of the verifying Describe",
			optFn:    func(o *resourceserver.Options) { o.ReadRate, o.UpdateRate = slow, 1e9 },
			deadline: time.Hour,
			reqs:     []string{opDescribe, opUpdate}, applied: true,
		},
		{
			name:     "wait before the verifying Describe",
			api:      func(api *cip.Client) resourceserver.API { return lateUpdate{api} },
			optFn:    unpaced,
			deadline: time.Second,
			reqs:     []string{opDescribe, opUpdate}, applied: true,
		},
		{
			name: "Describe in flight",
			setup: func(s *cognitotest.Server) {
				s.FailNext(opDescribe, 1, cognitotest.Fault{Delay: time.Hour})
			},
			optFn:    unpaced,
			deadline: time.Second,
			reqs:     []string{opDescribe},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { testContextDeadline(t, tt) })
		})
	}
}

// testContextDeadline runs one case of TestContextDeadlineDuringAChange in
// a synctest bubble, on the in-process emulator: the deadline passes in
// virtual time, and a wait that ignored it would run its hours there and
// end with the change done rather than with the deadline's error.
func testContextDeadline(t *testing.T, tt deadlineCase) {
	s := startInProcess(t)
	put(t, s, makeServer(readScope))
	var api resourceserver.API = emuClient(s)
	if tt.api != nil {
		api = tt.api(emuClient(s))
	}
	c := resourceserver.New(api, tt.optFn)
	if tt.primeUpdate {
		if _, err := c.AddScope(t.Context(), testPool, testID, writeScope); err != nil {
			t.Fatalf("first AddScope() error = %v", err)
		}
		s.ResetRequests()
	}
	if tt.setup != nil {
		tt.setup(s)
	}
	want := stored(t, s, testID)
	if tt.applied {
		want.Scopes = append(want.Scopes, adminScope)
	}

	ctx, cancel := context.WithTimeout(t.Context(), tt.deadline)
	defer cancel()
	_, err := c.AddScope(ctx, testPool, testID, adminScope)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AddScope() error = %v, want %v", err, context.DeadlineExceeded)
	}
	checkOpError(t, err, "AddScope", testID)
	s.Close() // ends an injected delay, so that the log is complete
	var got []string
	for _, q := range s.Requests() {
		got = append(got, q.Operation)
	}
	if diff := cmp.Diff(tt.reqs, got); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, stored(t, s, testID)); diff != "" {
		t.Errorf("stored mismatch (-want +got):\n%s", diff)
	}
}
