package resourceserver

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Apply changes a resource server by ch, in one read-modify-write, and
// returns it as verified. Every helper ([Client.AddScopes],
// [Client.RemoveScopes], [Client.UpdateScopes], [Client.ClearScopes],
// [Client.Rename], [Client.Modify]) is Apply with a Change it builds.
//
// With the default [Options] it:
//
//  1. validates poolID, identifier and ch with Cognito's rules; bad input
//     gives a *rserrors.ValidationError and nothing is sent;
//  2. joins the queue of that resource server in this Client: changes
//     queued behind one in progress are coalesced into the next
//     read-modify-write, composed in arrival order (see below);
//  3. sends DescribeResourceServer; an answer without a resource server
//     or without a name is a *rserrors.InvalidResponseError, and nothing
//     more is sent;
//  4. applies ch to that state, a replace resolved into the names it
//     actually removes ([Change.Resolve]); if nothing changes (order alone
//     is no change) it returns here, having taken no lock; a result over
//     100 scopes gives a *rserrors.ValidationError;
//  5. takes Options.Locker, if set, and sends DescribeResourceServer
//     again under it, applying the resolved change to that state; the
//     rest runs under a context that ends if the lock is lost;
//  6. with Options.Grants, checks the app clients (see [GrantPolicy]);
//     then checks the full UpdateResourceServer input against Cognito's
//     rules and passes it through a guard that refuses, with a
//     *rserrors.UnsafeUpdateError, an input without a name or one that
//     drops a scope the change does not remove by name;
//  7. checks the Locker's lock once more, then sends UpdateResourceServer
//     with the full name and scope list (after a loss it sends nothing and
//     returns a *rserrors.LockLostError);
//  8. waits twice as long as that Describe and Update took (at most 2s),
//     so that another writer's Update already on its way lands first, then
//     sends DescribeResourceServer to verify that the change is in place;
//     if another writer overwrote it, waits Options.Backoff, reads again
//     (not when the backoff is 0), applies the resolved change to that
//     state and goes back to 6, up to Options.MaxAttempts writes, then
//     returns a *rserrors.ConflictError.
//
// Every request is paced per user pool and quota category, its own
// retries included (see [Options]). A change costs Describe alone when
// there is nothing to do, Describe + Update + Describe normally (one more
// Describe under a Locker), and one more Update + Describe (and a Describe
// after a backoff) per overwrite found.
//
// # Coalescing
//
// Changes to one resource server through one Client never overlap: while
// one read-modify-write runs, the others wait, and those that arrived by
// the time the next one has read the state share it: one Describe, one
// Update and one verification for all of them. Each caller's change is
// applied in arrival order to the state its predecessors left, and each
// caller gets the verified result, or its own error: a change that fails
// (a Modify function's error, a result over 100 scopes) fails only its
// caller, and a caller whose context ends before the Update is sent is
// left out of it.
//
// # What concurrent calls guarantee
//
// Without a Locker, each call is linearizable with the other calls of
// the same Client. Across Clients and processes, verification restores a
// change that another writer's stale Update overwrote, if that Update
// landed before the verifying Describe; one that lands after it still
// loses the change unseen. Verification re-applies only the resolved
// change, so it never deletes a scope that did not exist when the caller
// read, and it also restores a change that another writer's later call
// deliberately undid (last writer wins). Only a [Locker] shared by every
// writer excludes lost updates, and even then Cognito, which has no
// conditional write, cannot refuse an Update from a process that was
// paused between its last check of the lock and the send.
//
// With Options.Grants, an app client can be granted a scope by another
// process after the check read the holders and before the Update removes
// it. An appclient.Client with Options.Locker set to the same Locker
// takes this server's lock for such a grant, so the two exclude each
// other. Without a Locker, a removal under RefuseGrants or RevokeGrants
// reads the holders again once its Update is in place: a new holder is
// revoked (RevokeGrants) or reported in a *rserrors.GrantsError although
// the removal stands (RefuseGrants). A grant that lands after that second
// read is the window that remains: it is left dangling unseen.
//
// Errors, each in an *OpError naming the method: those above, a service
// error mapped by rserrors.From (rserrors.IsResourceServerNotFound for a
// missing server), the Locker's error, or the context's error, which can
// come after the Update took effect.
func (c *Client) Apply(ctx context.Context, poolID, identifier string, ch Change) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Apply", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	ch.check(&r)
	return c.change(ctx, "Apply", poolID, identifier, r.Err("Apply"), fixed(ch))
}

// checkTarget reports a bad pool ID or identifier under the names of the
// Client's parameters.
func checkTarget(r *validate.Report, poolID, identifier string) {
	r.UserPoolID("poolID", poolID).Identifier("identifier", identifier)
}

// fixed returns the plan of a change that does not depend on the state.
func fixed(ch Change) func(ResourceServer) (Change, error) {
	return func(ResourceServer) (Change, error) { return ch, nil }
}

// change validates (check is the result of validating the arguments),
// runs plan's change through the engine and wraps every error in an
// *OpError for op.
func (c *Client) change(ctx context.Context, op, poolID, identifier string, check error,
	plan func(ResourceServer) (Change, error)) (ResourceServer, error) {
	if check != nil {
		return ResourceServer{}, opError(op, poolID, identifier, check)
	}
	rs, err := c.engine.Do(ctx, engine.Key{Pool: poolID, ID: identifier}, func(cur ResourceServer) (opChange, error) {
		ch, err := plan(cur)
		return opChange{ch, op}, err
	})
	if err != nil {
		return ResourceServer{}, opError(op, poolID, identifier, err)
	}
	return rs.clone(), nil
}

// opChange is a Change and the method that made it, which names a
// result that breaks Cognito's rules.
type opChange struct {
	Change
	op string
}

// kind is what a resource server supplies to the engine.
type kind struct{ c *Client }

// Read sends DescribeResourceServer.
func (k kind) Read(ctx context.Context, key engine.Key) (ResourceServer, time.Duration, error) {
	return k.c.read(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(key.Pool), Identifier: aws.String(key.ID)})
}

// Apply applies ch resolved against rs, and refuses a result over
// validate.MaxScopes scopes.
func (kind) Apply(ch opChange, rs ResourceServer) (ResourceServer, opChange, error) {
	resolved := opChange{ch.Resolve(rs), ch.op}
	next := resolved.ApplyTo(rs)
	if err := checkResult(ch.op, next); err != nil {
		return ResourceServer{}, opChange{}, err
	}
	return next, resolved, nil
}

// Compose returns first then next, named for the Update they make.
func (kind) Compose(first, next opChange) opChange {
	return opChange{first.Then(next.Change), "UpdateResourceServer"}
}

// Same reports whether a and b have the same name and scopes.
func (kind) Same(a, b ResourceServer) bool { return same(a, b) }

// Write sends the UpdateResourceServer that turns cur into next, after
// validating it and passing it through the guard. It is the only place
// that sends UpdateResourceServer.
func (k kind) Write(ctx context.Context, cur, next ResourceServer, ch opChange) (ResourceServer, opChange, time.Duration, error) {
	in := next.updateInput()
	if err := validate.UpdateResourceServerInput(in); err != nil {
		return ResourceServer{}, ch, 0, err
	}
	if err := guard(cur, in, ch.Change); err != nil {
		return ResourceServer{}, ch, 0, err
	}
	out, took, err := send(ctx, k.c, next.UserPoolID, write, k.c.api.UpdateResourceServer, in)
	if err != nil {
		return ResourceServer{}, ch, took, err
	}
	if out == nil || out.ResourceServer == nil || aws.ToString(out.ResourceServer.Name) == "" {
		return next, ch, took, nil
	}
	return fromSDK(out.ResourceServer), ch, took, nil
}

// log writes one record about a resource server to Options.Logger.
func (c *Client) log(ctx context.Context, level slog.Level, msg, poolID, identifier string, attrs ...slog.Attr) {
	if c.opts.Logger == nil {
		return
	}
	engine.Log(ctx, c.opts.Logger, level, "resourceserver", msg,
		append([]slog.Attr{slog.String(engine.AttrPool, poolID), slog.String(engine.AttrIdentifier, identifier)}, attrs...)...)
}
