package appclient

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/validate"
)

// delta is the caller's change, kept apart from any state so that it can
// be applied again to a fresher state: fields set to the values of want,
// and scopes granted or revoked.
type delta struct {
	want   AppClient // the values of fields
	fields []field   // the updatable fields to set, AllowedOAuthScopes excluded
	grant  []string  // scopes to add, appended in order when missing
	revoke []string  // scopes to remove
	op     string    // the method that made it, which names a refused result
}

// clone returns a deep copy of d.
func (d *delta) clone() *delta {
	out := *d
	out.want = d.want.clone()
	out.fields = slices.Clone(d.fields)
	out.grant = slices.Clone(d.grant)
	out.revoke = slices.Clone(d.revoke)
	return &out
}

// then returns d followed by next: next's fields and scopes win.
func (d *delta) then(next *delta) *delta {
	out := d.clone()
	ov, nv := reflect.ValueOf(&out.want).Elem(), reflect.ValueOf(next.want.clone())
	for _, f := range next.fields {
		ov.Field(f.app).Set(nv.Field(f.app))
		if !out.sets(f.name) {
			out.fields = append(out.fields, f)
		}
	}
	for _, s := range next.revoke {
		out.grant = slices.DeleteFunc(out.grant, func(g string) bool { return g == s })
		if !slices.Contains(out.revoke, s) {
			out.revoke = append(out.revoke, s)
		}
	}
	for _, s := range next.grant {
		out.revoke = slices.DeleteFunc(out.revoke, func(r string) bool { return r == s })
		if !slices.Contains(out.grant, s) {
			out.grant = append(out.grant, s)
		}
	}
	out.op = "UpdateUserPoolClient"
	return out
}

// diff returns the delta that turns cur into next.
func diff(cur, next *AppClient) *delta {
	d := &delta{want: next.clone()}
	for _, f := range updatable {
		if f.name != "AllowedOAuthScopes" && changed(f, cur, next) {
			d.fields = append(d.fields, f)
		}
	}
	for _, s := range next.AllowedOAuthScopes {
		if !slices.Contains(cur.AllowedOAuthScopes, s) && !slices.Contains(d.grant, s) {
			d.grant = append(d.grant, s)
		}
	}
	for _, s := range cur.AllowedOAuthScopes {
		if !slices.Contains(next.AllowedOAuthScopes, s) && !slices.Contains(d.revoke, s) {
			d.revoke = append(d.revoke, s)
		}
	}
	return d
}

// apply returns cur with d applied and whether that differs from cur.
// Existing scopes keep their order; granted ones are appended.
func (d *delta) apply(cur AppClient) (AppClient, bool) {
	next := cur.clone()
	nv, wv := reflect.ValueOf(&next).Elem(), reflect.ValueOf(d.want.clone())
	for _, f := range d.fields {
		nv.Field(f.app).Set(wv.Field(f.app))
	}
	if len(d.revoke) > 0 {
		next.AllowedOAuthScopes = slices.DeleteFunc(next.AllowedOAuthScopes, func(s string) bool { return slices.Contains(d.revoke, s) })
	}
	for _, s := range d.grant {
		if !slices.Contains(next.AllowedOAuthScopes, s) {
			next.AllowedOAuthScopes = append(next.AllowedOAuthScopes, s)
		}
	}
	return next, differs(&cur, &next)
}

// sets reports whether d sets the field of that input member name.
func (d *delta) sets(name string) bool {
	return slices.ContainsFunc(d.fields, func(f field) bool { return f.name == name })
}

// rebase takes the values of d's fields from the app client an update
// returned, so that verification compares with what Cognito stored (which
// may normalize a value) rather than with what was sent.
func (d *delta) rebase(stored AppClient) {
	wv, sv := reflect.ValueOf(&d.want).Elem(), reflect.ValueOf(stored.clone())
	for _, f := range d.fields {
		wv.Field(f.app).Set(sv.Field(f.app))
	}
}

// readOnly lists the AppClient fields that Modify's function may not change.
var readOnly = []string{"UserPoolID", "ClientID", "HasSecret", "CreationDate", "LastModifiedDate"}

// Modify changes an app client by a read-modify-write that resets nothing
// it was not asked to change. It sends DescribeUserPoolClient, hands fn a
// deep copy of the result, and, if fn changed any updatable field, sends
// one UpdateUserPoolClient in which every member fn did not change is
// carried over exactly as DescribeUserPoolClient returned it (a member
// Describe left out stays left out) and every member fn changed has fn's
// value; then it verifies with DescribeUserPoolClient.
//
// In detail, with the default Options:
//
//  1. IDs are validated and fn must not be nil (paths "poolID", "clientID",
//     "fn"): nothing is sent otherwise.
//  2. Changes to the same app client through this Client run one at a time.
//     With Options.Locker, a change that grants or revokes custom scopes
//     takes the lock of each of their resource servers once it has
//     something to write, and reads the app client again under them.
//  3. DescribeUserPoolClient; fn runs once on a deep copy. A change to a
//     read-only field (UserPoolID, ClientID, HasSecret, CreationDate,
//     LastModifiedDate) is refused (path the field's name, rule
//     RuleImmutable). Scopes fn added must be valid, as for
//     [Client.GrantScopes] (paths "AllowedOAuthScopes[i]", i the index in
//     fn's result); those that are custom scopes are looked up with one DescribeResourceServer
//     per identifier, and any that does not exist gives a
//     *ScopeNotFoundError. Nothing has been written yet.
//  4. If nothing changed (a new order of AllowedOAuthScopes alone is no
//     change), Modify returns here.
//  5. The result is checked: at most MaxScopes scopes, and at least one
//     while OAuth is on, else a *rserrors.ValidationError (path
//     "AllowedOAuthScopes"); then a guard refuses, with an
//     *UnsafeUpdateError, an input that would change a member fn did not
//     change, or turn OAuth off (AllowedOAuthFlowsUserPoolClient from true
//     to false) unless fn set it to false itself.
//  6. UpdateUserPoolClient.
//  7. After waiting twice as long as the Describe and the Update took, their
//     pacing waits included (at most 2s), DescribeUserPoolClient verifies that fn's change is in
//     place, compared with the values the Update returned. If another
//     writer overwrote it, or Cognito answered
//     ConcurrentModificationException, the change (not fn) is applied
//     again, after Options.Backoff and a fresh Describe, from step 4, up to
//     Options.MaxAttempts writes, then a *rserrors.ConflictError.
//
// So a change costs Describe alone when there is nothing to do, and
// Describe + Update + Describe otherwise, plus one DescribeResourceServer
// per resource server whose scopes it adds. Each request waits for its
// category's rate limit.
//
// It returns the app client as the verifying Describe saw it. Errors, each
// in an *OpError: a *rserrors.ValidationError (nothing sent, or no Update
// sent for a result that breaks a rule); fn's own error, with nothing more
// sent; a *ScopeNotFoundError; an *UnsafeUpdateError; a
// *rserrors.ConflictError; a service error mapped by rserrors.From (such as
// *rserrors.ResourceNotFoundError or *rserrors.InvalidOAuthFlowError), or a
// *ScopeNotFoundError from Cognito's own answer; the context's error,
// which can come after the Update took effect.
func (c *Client) Modify(ctx context.Context, poolID, clientID string, fn func(*AppClient) error) (_ AppClient, err error) {
	ctx, end := c.start(ctx, "appclient.Modify", poolID, clientID)
	defer func() { end(err) }()
	var r validate.Report
	checkIDs(&r, poolID, clientID)
	if fn == nil {
		r.Add("fn", rserrors.RuleRequired, "a function is required", "")
	}
	return c.change(ctx, "Modify", poolID, clientID, r.Err("Modify"),
		func(cur AppClient) (*delta, error) {
			next := cur.clone()
			if err := fn(&next); err != nil {
				return nil, err
			}
			var r validate.Report
			cv, nv := reflect.ValueOf(cur), reflect.ValueOf(next)
			for _, name := range readOnly {
				if !same(cv.FieldByName(name), nv.FieldByName(name)) {
					r.Add(name, rserrors.RuleImmutable, "cannot be changed", fmt.Sprint(nv.FieldByName(name).Interface()))
				}
			}
			d := diff(&cur, &next)
			for _, s := range d.grant {
				checkScope(&r, "AllowedOAuthScopes["+strconv.Itoa(slices.Index(next.AllowedOAuthScopes, s))+"]", s)
			}
			if err := r.Err("Modify"); err != nil {
				return nil, err
			}
			return d, nil
		})
}

// GrantScopes adds scopes to an app client's AllowedOAuthScopes and keeps
// every other scope and every other field. It is idempotent: a scope the
// app client already allows is no change, and when all are there only
// DescribeUserPoolClient and the existence check are sent. New scopes are
// appended in order. A scope repeated in the arguments counts once.
//
// Each scope must be a standard scope ([IsStandard]) or
// "<identifier>/<scope name>" (split on the last "/", each part obeying
// Cognito's rules), and there must be one to MaxScopes distinct ones;
// otherwise a *rserrors.ValidationError with the path of the bad argument
// ("scopes[2]", or "scopes" for their number) is returned and nothing is
// sent. Every custom scope must
// exist: it sends one DescribeResourceServer per identifier, and returns a
// *ScopeNotFoundError listing those that do not exist before any update.
// Otherwise it sends what [Client.Modify] sends, with the same guard,
// verification and errors; the result may hold at most MaxScopes scopes.
// It never turns OAuth on or off: a client without OAuth gets Cognito's
// answer. A scope the app client already holds is sent back as it is,
// inactive or not; whether Cognito accepts an inactive one back is not
// documented, and if it refuses, the error is a *ScopeNotFoundError naming
// it, with Err set, and nothing has changed: revoke it first.
func (c *Client) GrantScopes(ctx context.Context, poolID, clientID string, scopes ...string) (_ AppClient, err error) {
	ctx, end := c.start(ctx, "appclient.GrantScopes", poolID, clientID)
	defer func() { end(err) }()
	var r validate.Report
	checkIDs(&r, poolID, clientID)
	distinct := scopeArgs(&r, scopes)
	return c.change(ctx, "GrantScopes", poolID, clientID, r.Err("GrantScopes"), fixed(&delta{grant: distinct}))
}

// GrantScopesListed is [Client.GrantScopes] for a caller that has just
// listed the pool's resource servers, as reconcile's apply has: a scope in
// listed ("<identifier>/<scope name>") is taken as existing and costs no
// DescribeResourceServer; the others are checked as GrantScopes checks
// them. A listed scope deleted since then is refused by Cognito instead,
// with a *ScopeNotFoundError whose Err is set, and nothing changes. Errors
// are those of GrantScopes, with Op "GrantScopes".
func (c *Client) GrantScopesListed(ctx context.Context, poolID, clientID string, listed []string, scopes ...string) (_ AppClient, err error) {
	ctx, end := c.start(ctx, "appclient.GrantScopes", poolID, clientID)
	defer func() { end(err) }()
	var r validate.Report
	checkIDs(&r, poolID, clientID)
	distinct := scopeArgs(&r, scopes)
	return c.change(ctx, "GrantScopes", poolID, clientID, r.Err("GrantScopes"), fixed(&delta{grant: distinct}), listed...)
}

// RevokeScopes removes scopes from an app client's AllowedOAuthScopes and
// keeps every other scope and every other field. It is idempotent: a
// scope the app client does not allow is no error, and when none is there
// only DescribeUserPoolClient is sent. Scopes are validated as for
// [Client.GrantScopes] but need not exist, so an inactive scope can be
// revoked. Otherwise it sends what [Client.Modify] sends, with the same
// guard, verification and errors. Revoking the last scope of an app client
// with OAuth on is refused with a *rserrors.ValidationError (path
// "AllowedOAuthScopes", rule RuleRequired: Cognito requires a scope then)
// and no update is sent; OAuth is never turned off
// behind the caller's back.
func (c *Client) RevokeScopes(ctx context.Context, poolID, clientID string, scopes ...string) (_ AppClient, err error) {
	ctx, end := c.start(ctx, "appclient.RevokeScopes", poolID, clientID)
	defer func() { end(err) }()
	var r validate.Report
	checkIDs(&r, poolID, clientID)
	distinct := scopeArgs(&r, scopes)
	return c.change(ctx, "RevokeScopes", poolID, clientID, r.Err("RevokeScopes"), fixed(&delta{revoke: distinct}))
}

// fixed returns a plan that is d whatever the state.
func fixed(d *delta) func(AppClient) (*delta, error) {
	return func(AppClient) (*delta, error) { return d, nil }
}

// change runs plan's change of the app client through the engine (the
// sequence documented on Modify); every error comes back in an *OpError
// for op. A change that grants custom scopes is first checked for scopes
// that do not exist, those in listed taken as existing.
func (c *Client) change(ctx context.Context, op, poolID, clientID string, check error,
	plan func(AppClient) (*delta, error), listed ...string) (AppClient, error) {
	if check != nil {
		return AppClient{}, opError(op, poolID, clientID, check)
	}
	s, err := c.engine.Do(ctx, engine.Key{Pool: poolID, ID: clientID}, func(cur state) (*delta, error) {
		d, err := plan(cur.app)
		if err != nil {
			return nil, err
		}
		d.op = op
		if len(d.grant) > 0 {
			missing, err := c.missingScopes(ctx, poolID, d.grant, listed)
			if err != nil {
				return nil, err
			}
			if len(missing) > 0 {
				c.log(ctx, slog.LevelWarn, "grant refused, scope does not exist", poolID, clientID, slog.Any("scopes", missing))
				return nil, &ScopeNotFoundError{UserPoolID: poolID, Scopes: missing}
			}
		}
		return d, nil
	})
	if err != nil {
		return AppClient{}, opError(op, poolID, clientID, err)
	}
	return s.app, nil
}

// kind is what an app client supplies to the engine.
type kind struct{ c *Client }

// Read sends DescribeUserPoolClient.
func (k kind) Read(ctx context.Context, key engine.Key) (state, time.Duration, error) {
	return k.c.read(ctx, key.Pool, key.ID)
}

// Apply applies d to s; d needs no resolving.
func (kind) Apply(d *delta, s state) (state, *delta, error) {
	next, _ := d.apply(s.app)
	return state{raw: s.raw, app: next}, d, nil
}

// Compose returns first followed by next.
func (kind) Compose(first, next *delta) *delta { return first.then(next) }

// Same reports whether a and b agree in every updatable field.
func (kind) Same(a, b state) bool { return !differs(&a.app, &b.app) }

// Write sends the UpdateUserPoolClient that turns cur into next, after
// checking it and passing it through the guard, and returns the app client
// Cognito stored and d rebased on it. It is the only place that sends
// UpdateUserPoolClient.
func (k kind) Write(ctx context.Context, cur, next state, d *delta) (state, *delta, time.Duration, error) {
	c, pool, id := k.c, next.app.UserPoolID, next.app.ClientID
	if err := checkResult(d.op, next.app); err != nil {
		return state{}, d, 0, err
	}
	in := updateInput(pool, id, cur.raw, &cur.app, &next.app)
	if err := guard(cur, next.app, in, d); err != nil {
		c.log(ctx, slog.LevelWarn, "unsafe update refused", pool, id, slog.String("error", err.Error()))
		return state{}, d, 0, err
	}
	out, took, err := send(ctx, c, pool, pace.ClientUpdate, c.api.UpdateUserPoolClient, in)
	if err != nil {
		return state{}, d, took, err
	}
	c.log(ctx, slog.LevelInfo, "updated", pool, id, slog.Any("granted", d.grant), slog.Any("revoked", d.revoke),
		slog.Any("fields", fieldNames(d.fields)))
	if out == nil || out.UserPoolClient == nil {
		return next, d, took, nil
	}
	stored := fromSDK(out.UserPoolClient)
	stored.UserPoolID, stored.ClientID = pool, id
	rebased := d.clone()
	rebased.rebase(stored)
	return state{raw: out.UserPoolClient, app: stored}, rebased, took, nil
}

// scopeLockKeys returns the lock keys of the resource servers whose
// custom scopes d grants or revokes, sorted: the keys a
// resourceserver.Client takes for them.
func scopeLockKeys(k engine.Key, d *delta) []string {
	var keys []string
	for _, s := range append(slices.Clip(d.grant), d.revoke...) {
		if id, _, ok := splitScope(s); ok && !IsStandard(s) {
			keys = append(keys, engine.ResourceServerLockKey(k.Pool, id))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// checkResult refuses, before the guard and as a *rserrors.ValidationError
// for op, a result that Cognito would refuse for its scopes: more than
// MaxScopes (path "AllowedOAuthScopes", RuleMaxItems), or none while OAuth
// is on (RuleRequired), since Cognito requires AllowedOAuthScopes then.
func checkResult(op string, next AppClient) error {
	var r validate.Report
	r.MaxItems("AllowedOAuthScopes", len(next.AllowedOAuthScopes), MaxScopes)
	if len(next.AllowedOAuthScopes) == 0 && next.AllowedOAuthFlowsUserPoolClient {
		r.Add("AllowedOAuthScopes", rserrors.RuleRequired,
			"an app client with OAuth on (AllowedOAuthFlowsUserPoolClient) needs at least one scope; turn OAuth off with Modify to remove the last one", "")
	}
	return r.Err(op)
}

func fieldNames(fs []field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// guard is the last check before an UpdateUserPoolClient is sent. Because
// Cognito resets every member an update leaves out, it refuses, with an
// *UnsafeUpdateError, an input that names another app client, that differs
// from what DescribeUserPoolClient returned (cur.raw) in a member the change
// (cur to next) does not touch, or that turns OAuth off when the delta d
// did not set AllowedOAuthFlowsUserPoolClient.
func guard(cur state, next AppClient, in *cip.UpdateUserPoolClientInput, d *delta) error {
	e := UnsafeUpdateError{UserPoolID: cur.app.UserPoolID, ClientID: cur.app.ClientID}
	if aws.ToString(in.UserPoolId) != cur.app.UserPoolID {
		e.Lost = append(e.Lost, "UserPoolId")
	}
	if aws.ToString(in.ClientId) != cur.app.ClientID {
		e.Lost = append(e.Lost, "ClientId")
	}
	kept := reflect.ValueOf(carry(cur.app.UserPoolID, cur.app.ClientID, cur.raw)).Elem()
	iv := reflect.ValueOf(in).Elem()
	for _, f := range updatable {
		if changed(f, &cur.app, &next) {
			continue
		}
		if !reflect.DeepEqual(iv.Field(f.in).Interface(), kept.Field(f.in).Interface()) {
			if f.name == "AllowedOAuthFlowsUserPoolClient" {
				continue // reported as OAuthOff below, or allowed
			}
			e.Lost = append(e.Lost, f.name)
		}
	}
	was := cur.raw != nil && aws.ToBool(cur.raw.AllowedOAuthFlowsUserPoolClient)
	e.OAuthOff = was && !in.AllowedOAuthFlowsUserPoolClient && !d.sets("AllowedOAuthFlowsUserPoolClient")
	if !e.OAuthOff && len(e.Lost) == 0 {
		return nil
	}
	return &e
}
