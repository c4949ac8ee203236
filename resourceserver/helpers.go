package resourceserver

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// AddScope adds one scope, or sets its description if a scope of that name
// exists; see [Client.AddScopes].
func (c *Client) AddScope(ctx context.Context, poolID, identifier string, scope Scope) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.AddScope", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	r.ScopeName("scope.Name", scope.Name).ScopeDescription("scope.Description", scope.Description)
	return c.change(ctx, "AddScope", poolID, identifier, r.Err("AddScope"), fixed(Change{}.Add(scope)))
}

// AddScopes adds scopes to a resource server and keeps every other scope:
// [Client.Apply] with Change{}.Add(scopes...). It is idempotent: a scope
// already there with the same description is no change, one there with
// another description gets the new description; new scopes are appended.
// When nothing is new only DescribeResourceServer is sent.
//
// Scopes that break Cognito's rules, repeat a name, or number more than
// 100 give a *rserrors.ValidationError (paths "scopes[i].Name") and
// nothing is sent; a result over 100 scopes gives one after the Describe.
// Other errors are those of Apply.
func (c *Client) AddScopes(ctx context.Context, poolID, identifier string, scopes ...Scope) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.AddScopes", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	checkScopes(&r, "scopes", scopes)
	return c.change(ctx, "AddScopes", poolID, identifier, r.Err("AddScopes"), fixed(Change{}.Add(scopes...)))
}

// RemoveScopes removes the named scopes and keeps every other scope:
// [Client.Apply] with Change{}.Remove(names...). A name that is not there
// is no error; when none is there only DescribeResourceServer is sent.
// Each name must be a valid scope name (not "<identifier>/<name>"), or a
// *rserrors.ValidationError (path "names[i]") is returned and nothing is
// sent.
//
// App clients that allow a removed scope keep it as an inactive scope,
// and adding a scope of the same name later grants it to them again.
func (c *Client) RemoveScopes(ctx context.Context, poolID, identifier string, names ...string) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.RemoveScopes", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	for i, n := range names {
		r.ScopeName("names["+strconv.Itoa(i)+"]", n)
	}
	return c.change(ctx, "RemoveScopes", poolID, identifier, r.Err("RemoveScopes"), fixed(Change{}.Remove(names...)))
}

// UpdateScopes makes the scope set of a resource server exactly scopes,
// deleting the scopes it lacks and keeping the name: [Client.Apply] with
// Change{}.Replace(scopes...). The replace is resolved against the state
// read, so it never deletes a scope added after that read.
//
// An empty scopes is refused with a *rserrors.ValidationError (path
// "scopes", rule RuleRequired) and nothing is sent, because it would
// delete every scope: use [Client.ClearScopes] to say that. Scopes are
// validated as for AddScopes.
func (c *Client) UpdateScopes(ctx context.Context, poolID, identifier string, scopes []Scope) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.UpdateScopes", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	if len(scopes) == 0 {
		r.Add("scopes", rserrors.RuleRequired, errEmpties, "")
	}
	checkScopes(&r, "scopes", scopes)
	return c.change(ctx, "UpdateScopes", poolID, identifier, r.Err("UpdateScopes"), fixed(Change{}.Replace(scopes...)))
}

// ClearScopes deletes every scope of a resource server and keeps its name:
// [Client.Apply] with Change{}.Clear(). It deletes the scopes the server
// had when read; a scope another writer adds afterwards is kept. App
// clients that allow the deleted scopes keep them as inactive scopes.
func (c *Client) ClearScopes(ctx context.Context, poolID, identifier string) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.ClearScopes", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	return c.change(ctx, "ClearScopes", poolID, identifier, r.Err("ClearScopes"), fixed(Change{}.Clear()))
}

// Rename sets the name of a resource server and keeps every scope:
// [Client.Apply] with Change{}.Rename(name). An invalid name gives a
// *rserrors.ValidationError (path "name") and nothing is sent.
func (c *Client) Rename(ctx context.Context, poolID, identifier, name string) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Rename", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	r.Name("name", name)
	return c.change(ctx, "Rename", poolID, identifier, r.Err("Rename"), fixed(Change{}.Rename(name)))
}

// Modify changes a resource server as fn changes a deep copy of it: the
// change is [Diff] of the state read and fn's result, applied by
// [Client.Apply]. fn is called once, with the state its predecessors in
// the queue left; scopes it removed count as removed by name, scopes it
// added are appended in its order, and a change of order alone is no
// change. When verification finds the change overwritten, the change fn
// made (not fn) is applied again to the fresh state.
//
// Errors, each in an *OpError, besides those of Apply: a nil fn, a
// *rserrors.ValidationError with nothing sent; fn's own error, with
// nothing more sent (errors.Is finds it); a change to Identifier or
// UserPoolID (rule RuleImmutable), a result that breaks Cognito's rules,
// or a result with no scope left from a server that had some (use
// [Client.ClearScopes] for that), a *rserrors.ValidationError with no
// Update sent.
func (c *Client) Modify(ctx context.Context, poolID, identifier string, fn func(*ResourceServer) error) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Modify", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	if fn == nil {
		r.Add("fn", rserrors.RuleRequired, "a function is required", "")
	}
	return c.change(ctx, "Modify", poolID, identifier, r.Err("Modify"), func(cur ResourceServer) (Change, error) {
		res := cur.clone()
		if err := fn(&res); err != nil {
			return Change{}, err
		}
		var r validate.Report
		if res.UserPoolID != cur.UserPoolID {
			r.Add("UserPoolID", rserrors.RuleImmutable, "cannot be changed", res.UserPoolID)
		}
		if res.Identifier != cur.Identifier {
			r.Add("Identifier", rserrors.RuleImmutable, "cannot be changed", res.Identifier)
		}
		r.Name("Name", res.Name)
		if len(cur.Scopes) > 0 && len(res.Scopes) == 0 {
			r.Add("Scopes", rserrors.RuleRequired, errEmpties, "")
		}
		checkScopes(&r, "Scopes", res.Scopes)
		if err := r.Err("Modify"); err != nil {
			return Change{}, err
		}
		return Diff(cur, res), nil
	})
}

// Ensure makes sure the resource server rs exists with at least rs's
// scopes: it creates it if it is missing, and otherwise adds rs's scopes
// (as [Client.AddScopes] does) and keeps every other scope. It never
// removes a scope and never renames; rs.Name is used only to create.
// It is safe when many replicas call it at once: a Create that loses the
// race to another replica falls back to adding the scopes.
//
// It sends DescribeResourceServer (and what AddScopes sends) when the
// server exists, or DescribeResourceServer and CreateResourceServer when
// it does not. rs is validated as for [Client.Create] first (paths
// "rs.Name", "rs.Scopes[i].Name"); a missing user pool gives an error
// for which rserrors.IsUserPoolNotFound is true. Every error is an
// *OpError with Op "Ensure".
func (c *Client) Ensure(ctx context.Context, rs ResourceServer) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Ensure", rs.UserPoolID, rs.Identifier)
	defer func() { end(err) }()
	var r validate.Report
	r.UserPoolID("rs.UserPoolID", rs.UserPoolID).Identifier("rs.Identifier", rs.Identifier).Name("rs.Name", rs.Name)
	checkScopes(&r, "rs.Scopes", rs.Scopes)
	pool, id := rs.UserPoolID, rs.Identifier
	if err := r.Err("Ensure"); err != nil {
		return ResourceServer{}, opError("Ensure", pool, id, err)
	}
	add := fixed(Change{}.Add(rs.Scopes...))
	got, err := c.change(ctx, "Ensure", pool, id, nil, add)
	if !rserrors.IsResourceServerNotFound(err) {
		return got, err
	}
	created, err := c.create(ctx, rs)
	if rserrors.IsAlreadyExists(err) {
		c.log(ctx, slog.LevelInfo, "another writer created the resource server first; adding the scopes", pool, id)
		return c.change(ctx, "Ensure", pool, id, nil, add)
	}
	return created, opError("Ensure", pool, id, err)
}

// checkScopes reports, under the path at, a scope list that breaks
// Cognito's rules: more than validate.MaxScopes scopes, a bad name or
// description, or a name that repeats an earlier one.
func checkScopes(r *validate.Report, at string, scopes []Scope) {
	r.MaxItems(at, len(scopes), validate.MaxScopes)
	first := make(map[string]int, len(scopes))
	for i, s := range scopes {
		p := at + "[" + strconv.Itoa(i) + "]"
		r.ScopeName(p+".Name", s.Name)
		if j, ok := first[s.Name]; ok {
			r.Add(p+".Name", rserrors.RuleUnique, fmt.Sprintf("repeats the scope name at %s[%d]", at, j), s.Name)
		} else {
			first[s.Name] = i
		}
		r.ScopeDescription(p+".Description", s.Description)
	}
}

// errEmpties is the detail of a change refused because it would delete
// every scope without saying so.
const errEmpties = "must not be empty: it would delete every scope; use ClearScopes for that"
