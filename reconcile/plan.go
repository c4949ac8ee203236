package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// Defaults of Options.
const (
	// DefaultParallelism is how many writes an apply keeps in flight; the
	// Client's pacing spaces them to the quota.
	DefaultParallelism = 8
	// DefaultSettle is how long an apply waits after a wave of writes
	// before it reads the pool back to verify them, so that another
	// writer's update already on its way lands first.
	DefaultSettle = 500 * time.Millisecond
	// DefaultReuseRead is how long an apply trusts the app clients its
	// plan read, when this Reconciler made the plan.
	DefaultReuseRead = 30 * time.Second
)

// Options configures a Reconciler. The zero value is the default.
type Options struct {
	// Parallelism is how many resource-server writes (and, separately,
	// app-client writes) an apply keeps in flight. Zero means
	// DefaultParallelism; a negative value makes New panic.
	Parallelism int
	// MaxAttempts bounds how many times an apply writes one resource
	// server's change when verification keeps finding it overwritten;
	// then the step fails with a *rserrors.ConflictError. Zero means
	// resourceserver.DefaultMaxAttempts; a negative value makes New panic.
	MaxAttempts int
	// Settle is the wait between a wave of writes and the
	// ListResourceServers that verifies it. Zero means DefaultSettle; a
	// negative value means no wait.
	Settle time.Duration
	// Pacer paces the requests of the resourceserver.Client the
	// Reconciler makes: it is that Client's Options.Pacer. Nil means
	// pace.Default(), the Pacer every Client of the process shares unless
	// told otherwise. Give the Reconciler and the AppClients passed to New
	// the same Pacer, so that their resource-server reads share one
	// quota.
	Pacer *pace.Pacer
	// ResourceServerOptions configure the resourceserver.Client the
	// Reconciler makes (Locker, Logger, ClientOptions), after Pacer. Its
	// MaxAttempts is this Options' MaxAttempts. Its Grants is always nil:
	// the plan checks the app clients once for the whole pool
	// (Plan.Dangling, Plan.Regrants), not once per server. An apply
	// verifies a whole wave of its writes with ListResourceServers instead
	// of a Describe per server.
	ResourceServerOptions []func(*resourceserver.Options)
	// ReuseRead is how long the app clients a plan read stay good for an
	// apply of the same plan by this Reconciler: within it, Apply reads
	// the resource servers again but not the app clients. Zero means
	// DefaultReuseRead; a negative value reads them again always. A plan
	// read back with ReadPlan is always read again.
	ReuseRead time.Duration
	// Logger receives one record per decision: a change found overwritten
	// and written again, a step that failed. Nil is silent.
	Logger *slog.Logger
	// TracerProvider and MeterProvider trace and measure plans and
	// applies, and the work of the Reconciler's resourceserver.Client
	// (docs/observability.md), when api is not an SDK client or its SDK
	// client has none: an SDK client's own providers come first. Nil:
	// none.
	TracerProvider tracing.TracerProvider
	MeterProvider  metrics.MeterProvider
}

// Reconciler plans and applies a desired state ([File]) to a user pool.
// It is safe for concurrent use.
type Reconciler struct {
	rs   *resourceserver.Client
	apps AppClients
	opts Options
	tel  *telemetry.Telemetry // nil: not traced or measured
	// region and endpoint are those api reaches, "" when api is not an
	// SDK client (see target).
	region, endpoint string
}

// New returns a Reconciler that reads and writes resource servers through
// api (usually a *cognitoidentityprovider.Client) with a
// resourceserver.Client of its own, and app clients through apps (usually
// an *appclient.Client on the same SDK client). apps may be nil: a file
// with grants is then refused, and removals and additions are planned
// without the app-client checks. It sends nothing. It panics, as
// resourceserver.New does, with a message naming the option, on a nil api
// or a negative Parallelism or MaxAttempts.
func New(api resourceserver.API, apps AppClients, optFns ...func(*Options)) *Reconciler {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	engine.MustAPI("reconcile", api)
	engine.MustNotNegative("reconcile", "Parallelism", o.Parallelism)
	engine.MustNotNegative("reconcile", "MaxAttempts", o.MaxAttempts)
	if o.Parallelism == 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = resourceserver.DefaultMaxAttempts
	}
	switch {
	case o.Settle == 0:
		o.Settle = DefaultSettle
	case o.Settle < 0:
		o.Settle = 0
	}
	if o.ReuseRead == 0 {
		o.ReuseRead = DefaultReuseRead
	}
	rsOpts := append([]func(*resourceserver.Options){func(ro *resourceserver.Options) { ro.Pacer = o.Pacer }},
		o.ResourceServerOptions...)
	var clientOpts []func(*cip.Options)
	rsOpts = append(rsOpts, func(ro *resourceserver.Options) {
		ro.MaxAttempts = o.MaxAttempts
		ro.Grants = nil // the plan checks grants once, for the whole pool
		if ro.TracerProvider == nil {
			ro.TracerProvider = o.TracerProvider
		}
		if ro.MeterProvider == nil {
			ro.MeterProvider = o.MeterProvider
		}
		clientOpts = ro.ClientOptions
	})
	if apps != nil && isNilPointer(apps) {
		apps = nil
	}
	region, endpoint := target(api)
	return &Reconciler{
		rs: resourceserver.New(api, rsOpts...), apps: apps, opts: o,
		tel:    telemetry.New(api, clientOpts, o.TracerProvider, o.MeterProvider),
		region: region, endpoint: endpoint,
	}
}

// target returns the region and the endpoint that api reaches, when api
// tells its options as the SDK's client does; "" and "" otherwise. The
// endpoint is the one set (BaseEndpoint, which the SDK also takes from
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) or else the one the SDK
// resolves for the region.
func target(api resourceserver.API) (region, endpoint string) {
	sdk, ok := api.(interface{ Options() cip.Options })
	if !ok {
		return "", ""
	}
	o := sdk.Options()
	if o.BaseEndpoint != nil {
		return o.Region, strings.TrimRight(*o.BaseEndpoint, "/")
	}
	res := o.EndpointResolverV2
	if res == nil {
		res = cip.NewDefaultEndpointResolverV2()
	}
	ep, err := res.ResolveEndpoint(context.Background(), cip.EndpointParameters{
		Region:       aws.String(o.Region),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
	})
	if err != nil {
		return o.Region, ""
	}
	return o.Region, strings.TrimRight(ep.URI.String(), "/")
}

// sameTarget refuses, with a *TargetError, a plan made for another region
// or endpoint than r reaches; a side that does not know its own (a plan
// saved before they were recorded, an API that is not the SDK's client)
// is not compared.
func (r *Reconciler) sameTarget(p *Plan) error {
	for _, f := range []struct{ name, planned, found string }{
		{"region", p.Region, r.region},
		{"endpoint", p.Endpoint, r.endpoint},
	} {
		if f.planned != "" && f.found != "" && f.planned != f.found {
			return &TargetError{UserPoolID: p.UserPoolID, Field: f.name, Planned: f.planned, Found: f.found}
		}
	}
	return nil
}

// PlanOptions are the choices of one plan.
type PlanOptions struct {
	// UserPoolID is the user pool to plan for. Empty means the file's
	// userPoolId; when both are given they must be equal.
	UserPoolID string
	// Prune deletes the resource servers of the pool that the file does not
	// list. Without it they are left alone.
	Prune bool
	// Progress, if set, follows the longest read of the plan, the scan of
	// the app clients (AppClients.Grants or Holders): it is called when
	// their listing is done, then after each app client is read, with
	// what a progress bar needs (done, total, rate, time left). It is
	// passed to the scan with appclient.WithProgress, so an AppClients
	// other than *appclient.Client reports only if it reads that context.
	Progress func(appclient.Progress)
}

// PlanVersion is the version of the saved plan format that this package
// writes and reads ("version" in its JSON).
const PlanVersion = 1

// Action is what a plan does to one resource server.
type Action string

// The actions of a ServerPlan.
const (
	// ActionCreate creates the resource server with its scopes.
	ActionCreate Action = "create"
	// ActionChange applies a resourceserver.Change to it.
	ActionChange Action = "change"
	// ActionDelete deletes it (only with PlanOptions.Prune).
	ActionDelete Action = "delete"
)

// Plan is what an apply will do to a user pool, computed from a [File] and
// the state read: a plain value, printed by [Plan.WriteText], saved by
// [Plan.MarshalJSON] and read back by [ReadPlan].
type Plan struct {
	// Version is PlanVersion.
	Version int
	// UserPoolID is the user pool.
	UserPoolID string
	// Region and Endpoint are those of the API the plan read through, ""
	// when it was not an SDK client: an apply through another region or
	// endpoint refuses the plan ([TargetError]).
	Region, Endpoint string
	// Fingerprint identifies the state the plan read; an apply refuses the
	// plan when the pool no longer matches it.
	Fingerprint string
	// AppClients says how the app clients were read.
	AppClients AppClientRead
	// Servers are the resource servers to create, change or delete, by
	// identifier.
	Servers []ServerPlan
	// Unchanged counts the resource servers of the file already as wanted.
	Unchanged int
	// Grants are the app clients whose scopes change, sorted by ID.
	Grants []GrantPlan
	// Dangling lists the scopes the plan removes while app clients that the
	// plan does not revoke them from allow them.
	Dangling []Impact
	// Regrants lists the scopes the plan defines again while app clients
	// still list them as inactive scopes, so they would hold them again.
	Regrants []Impact
	// Reactivates lists the scopes the plan defines again that app clients
	// list as inactive scopes and the file grants them: made active again
	// on purpose, so not Regrants.
	Reactivates []Impact

	read *planRead // what Plan read; nil for a plan read back
}

// planRead is what Reconciler.Plan read of the app clients, and when.
type planRead struct {
	by      *Reconciler
	at      time.Time
	holders map[string][]ClientRef
	clients []ClientRef
}

// ServerPlan is the plan for one resource server.
type ServerPlan struct {
	// Action is ActionCreate, ActionChange or ActionDelete.
	Action Action
	// Identifier is the resource server's identifier.
	Identifier string
	// Before is the resource server as read; zero for ActionCreate.
	Before resourceserver.ResourceServer
	// After is the resource server as the plan leaves it; zero for
	// ActionDelete.
	After resourceserver.ResourceServer
	// Change is the edit of an ActionChange: a rename, scopes added or
	// described anew, and scopes removed by name (never a replace, so it
	// removes nothing added since the plan read the pool). Zero for
	// ActionCreate and ActionDelete.
	Change resourceserver.Change
}

// GrantPlan is the plan for one app client's scopes.
type GrantPlan struct {
	// Client is the app client.
	Client ClientRef
	// Grant are the scopes to add, in file order.
	Grant []string
	// Revoke are the scopes to remove, sorted.
	Revoke []string
}

// HasChanges reports whether applying p would change anything.
func (p *Plan) HasChanges() bool { return len(p.Servers) > 0 || len(p.Grants) > 0 }

// Counts returns how many resource servers p creates, how many resource
// servers and app clients it changes, and how many resource servers it
// deletes.
func (p *Plan) Counts() (add, change, destroy int) {
	for _, s := range p.Servers {
		switch s.Action {
		case ActionCreate:
			add++
		case ActionChange:
			change++
		case ActionDelete:
			destroy++
		}
	}
	return add, change + len(p.Grants), destroy
}

// Plan reads the user pool and returns what applying f would do. It sends,
// through the Reconciler's pacing, one ListResourceServers per 50
// resource servers and no DescribeResourceServer; then, only when needed,
// the app-client reads: the list of every app client by ID and name
// (AppClients.List, one call per 60), then the scopes of all of them
// (AppClients.Grants) when f has grants, or the holders of the scopes the
// plan removes or adds (AppClients.Holders) otherwise. The listing
// resolves each clientName of f, and names the app clients of
// Plan.Grants, Plan.Dangling and Plan.Regrants. Nothing is written.
//
// Every problem comes at once, in one *[FileError] sorted by position:
// those of [File.Check] and, after the one read of the pool, those found
// only against it (a granted scope that neither the file nor the pool
// defines, or that the plan removes; a clientName that names no app
// client of the pool, or several; a clientId that names none; the same
// app client named twice; a pool ID that differs from opts.UserPoolID).
// A file with problems is still checked against the pool when its pool
// is known, and no plan is returned. Other errors are those of
// resourceserver.Client.List and of AppClients, each naming the
// operation (joined with the *FileError when the file has problems too).
func (r *Reconciler) Plan(ctx context.Context, f *File, opts PlanOptions) (_ *Plan, err error) {
	probs := f.check()
	pool, prob := f.pool(opts.UserPoolID)
	switch {
	case prob != nil:
		return nil, newFileError(f.Name, append(probs, prob))
	case len(f.AppClients) > 0 && r.apps == nil:
		return nil, newFileError(f.Name, append(probs, f.problem("appClients", RuleUnknownClient, "this Reconciler has no app-client client, so it cannot manage grants", "")))
	case opts.UserPoolID == "" && slices.ContainsFunc(probs, func(p *Problem) bool { return p.Path == "userPoolId" }):
		return nil, newFileError(f.Name, probs) // no valid pool to read
	}
	fail := func(err error) (*Plan, error) {
		if fe := newFileError(f.Name, probs); fe != nil {
			return nil, errors.Join(fe, err)
		}
		return nil, err
	}
	ctx, span := r.start(ctx, "Plan", pool)
	defer func() { span.End(err) }()
	started := time.Now()
	servers, err := r.readServers(ctx, pool)
	if err != nil {
		return fail(err)
	}
	st := state{pool: pool, servers: servers}
	p, _ := compute(f, st, opts.Prune)
	if r.apps != nil {
		switch touched := p.touchedScopes(); {
		case len(f.AppClients) > 0:
			st.apps = AppClientRead{All: true}
		case len(touched) > 0:
			st.apps = AppClientRead{Scopes: touched}
		}
		if opts.Progress != nil {
			ctx = appclient.WithProgress(ctx, opts.Progress)
		}
		if st.holders, st.clients, err = r.readApps(ctx, pool, st.apps); err != nil {
			return fail(err)
		}
	}
	p, poolProbs := compute(f, st, opts.Prune)
	if e := newFileError(f.Name, merge(probs, poolProbs)); e != nil {
		return nil, e
	}
	p.read = &planRead{by: r, at: started, holders: st.holders, clients: st.clients}
	p.Region, p.Endpoint = r.region, r.endpoint
	return p, nil
}

// pool returns the user pool to plan for.
func (f *File) pool(given string) (string, *Problem) {
	switch {
	case given == "" && f.UserPoolID == "":
		return "", f.problem("userPoolId", RulePool, "no user pool: set userPoolId in the file or name the pool", "")
	case given != "" && f.UserPoolID != "" && given != f.UserPoolID:
		return "", f.problem("userPoolId", RulePool, "the file is for user pool "+f.UserPoolID+", not "+given, f.UserPoolID)
	case given != "":
		if err := (&File{UserPoolID: given}).Check(); err != nil {
			return "", f.problem("userPoolId", RulePool, "the user pool given is not a valid user pool ID", given)
		}
		return given, nil
	}
	return f.UserPoolID, nil
}

// touchedScopes returns the token scopes p removes or adds anew, sorted:
// those whose holders the app-client checks need.
func (p *Plan) touchedScopes() []string {
	var out []string
	for _, sp := range p.Servers {
		out = append(out, sp.removed()...)
		out = append(out, sp.addedNew()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// removed returns the token scopes sp removes.
func (sp ServerPlan) removed() []string {
	var names []string
	switch sp.Action {
	case ActionDelete:
		for _, s := range sp.Before.Scopes {
			names = append(names, s.Name)
		}
	case ActionChange:
		names = sp.Change.Removed()
	}
	return tokens(sp.Identifier, names)
}

// addedNew returns the token scopes sp defines that the server did not
// have.
func (sp ServerPlan) addedNew() []string {
	var names []string
	for _, s := range sp.After.Scopes {
		if !slices.ContainsFunc(sp.Before.Scopes, func(b resourceserver.Scope) bool { return b.Name == s.Name }) {
			names = append(names, s.Name)
		}
	}
	return tokens(sp.Identifier, names)
}

func tokens(identifier string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = identifier + "/" + n
	}
	return out
}

// compute plans f against st: pure, no I/O. Problems are those found only
// against the pool.
func compute(f *File, st state, prune bool) (*Plan, []*Problem) {
	p := &Plan{Version: PlanVersion, UserPoolID: st.pool, Fingerprint: st.fingerprint(), AppClients: st.apps}
	pool := map[string]resourceserver.ResourceServer{}
	for _, rs := range st.servers {
		pool[rs.Identifier] = rs
	}
	wanted := slices.Clone(f.ResourceServers)
	slices.SortFunc(wanted, func(a, b Server) int { return cmp.Compare(a.Identifier, b.Identifier) })
	for _, s := range wanted {
		desired := resourceserver.ResourceServer{UserPoolID: st.pool, Identifier: s.Identifier, Name: s.Name, Scopes: slices.Clone(s.Scopes)}
		cur, ok := pool[s.Identifier]
		if !ok {
			p.Servers = append(p.Servers, ServerPlan{Action: ActionCreate, Identifier: s.Identifier, After: desired})
			continue
		}
		var ch resourceserver.Change
		if s.Additive {
			if cur.Name != s.Name {
				ch = ch.Rename(s.Name)
			}
			for _, sc := range s.Scopes {
				if i := slices.IndexFunc(cur.Scopes, func(c resourceserver.Scope) bool { return c.Name == sc.Name }); i < 0 || cur.Scopes[i].Description != sc.Description {
					ch = ch.Add(sc)
				}
			}
		} else {
			ch = resourceserver.Diff(cur, desired)
		}
		if ch.IsZero() {
			p.Unchanged++
			continue
		}
		p.Servers = append(p.Servers, ServerPlan{Action: ActionChange, Identifier: s.Identifier, Before: cur, After: ch.ApplyTo(cur), Change: ch})
	}
	if prune {
		for _, rs := range st.servers {
			if _, ok := f.server(rs.Identifier); !ok {
				p.Servers = append(p.Servers, ServerPlan{Action: ActionDelete, Identifier: rs.Identifier, Before: rs})
			}
		}
	}
	slices.SortStableFunc(p.Servers, func(a, b ServerPlan) int { return cmp.Compare(a.Identifier, b.Identifier) })
	if st.holders == nil {
		return p, nil
	}
	probs := p.planGrants(f, st, prune)
	p.impacts(f, st)
	return p, probs
}

// planGrants fills p.Grants from the file's app clients and the holders
// read, and returns the problems found against the pool.
func (p *Plan) planGrants(f *File, st state, prune bool) []*Problem {
	var probs []*Problem
	after := map[string]bool{} // token scopes defined once the plan is applied
	byID := map[string]ServerPlan{}
	for _, sp := range p.Servers {
		byID[sp.Identifier] = sp
	}
	for _, rs := range st.servers {
		if sp, ok := byID[rs.Identifier]; ok && sp.Action == ActionDelete {
			continue
		} else if ok {
			rs = sp.After
		}
		for _, t := range rs.TokenScopes() {
			after[t] = true
		}
	}
	for _, sp := range p.Servers {
		if sp.Action == ActionCreate {
			for _, t := range sp.After.TokenScopes() {
				after[t] = true
			}
		}
	}
	// The scopes the file owns: every scope of a server it lists in full
	// (or prunes), only the listed ones of an additive server.
	owned := func(scope string) bool {
		i := strings.LastIndexByte(scope, '/')
		if i < 0 {
			return false
		}
		id, name := scope[:i], scope[i+1:]
		s, ok := f.server(id)
		switch {
		case !ok:
			sp, planned := byID[id]
			return prune && planned && sp.Action == ActionDelete
		case s.Additive:
			return slices.ContainsFunc(s.Scopes, func(sc resourceserver.Scope) bool { return sc.Name == name })
		}
		return true
	}
	active := map[string]bool{} // token scopes defined before the plan
	for _, rs := range st.servers {
		for _, t := range rs.TokenScopes() {
			active[t] = true
		}
	}
	held := map[string][]string{} // client ID -> scopes it lists
	for scope, refs := range st.holders {
		for _, c := range refs {
			held[c.ID] = append(held[c.ID], scope)
		}
	}
	known := st.names()
	resolved := map[string]int{} // client ID -> index of the entry that names it
	for i, c := range f.AppClients {
		at := "appClients[" + strconv.Itoa(i) + "]"
		// Every problem of the entry is reported: its scopes are checked
		// even when the app client is not found.
		undefined := false
		for k, sc := range c.Scopes {
			if !appclient.IsStandard(sc) && !after[sc] {
				detail := "neither the file nor the pool defines this scope"
				if active[sc] {
					detail = "the plan removes this scope"
				}
				probs = append(probs, f.problem(at+".scopes["+strconv.Itoa(k)+"]", RuleUndefinedScope, detail, sc))
				undefined = true
			}
		}
		ref, prob := resolveClient(f, st, known, at, c)
		if prob != nil {
			probs = append(probs, prob)
			continue
		}
		if j, ok := resolved[ref.ID]; ok {
			// One app client named twice, by ID and by name.
			probs = append(probs, f.problem(at, rserrors.RuleUnique, "names the same app client as appClients["+strconv.Itoa(j)+"]", ref.ID))
			continue
		}
		resolved[ref.ID] = i
		if undefined {
			continue
		}
		current := held[ref.ID]
		g := GrantPlan{Client: ref}
		for _, sc := range c.Scopes {
			if !slices.Contains(current, sc) {
				g.Grant = append(g.Grant, sc)
			}
		}
		for _, sc := range current {
			if owned(sc) && active[sc] && !slices.Contains(c.Scopes, sc) {
				g.Revoke = append(g.Revoke, sc)
			}
		}
		slices.Sort(g.Revoke)
		if len(g.Grant) > 0 || len(g.Revoke) > 0 {
			p.Grants = append(p.Grants, g)
		}
	}
	slices.SortFunc(p.Grants, func(a, b GrantPlan) int { return cmp.Compare(a.Client.ID, b.Client.ID) })
	return probs
}

// resolveClient finds the app client that the file's entry c (at the path
// at) names: by clientId among those known, by clientName among those the
// listing found, which must be exactly one.
func resolveClient(f *File, st state, known map[string]string, at string, c AppClient) (ClientRef, *Problem) {
	if c.ClientID != "" {
		name, ok := known[c.ClientID]
		if !ok {
			return ClientRef{}, f.problem(at+".clientId", RuleUnknownClient, "no app client of the pool has this ID", c.ClientID)
		}
		return ClientRef{ID: c.ClientID, Name: name}, nil
	}
	switch ids := st.byName(c.ClientName); len(ids) {
	case 0:
		return ClientRef{}, f.problem(at+".clientName", RuleUnknownClient, "no app client of the pool has this name", c.ClientName)
	case 1:
		return ClientRef{ID: ids[0], Name: c.ClientName}, nil
	default:
		return ClientRef{}, f.problem(at+".clientName", RuleAmbiguousClient,
			"names "+strconv.Itoa(len(ids))+" app clients ("+strings.Join(ids, ", ")+"); name one by clientId", c.ClientName)
	}
}

// impacts fills p.Dangling and p.Regrants from the holders read.
func (p *Plan) impacts(f *File, st state) {
	revoked := map[string]map[string]bool{} // scope -> client IDs the plan revokes it from
	for _, g := range p.Grants {
		for _, sc := range g.Revoke {
			if revoked[sc] == nil {
				revoked[sc] = map[string]bool{}
			}
			revoked[sc][g.Client.ID] = true
		}
	}
	wants := map[string]map[string]bool{} // scope -> client IDs the file grants it to
	for _, g := range p.Grants {
		for _, sc := range g.Grant {
			if wants[sc] == nil {
				wants[sc] = map[string]bool{}
			}
			wants[sc][g.Client.ID] = true
		}
	}
	for _, c := range f.AppClients {
		id := c.ClientID
		if id == "" {
			if ids := st.byName(c.ClientName); len(ids) == 1 {
				id = ids[0]
			}
		}
		for _, sc := range c.Scopes {
			if wants[sc] == nil {
				wants[sc] = map[string]bool{}
			}
			wants[sc][id] = true
		}
	}
	for _, sp := range p.Servers {
		for _, sc := range sp.removed() {
			if left := without(st.holders[sc], revoked[sc]); len(left) > 0 {
				p.Dangling = append(p.Dangling, Impact{Scope: sc, Clients: left})
			}
		}
		for _, sc := range sp.addedNew() {
			if left := without(st.holders[sc], wants[sc]); len(left) > 0 {
				p.Regrants = append(p.Regrants, Impact{Scope: sc, Clients: left})
			}
			var kept []ClientRef
			for _, c := range st.holders[sc] {
				if wants[sc][c.ID] {
					kept = append(kept, c)
				}
			}
			if len(kept) > 0 {
				p.Reactivates = append(p.Reactivates, Impact{Scope: sc, Clients: kept})
			}
		}
	}
}

// effect returns the token scopes sp removes from cur, the server as read
// now (zero for a create), and those it defines that cur does not: what
// its write does, whatever the plan's Before says.
func (sp ServerPlan) effect(cur resourceserver.ResourceServer) (removed, added []string) {
	has := func(name string) bool {
		return slices.ContainsFunc(cur.Scopes, func(s resourceserver.Scope) bool { return s.Name == name })
	}
	var rm, add []string
	switch sp.Action {
	case ActionDelete:
		for _, s := range cur.Scopes {
			rm = append(rm, s.Name)
		}
	case ActionChange:
		for _, n := range sp.Change.Removed() {
			if has(n) {
				rm = append(rm, n)
			}
		}
		for _, s := range sp.Change.Added() {
			if !has(s.Name) {
				add = append(add, s.Name)
			}
		}
	case ActionCreate:
		for _, s := range sp.After.Scopes {
			if !has(s.Name) {
				add = append(add, s.Name)
			}
		}
	}
	return tokens(sp.Identifier, rm), tokens(sp.Identifier, add)
}

// checkRead refuses a plan that did not read the holders of a scope its
// steps remove or add on st, the state read now: without them its grants
// cannot be checked.
func (p *Plan) checkRead(st state) error {
	if st.apps.All {
		return nil
	}
	cur := map[string]resourceserver.ResourceServer{}
	for _, rs := range st.servers {
		cur[rs.Identifier] = rs
	}
	for _, sp := range p.Servers {
		removed, added := sp.effect(cur[sp.Identifier])
		for _, sc := range append(removed, added...) {
			if !slices.Contains(st.apps.Scopes, sc) {
				return fmt.Errorf("reconcile: Apply: the plan for user pool %s did not read which app clients hold %s, which it removes or adds; make a new plan", p.UserPoolID, sc)
			}
		}
	}
	return nil
}

// impactsOn returns the dangling grants and the re-grants of p's steps on
// st, the state read now (holders read): the grants of app clients that
// hold a scope a step removes and that p does not revoke it from, and of
// those that hold a scope a step defines anew and that p neither grants
// nor reactivates it for. Plan.Dangling and Plan.Regrants are not
// consulted, so a saved plan that lost them is still checked.
func (p *Plan) impactsOn(st state) (dangling, regrants []Impact) {
	cur := map[string]resourceserver.ResourceServer{}
	for _, rs := range st.servers {
		cur[rs.Identifier] = rs
	}
	revoked, wants := map[string]map[string]bool{}, map[string]map[string]bool{}
	mark := func(m map[string]map[string]bool, scope, id string) {
		if m[scope] == nil {
			m[scope] = map[string]bool{}
		}
		m[scope][id] = true
	}
	for _, g := range p.Grants {
		for _, sc := range g.Revoke {
			mark(revoked, sc, g.Client.ID)
		}
		for _, sc := range g.Grant {
			mark(wants, sc, g.Client.ID)
		}
	}
	for _, im := range p.Reactivates {
		for _, c := range im.Clients {
			mark(wants, im.Scope, c.ID)
		}
	}
	for _, sp := range p.Servers {
		removed, added := sp.effect(cur[sp.Identifier])
		for _, sc := range removed {
			if left := without(st.holders[sc], revoked[sc]); len(left) > 0 {
				dangling = append(dangling, Impact{Scope: sc, Clients: left})
			}
		}
		for _, sc := range added {
			if left := without(st.holders[sc], wants[sc]); len(left) > 0 {
				regrants = append(regrants, Impact{Scope: sc, Clients: left})
			}
		}
	}
	return dangling, regrants
}

// names returns the name of every app client read, by ID: those the
// listing found, and any that holds a scope read although the listing
// missed it (created in between), "" when its name is unknown.
func (st state) names() map[string]string {
	out := map[string]string{}
	for _, refs := range st.holders {
		for _, r := range refs {
			out[r.ID] = r.Name
		}
	}
	for _, c := range st.clients {
		out[c.ID] = c.Name
	}
	return out
}

// byName returns the IDs of the app clients the listing found named name,
// sorted.
func (st state) byName(name string) []string {
	var ids []string
	for _, c := range st.clients {
		if c.Name == name {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// without returns refs less those whose ID is in ids.
func without(refs []ClientRef, ids map[string]bool) []ClientRef {
	var out []ClientRef
	for _, r := range refs {
		if !ids[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// isNilPointer reports whether v holds a nil pointer.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
