package resourceserver

import (
	"context"
	"iter"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/paceopt"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/wait"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Defaults of Options.
const (
	// DefaultMaxAttempts is how many times Apply writes a change when
	// verification keeps finding it overwritten.
	DefaultMaxAttempts = 5
	// DefaultRate is Cognito's per-pool quota, in requests per second, of
	// each category (UserPoolResourceRead and UserPoolResourceUpdate): the
	// ceiling of a deprecated rate option left at 0 beside one that is set.
	DefaultRate = 5
	// listPageSize is the MaxResults of each ListResourceServers page, the
	// most Cognito allows.
	listPageSize = 50
)

// Options configures a Client. The zero value is the default: adaptive
// pacing under Cognito's quotas through the process's shared Pacer,
// verification on, five attempts, no
// Locker, no app-client check, no logging.
type Options struct {
	// MaxAttempts bounds how many times Apply (and every helper) writes a
	// change when the verifying Describe finds it overwritten by another
	// writer; then it returns a *rserrors.ConflictError. Zero means
	// DefaultMaxAttempts; a negative value makes New panic. Each extra attempt costs a
	// Describe that re-reads the state after the backoff (none when
	// Backoff returns 0), an Update and a verifying Describe.
	MaxAttempts int

	// DisableVerify turns off the Describe that follows each Update, and
	// the wait before it (twice as long as the Describe and the Update
	// took, at most 2s). A change then costs Describe + Update, and a
	// change lost to another process's overlapping write goes unnoticed;
	// the returned value is what the Update returned.
	DisableVerify bool

	// Backoff returns how long to wait before the attempt-th rewrite
	// (attempt starts at 1) after verification found the change
	// overwritten. Nil means exponential backoff with full jitter: a random
	// delay up to 100ms×2^(attempt-1), capped at 2s. The wait ends early
	// when the context is done. After a wait longer than zero the Client
	// reads the resource server again before it writes, because the state
	// it verified is stale by then.
	Backoff func(attempt int) time.Duration

	// Locker, if set, is locked around each read-modify-write with the key
	// "cognito-idp/<user pool id>/<identifier>", after the Client's own
	// queue for that key; a lost lock stops the change before its next
	// Update. It costs no Cognito call.
	Locker Locker

	// Pacer spaces the Client's requests under Cognito's request-rate
	// quotas: the UserPoolResourceRead category (DescribeResourceServer,
	// ListResourceServers) and UserPoolResourceUpdate (Create, Update and
	// DeleteResourceServer), per user pool; see package pace. Nil means
	// pace.Default(), the Pacer that every Client of the process shares
	// unless told otherwise, so that together they stay within each
	// pool's quota. Give every Client that calls the same pools the same
	// Pacer.
	Pacer *pace.Pacer

	// ReadRate, when not 0, gives the Client a Pacer of its own, not
	// shared with other Clients, whose UserPoolResourceRead ceiling is
	// ReadRate requests per second to one user pool (and whose
	// UserPoolResourceUpdate ceiling is UpdateRate, or DefaultRate when
	// that is 0). 0 means the Pacer of the Pacer field. A negative,
	// infinite or NaN value makes New panic, as does a rate set together
	// with Pacer.
	//
	// Deprecated: set the ceilings on a pace.Pacer (pace.Config.Ceilings)
	// and pass it as Pacer, to every Client that calls the same pools.
	ReadRate float64

	// UpdateRate, when not 0, is the UserPoolResourceUpdate ceiling of a
	// Pacer of the Client's own, as for ReadRate.
	//
	// Deprecated: set the ceilings on a pace.Pacer and pass it as Pacer.
	UpdateRate float64

	// DisableRateLimit turns pacing off: requests are sent as soon as they
	// are made, whatever Pacer says. It is the only way to do so.
	DisableRateLimit bool

	// Logger, if set, receives one structured record per decision the
	// Client makes: a change found overwritten and written again, a
	// conflict, a throttle and the new rate, a pacing wait over a second,
	// a batch of coalesced changes. Nil is silent.
	Logger *slog.Logger

	// Grants, if set, makes every change check the app clients of the pool
	// before it removes a scope (RemoveScopes, UpdateScopes, ClearScopes,
	// Modify, Apply, Delete) or defines one again that app clients still
	// list as inactive (any change that adds a scope), and do what
	// GrantPolicy (or the Change's own policy, [Change.WithGrantPolicy])
	// says. Pass an *appclient.Client. The check costs what
	// GrantChecker.Holders costs (for appclient: one ListUserPoolClients
	// per 60 app clients and one DescribeUserPoolClient per app client)
	// for each change that removes or adds a scope. Nil: no check, as
	// Cognito does: removed scopes stay inactive on app clients, and
	// defining them again grants them again.
	Grants GrantChecker

	// GrantPolicy is what a change does about those app clients when
	// Grants is set and the Change has no policy of its own; the zero
	// value, RefuseGrants, refuses the change with a
	// *rserrors.GrantsError. Delete always follows it.
	GrantPolicy GrantPolicy

	// ClientOptions are appended to the options of every SDK call the
	// Client makes, after its own, to add middleware, tracing or a
	// retryer.
	ClientOptions []func(*cip.Options)

	// TracerProvider and MeterProvider trace and measure the Client's
	// work (docs/observability.md) when the API is not an SDK client, or
	// when its SDK client has none: an SDK client's own providers, set in
	// its Options, come first, so that the Client's spans nest with the
	// SDK's. Nil: none.
	TracerProvider tracing.TracerProvider
	MeterProvider  metrics.MeterProvider
}

// Client reads and changes Cognito resource servers without losing scopes:
// every change is a read-modify-write that sends the full name and scope
// list, is checked before it is sent, is serialized per resource server
// within the process, and is verified after it is sent. A Client is safe
// for concurrent use.
type Client struct {
	api    API
	opts   Options
	caller *engine.Caller // the pacer and Options.ClientOptions
	engine *engine.Engine[ResourceServer, opChange]
}

// New returns a Client that sends its requests through api, usually a
// *cognitoidentityprovider.Client, configured by optFns in order (a nil
// one is skipped). It sends nothing. Like every constructor of
// scopekeeper, it panics, with a message naming the option, on what no
// correct program passes: a nil api, a negative MaxAttempts, a ReadRate
// or UpdateRate that is negative, infinite or NaN, or either set together
// with Pacer.
func New(api API, optFns ...func(*Options)) *Client {
	engine.MustAPI("resourceserver", api)
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	p := paceopt.Pacer(paceopt.Options{
		Package: "resourceserver",
		Pacer:   o.Pacer,
		Rates: []paceopt.Rate{
			{Option: "ReadRate", Value: o.ReadRate, Categories: []pace.Category{read}},
			{Option: "UpdateRate", Value: o.UpdateRate, Categories: []pace.Category{write}},
		},
		Default: DefaultRate,
		Disable: o.DisableRateLimit,
		Logger:  o.Logger,
	})
	engine.MustNotNegative("resourceserver", "MaxAttempts", o.MaxAttempts)
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = wait.Backoff
	}
	c := &Client{api: api, opts: o, caller: engine.NewCaller(p, o.ClientOptions)}
	c.caller.Telemetry = telemetry.New(api, o.ClientOptions, o.TracerProvider, o.MeterProvider)
	eo := engine.Options[ResourceServer, opChange]{
		Pkg:           "resourceserver",
		IDAttr:        engine.AttrIdentifier,
		MaxAttempts:   o.MaxAttempts,
		Backoff:       o.Backoff,
		DisableVerify: o.DisableVerify,
		Logger:        o.Logger,
		Coalesce:      true,
		LockKeys:      func(k engine.Key, _ opChange) []string { return []string{lockKey(k.Pool, k.ID)} },
	}
	if o.Locker != nil {
		eo.Lock = lockFunc(o.Locker)
	}
	if o.Grants != nil {
		eo.Check = c.checkGrants
	}
	c.engine = engine.New[ResourceServer, opChange](kind{c}, eo)
	return c
}

// lockFunc adapts a Locker to the engine.
func lockFunc(l Locker) func(context.Context, string) (engine.Held, error) {
	return func(ctx context.Context, key string) (engine.Held, error) {
		held, err := l.Lock(ctx, key)
		if err != nil {
			return nil, err
		}
		return held, nil
	}
}

// Create sends one CreateResourceServer with rs's identifier, name and
// scopes, and returns the resource server Cognito created.
//
// rs is validated first; a *rserrors.ValidationError means nothing was
// sent. A LimitExceededException (the pool holds as many resource servers
// as its quota allows) is not retried and comes back as
// *rserrors.LimitExceededError; a taken identifier comes back as
// *rserrors.InvalidParameterError. Every error is an *OpError.
func (c *Client) Create(ctx context.Context, rs ResourceServer) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Create", rs.UserPoolID, rs.Identifier)
	defer func() { end(err) }()
	var r validate.Report
	r.UserPoolID("rs.UserPoolID", rs.UserPoolID).Identifier("rs.Identifier", rs.Identifier).Name("rs.Name", rs.Name)
	checkScopes(&r, "rs.Scopes", rs.Scopes)
	if err := r.Err("Create"); err != nil {
		return ResourceServer{}, opError("Create", rs.UserPoolID, rs.Identifier, err)
	}
	created, err := c.create(ctx, rs)
	return created, opError("Create", rs.UserPoolID, rs.Identifier, err)
}

// create sends one CreateResourceServer for rs, already validated.
func (c *Client) create(ctx context.Context, rs ResourceServer) (ResourceServer, error) {
	in := &cip.CreateResourceServerInput{
		UserPoolId: aws.String(rs.UserPoolID),
		Identifier: aws.String(rs.Identifier),
		Name:       aws.String(rs.Name),
	}
	if len(rs.Scopes) > 0 {
		in.Scopes = sdkScopes(rs.Scopes)
	}
	out, _, err := send(ctx, c, rs.UserPoolID, write, c.api.CreateResourceServer, in)
	if err != nil {
		return ResourceServer{}, err
	}
	if out == nil || out.ResourceServer == nil || out.ResourceServer.Name == nil {
		return rs.clone(), nil
	}
	return fromSDK(out.ResourceServer), nil
}

// Get sends one DescribeResourceServer and returns the resource server.
//
// Invalid arguments give a *rserrors.ValidationError and nothing is sent;
// a missing user pool or resource server gives a
// *rserrors.ResourceNotFoundError (rserrors.IsNotFound). Every error is an
// *OpError.
func (c *Client) Get(ctx context.Context, poolID, identifier string) (_ ResourceServer, err error) {
	ctx, end := c.start(ctx, "resourceserver.Get", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	if err := r.Err("Get"); err != nil {
		return ResourceServer{}, opError("Get", poolID, identifier, err)
	}
	in := &cip.DescribeResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	rs, _, err := c.read(ctx, in)
	return rs, opError("Get", poolID, identifier, err)
}

// read sends one DescribeResourceServer of an input already validated,
// and returns how long the call took, without the wait for the rate
// limit. An answer without a resource server or without a name is a
// *rserrors.InvalidResponseError: a state read from it would make an
// Update delete every scope.
func (c *Client) read(ctx context.Context, in *cip.DescribeResourceServerInput) (ResourceServer, time.Duration, error) {
	out, took, err := send(ctx, c, aws.ToString(in.UserPoolId), read, c.api.DescribeResourceServer, in)
	if err != nil {
		return ResourceServer{}, took, err
	}
	switch {
	case out == nil || out.ResourceServer == nil:
		return ResourceServer{}, took, &rserrors.InvalidResponseError{Operation: "DescribeResourceServer", Detail: "no resource server in a successful answer"}
	case aws.ToString(out.ResourceServer.Name) == "":
		return ResourceServer{}, took, &rserrors.InvalidResponseError{Operation: "DescribeResourceServer", Detail: "the resource server has no name"}
	}
	rs := fromSDK(out.ResourceServer)
	// The server is the one asked for, whatever the answer says: an Update
	// built from this state must go to the pool and identifier the caller
	// named.
	rs.UserPoolID, rs.Identifier = aws.ToString(in.UserPoolId), aws.ToString(in.Identifier)
	return rs, took, nil
}

// Delete sends one DeleteResourceServer. App clients that allow the
// resource server's scopes keep them as inactive scopes, and creating the
// resource server again re-grants them.
//
// Invalid arguments give a *rserrors.ValidationError and nothing is sent;
// a missing user pool or resource server gives a
// *rserrors.ResourceNotFoundError. Every error is an *OpError.
func (c *Client) Delete(ctx context.Context, poolID, identifier string) (err error) {
	ctx, end := c.start(ctx, "resourceserver.Delete", poolID, identifier)
	defer func() { end(err) }()
	var r validate.Report
	checkTarget(&r, poolID, identifier)
	if err := r.Err("Delete"); err != nil {
		return opError("Delete", poolID, identifier, err)
	}
	if err := c.deleteGrants(ctx, poolID, identifier); err != nil {
		return opError("Delete", poolID, identifier, err)
	}
	in := &cip.DeleteResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	_, _, err = send(ctx, c, poolID, write, c.api.DeleteResourceServer, in)
	return opError("Delete", poolID, identifier, err)
}

// List returns an iterator over every resource server of the user pool,
// sending one ListResourceServers per page of up to 50 as the loop asks
// ListResourceServersPaginator) as the loop asks for more. Breaking out of
// the loop sends no further request.
//
// On an error the iterator yields it once, with a zero ResourceServer, and
// stops: a *rserrors.ValidationError for an invalid pool ID (nothing
// sent), a *rserrors.ResourceNotFoundError for a missing pool, or the
// context's error; each is an *OpError.
func (c *Client) List(ctx context.Context, poolID string) iter.Seq2[ResourceServer, error] {
	return func(yield func(ResourceServer, error) bool) {
		ctx, end := c.start(ctx, "resourceserver.List", poolID, "")
		var failed error
		defer func() { end(failed) }()
		fail := func(err error) {
			failed = err
			yield(ResourceServer{}, opError("List", poolID, "", err))
		}
		var r validate.Report
		if err := r.UserPoolID("poolID", poolID).Err("List"); err != nil {
			fail(err)
			return
		}
		in := &cip.ListResourceServersInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(listPageSize)}
		for {
			out, _, err := send(ctx, c, poolID, read, c.api.ListResourceServers, in)
			if err != nil {
				fail(err)
				return
			}
			if out == nil {
				return
			}
			for i := range out.ResourceServers {
				if !yield(fromSDK(&out.ResourceServers[i]), nil) {
					return
				}
			}
			// A missing, empty or repeated token ends the list, as the
			// SDK's paginator with StopOnDuplicateToken does.
			next := aws.ToString(out.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				return
			}
			in.NextToken = aws.String(next)
		}
	}
}
