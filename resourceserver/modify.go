package resourceserver

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// placeholderName stands in for the resource server's name when scope
// arguments are validated as the UpdateResourceServer input they will be
// part of, before the real name is known. It is valid, so it adds no
// violation.
const placeholderName = "x"

// delta is the caller's change, kept apart from any state so that it can be
// applied again to a fresher state: scopes to add or update, names to
// remove, a new name, or a whole new scope set.
type delta struct {
	upsert  []Scope  // scopes to add (appended in order) or whose description to set
	remove  []string // scope names to remove
	replace bool     // the scope set becomes exactly scopes
	scopes  []Scope  // the new scope set when replace
	rename  bool     // the name becomes name
	name    string
}

// apply returns cur with d applied and whether that differs from cur.
// Existing scopes keep their order; new ones are appended. A change of
// order alone is no change.
func (d *delta) apply(cur ResourceServer) (ResourceServer, bool) {
	next := cur.clone()
	if d.replace {
		next.Scopes = cloneScopes(d.scopes)
	} else {
		if len(d.remove) > 0 {
			next.Scopes = slices.DeleteFunc(next.Scopes, func(s Scope) bool { return slices.Contains(d.remove, s.Name) })
		}
		for _, u := range d.upsert {
			if i := slices.IndexFunc(next.Scopes, func(s Scope) bool { return s.Name == u.Name }); i >= 0 {
				next.Scopes[i].Description = u.Description
			} else {
				next.Scopes = append(next.Scopes, u)
			}
		}
	}
	if d.rename {
		next.Name = d.name
	}
	return next, next.Name != cur.Name || !sameScopes(next.Scopes, cur.Scopes)
}

// keeps reports whether d leaves a scope of that name in place, or at
// least does not ask for it to go: the guard refuses an update that drops
// such a scope.
func (d *delta) keeps(name string) bool {
	if d.replace {
		return slices.ContainsFunc(d.scopes, func(s Scope) bool { return s.Name == name })
	}
	return !slices.Contains(d.remove, name)
}

// diff returns the delta that turns cur into res: the scopes res adds or
// describes differently, the scopes it drops, and its name if changed.
func diff(cur, res ResourceServer) *delta {
	d := &delta{}
	old := scopeMap(cur.Scopes)
	kept := make(map[string]bool, len(res.Scopes))
	for _, s := range res.Scopes {
		kept[s.Name] = true
		if desc, ok := old[s.Name]; !ok || desc != s.Description {
			d.upsert = append(d.upsert, s)
		}
	}
	for _, s := range cur.Scopes {
		if !kept[s.Name] {
			d.remove = append(d.remove, s.Name)
		}
	}
	if res.Name != cur.Name {
		d.rename, d.name = true, res.Name
	}
	return d
}

// Modify changes a resource server by a read-modify-write. It sends
// DescribeResourceServer, hands fn a deep copy of the result, and, if fn
// changed the name or the set of scopes, sends one UpdateResourceServer
// with the full name and the full scope list, followed by a verifying
// DescribeResourceServer (see [Client.AddScopes] for the whole sequence and
// what it guarantees). Scopes that fn removed count as named for removal;
// existing scopes keep their order (a change of order alone is no change
// and sends no Update) and scopes fn added are appended in fn's order. fn
// is called once; when verification finds the change overwritten, the
// change fn made (not fn) is applied again to the fresh state.
//
// It returns the resource server as the verifying Describe saw it (as the
// Update returned it with Options.DisableVerify, as the first Describe
// returned it when nothing changed). Errors, each in an *OpError: invalid
// arguments or a nil fn, a *rserrors.ValidationError with nothing sent;
// fn's own error, with nothing more sent (errors.Is finds it); a change to
// Identifier or UserPoolID, a *rserrors.ValidationError with rule
// RuleImmutable; a result that breaks Cognito's rules, a
// *rserrors.ValidationError with no Update sent; a service error mapped by
// rserrors.From; a *rserrors.UnsafeUpdateError or *rserrors.ConflictError
// as for [Client.AddScopes]; the context's error.
func (c *Client) Modify(ctx context.Context, poolID, identifier string, fn func(*ResourceServer) error) (ResourceServer, error) {
	var check error
	if fn == nil {
		check = rserrors.NewFieldError("fn", rserrors.RuleRequired, "a function is required", "")
	}
	return c.change(ctx, "Modify", poolID, identifier, collect("Modify", describeCheck(poolID, identifier), check),
		func(cur ResourceServer) (*delta, error) {
			res := cur.clone()
			if err := fn(&res); err != nil {
				return nil, err
			}
			var v []error
			if res.UserPoolID != cur.UserPoolID {
				v = append(v, rserrors.NewFieldError("UserPoolID", rserrors.RuleImmutable, "cannot be changed", res.UserPoolID))
			}
			if res.Identifier != cur.Identifier {
				v = append(v, rserrors.NewFieldError("Identifier", rserrors.RuleImmutable, "cannot be changed", res.Identifier))
			}
			if err := collect("Modify", v...); err != nil {
				return nil, err
			}
			if err := validate.UpdateResourceServerInput(res.updateInput()); err != nil {
				return nil, err
			}
			return diff(cur, res), nil
		})
}

// AddScope adds one scope, or sets its description if a scope of that name
// exists. It is AddScopes with one scope: see [Client.AddScopes].
func (c *Client) AddScope(ctx context.Context, poolID, identifier string, scope Scope) (ResourceServer, error) {
	return c.addScopes(ctx, "AddScope", poolID, identifier, []Scope{scope})
}

// AddScopes adds scopes to a resource server and keeps every other scope.
// It is idempotent: a scope already there with the same description is no
// change, one there with another description gets the new description;
// existing scopes keep their order and new ones are appended.
//
// With the default Options it sends, in order: DescribeResourceServer;
// nothing more if no scope is new or changed; otherwise one
// UpdateResourceServer with the full name and the full scope list, then,
// after waiting twice as long as that Describe and Update took (at most
// 2s, so that another writer's Update sent at about the same time lands
// first), a verifying DescribeResourceServer. Before each Update the
// request is validated and checked by a guard that refuses to send it if
// it would drop the name or a scope not named for removal. Calls on the
// same resource server through one Client run one at a time (and under
// Options.Locker, if set); each request waits for the pool's rate limit.
//
// If the verifying Describe shows the change overwritten by another writer
// (Cognito has no conditional update), AddScopes waits for Options.Backoff,
// sends DescribeResourceServer again (not when the backoff is zero: the
// verified state is then fresh), applies the same change to that state and
// writes again, up to Options.MaxAttempts writes, then returns a
// *rserrors.ConflictError. Verification cannot see a loss that happens
// after it: another process's stale Update that lands after the verifying
// Describe still overwrites the change. Only a Locker shared by every
// writer excludes that.
//
// It returns the resource server as the verifying Describe saw it. Errors,
// each in an *OpError: a *rserrors.ValidationError when an argument breaks
// Cognito's rules, when two scopes share a name, or when there are more
// than 100 (nothing sent), or when the result would exceed 100 scopes
// (Describe sent, no Update); a *rserrors.UnsafeUpdateError from the
// guard; a *rserrors.ConflictError; a service error mapped by
// rserrors.From, such as *rserrors.ResourceNotFoundError; the context's
// error, which can come after the Update took effect (when the context
// ends before the verifying Describe).
func (c *Client) AddScopes(ctx context.Context, poolID, identifier string, scopes ...Scope) (ResourceServer, error) {
	return c.addScopes(ctx, "AddScopes", poolID, identifier, scopes)
}

func (c *Client) addScopes(ctx context.Context, op, poolID, identifier string, scopes []Scope) (ResourceServer, error) {
	check := validate.UpdateResourceServerInput(&cip.UpdateResourceServerInput{
		UserPoolId: aws.String(poolID), Identifier: aws.String(identifier),
		Name: aws.String(placeholderName), Scopes: sdkScopes(scopes),
	})
	return c.change(ctx, op, poolID, identifier, check, fixed(&delta{upsert: cloneScopes(scopes)}))
}

// RemoveScopes removes the named scopes and keeps every other scope. A
// name that is not there is no error; when none is there, only
// DescribeResourceServer is sent. Otherwise it sends what
// [Client.AddScopes] sends, with the same guard, verification and errors.
// Each name must be a valid scope name (not "<identifier>/<name>"), or a
// *rserrors.ValidationError is returned and nothing is sent.
//
// App clients that allow a removed scope keep it as an inactive scope;
// adding a scope of the same name later grants it to them again.
func (c *Client) RemoveScopes(ctx context.Context, poolID, identifier string, names ...string) (ResourceServer, error) {
	errs := []error{describeCheck(poolID, identifier)}
	for i, n := range names {
		err := validate.ScopeName(n)
		if ve, ok := err.(*rserrors.ValidationError); ok && ve != nil {
			for _, v := range ve.Violations {
				v.Field = fmt.Sprintf("names[%d]", i)
			}
		}
		errs = append(errs, err)
	}
	return c.change(ctx, "RemoveScopes", poolID, identifier, collect("RemoveScopes", errs...),
		fixed(&delta{remove: slices.Clone(names)}))
}

// UpdateScopes replaces the whole scope set of a resource server with
// scopes, deleting every scope not in it; the name is kept. If the set is
// already exactly scopes (in any order), only DescribeResourceServer is
// sent; otherwise it sends what [Client.AddScopes] sends, with the same
// verification and errors.
//
// An empty scopes is refused with a *rserrors.ValidationError (rule
// RuleRequired) and nothing is sent, because it would delete every scope:
// use [Client.ClearScopes] to say that.
func (c *Client) UpdateScopes(ctx context.Context, poolID, identifier string, scopes []Scope) (ResourceServer, error) {
	in := &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(poolID), Identifier: aws.String(identifier),
		Name: aws.String(placeholderName), Scopes: sdkScopes(scopes),
	}
	var empty error
	if len(scopes) == 0 {
		empty = rserrors.NewFieldError("Scopes", rserrors.RuleRequired,
			"must not be empty: it would delete every scope; use ClearScopes for that", "")
	}
	return c.change(ctx, "UpdateScopes", poolID, identifier,
		collect("UpdateResourceServer", validate.UpdateResourceServerInput(in), empty),
		fixed(&delta{replace: true, scopes: cloneScopes(scopes)}))
}

// ClearScopes deletes every scope of a resource server and keeps its name.
// If it has no scope, only DescribeResourceServer is sent; otherwise it
// sends what [Client.AddScopes] sends, with the same verification and
// errors. App clients that allow the deleted scopes keep them as inactive
// scopes.
func (c *Client) ClearScopes(ctx context.Context, poolID, identifier string) (ResourceServer, error) {
	return c.change(ctx, "ClearScopes", poolID, identifier, describeCheck(poolID, identifier),
		fixed(&delta{replace: true}))
}

// Rename sets the name of a resource server and keeps every scope. If the
// name is already name, only DescribeResourceServer is sent; otherwise it
// sends what [Client.AddScopes] sends, with the same guard, verification
// and errors. An invalid name gives a *rserrors.ValidationError and
// nothing is sent.
func (c *Client) Rename(ctx context.Context, poolID, identifier, name string) (ResourceServer, error) {
	check := validate.UpdateResourceServerInput(&cip.UpdateResourceServerInput{
		UserPoolId: aws.String(poolID), Identifier: aws.String(identifier), Name: aws.String(name),
	})
	return c.change(ctx, "Rename", poolID, identifier, check, fixed(&delta{rename: true, name: name}))
}

func describeCheck(poolID, identifier string) error {
	return validate.DescribeResourceServerInput(&cip.DescribeResourceServerInput{
		UserPoolId: aws.String(poolID), Identifier: aws.String(identifier),
	})
}

// fixed returns a plan that is d whatever the state.
func fixed(d *delta) func(ResourceServer) (*delta, error) {
	return func(ResourceServer) (*delta, error) { return d, nil }
}

// change is the one read-modify-write behind Modify and every scope
// helper. check is the result of validating the arguments; plan turns the
// first state read into the caller's delta, which is then applied to that
// state and, after an overwrite, to each fresh state.
func (c *Client) change(ctx context.Context, op, poolID, identifier string, check error,
	plan func(ResourceServer) (*delta, error)) (ResourceServer, error) {
	rs, err := c.rmw(ctx, poolID, identifier, check, plan)
	if err != nil {
		return ResourceServer{}, opError(op, poolID, identifier, err)
	}
	return rs, nil
}

// rmw validates, locks, reads, applies the delta, writes and verifies, as
// the package documentation lists; errors come back unwrapped.
func (c *Client) rmw(ctx context.Context, poolID, identifier string, check error,
	plan func(ResourceServer) (*delta, error)) (ResourceServer, error) {
	if check != nil {
		return ResourceServer{}, check
	}
	key := lockKey(poolID, identifier)
	unlock, err := c.keys.Lock(ctx, key)
	if err != nil {
		return ResourceServer{}, err
	}
	defer unlock()
	if c.opts.Locker != nil {
		shared, err := c.opts.Locker.Lock(ctx, key)
		if err != nil {
			return ResourceServer{}, err
		}
		defer shared.Unlock(context.WithoutCancel(ctx))
	}

	din := &cip.DescribeResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	cur, readTook, err := c.read(ctx, din)
	if err != nil {
		return ResourceServer{}, err
	}
	d, err := plan(cur)
	if err != nil {
		return ResourceServer{}, err
	}
	for written := 0; ; written++ {
		next, changed := d.apply(cur)
		if !changed {
			return cur, nil
		}
		if written == c.opts.MaxAttempts {
			return ResourceServer{}, &rserrors.ConflictError{UserPoolID: poolID, Identifier: identifier, Attempts: written}
		}
		if written > 0 {
			if wait := c.opts.Backoff(written); wait > 0 {
				// The state verified before the wait is stale after it:
				// writing it would delete what other writers did meanwhile.
				if err := sleep(ctx, wait); err != nil {
					return ResourceServer{}, err
				}
				if cur, readTook, err = c.read(ctx, din); err != nil {
					return ResourceServer{}, err
				}
				if next, changed = d.apply(cur); !changed {
					return cur, nil
				}
			}
		}
		out, updateTook, err := c.write(ctx, cur, next, d)
		if err != nil {
			return ResourceServer{}, err
		}
		if c.opts.DisableVerify {
			return out, nil
		}
		if err := sleep(ctx, settle(readTook, updateTook)); err != nil {
			return ResourceServer{}, err
		}
		if cur, readTook, err = c.read(ctx, din); err != nil {
			return ResourceServer{}, err
		}
	}
}

// maxSettle bounds the wait before a verifying Describe.
const maxSettle = 2 * time.Second

// settle returns how long to wait between an Update and the Describe that
// verifies it: twice as long as the Describe the Update was based on and
// the Update itself took, at most maxSettle.
//
// Another writer that read the resource server before this Update landed
// may have its own, stale, Update on the way, which takes about a
// Describe's answer and an Update's request to arrive. If it lands before
// the verifying Describe, verification sees the overwrite and writes the
// change again; if it lands after, the change is lost unseen. With 8
// Clients adding 96 scopes to one resource server together
// (TestConcurrentWriters), verifying at once lost 13% of the scopes,
// waiting once the round trips 0.4% to 1.7%, and waiting twice 0.08%
// (8 of 10,560).
func settle(readTook, updateTook time.Duration) time.Duration {
	return min(2*(readTook+updateTook), maxSettle)
}

// write sends the UpdateResourceServer that turns cur into next, after
// validating it and passing it through the guard, and returns how long the
// call took, without the wait for the rate limit. It is the only place
// that sends UpdateResourceServer.
func (c *Client) write(ctx context.Context, cur, next ResourceServer, d *delta) (ResourceServer, time.Duration, error) {
	in := next.updateInput()
	if err := validate.UpdateResourceServerInput(in); err != nil {
		return ResourceServer{}, 0, err
	}
	if err := guard(cur, in, d); err != nil {
		return ResourceServer{}, 0, err
	}
	if err := c.pace.wait(ctx, next.UserPoolID, write); err != nil {
		return ResourceServer{}, 0, err
	}
	sent := time.Now()
	out, err := c.api.UpdateResourceServer(ctx, in, c.callOpt...)
	took := time.Since(sent)
	if err != nil {
		return ResourceServer{}, took, rserrors.From(err)
	}
	if out == nil || out.ResourceServer == nil {
		return next, took, nil
	}
	return fromSDK(out.ResourceServer), took, nil
}
