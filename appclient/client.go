package appclient

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	"github.com/scopekeeper/scopekeeper/internal/engine"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/wait"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Defaults of Options.
const (
	// DefaultMaxAttempts is how many times Modify and the scope helpers
	// write their change when verification keeps finding it overwritten.
	DefaultMaxAttempts = 5
	// DefaultRate is Cognito's per-pool quota, in requests per second, of
	// each category (UserPoolClientRead, UserPoolClientUpdate,
	// UserPoolResourceRead): the ceiling of a deprecated rate option left
	// at 0 beside one that is set.
	DefaultRate = 5
	// DefaultParallelism is how many DescribeUserPoolClient requests Grants
	// and Holders keep in flight.
	DefaultParallelism = 4
	// MaxScopes is the most scopes one app client may allow.
	MaxScopes = 50
	// listClientsPageSize and listServersPageSize are the largest
	// MaxResults that ListUserPoolClients and ListResourceServers accept.
	listClientsPageSize = 60
	listServersPageSize = 50
)

// Options configures a Client. The zero value is the default: silent,
// adaptive pacing under Cognito's quotas through the process's shared
// Pacer, verification on, five attempts.
type Options struct {
	// Logger receives one structured record per decision (an app client
	// left unchanged, an update sent, an overwrite found, an update or a
	// grant refused, a pool scanned). Nil is silent.
	Logger *slog.Logger

	// ClientOptions are appended to the options of every SDK call.
	ClientOptions []func(*cip.Options)

	// MaxAttempts bounds how many times Modify and the scope helpers write
	// their change when the verifying Describe finds it overwritten by
	// another writer (or Cognito answers ConcurrentModificationException);
	// then they return a *rserrors.ConflictError whose Identifier is the
	// client ID. Zero means DefaultMaxAttempts; a negative value makes New
	// panic.
	MaxAttempts int

	// DisableVerify turns off the DescribeUserPoolClient that follows each
	// update, and the wait before it. A change then costs Describe + Update
	// and a change lost to an overlapping writer goes unnoticed.
	DisableVerify bool

	// Backoff returns how long to wait before the attempt-th rewrite
	// (attempt starts at 1). Nil means a random delay up to
	// 100ms×2^(attempt-1), capped at 2s. After a wait longer than zero the
	// app client is read again before it is written.
	Backoff func(attempt int) time.Duration

	// Pacer spaces the Client's requests under Cognito's request-rate
	// quotas: UserPoolClientRead (DescribeUserPoolClient,
	// ListUserPoolClients), UserPoolClientUpdate (UpdateUserPoolClient) and
	// UserPoolResourceRead (DescribeResourceServer, ListResourceServers),
	// per user pool; see package pace. Nil means pace.Default(), the Pacer
	// that every Client of the process shares unless told otherwise, so
	// that this Client and a resourceserver.Client on the same pool
	// together stay within the resource-server read quota. Give every
	// Client that calls the same pools the same Pacer.
	Pacer *pace.Pacer

	// ReadRate, when not 0, gives the Client a Pacer of its own, not
	// shared with other Clients, whose ceiling of each read category
	// (UserPoolClientRead and, separately, UserPoolResourceRead) is
	// ReadRate requests per second to one user pool (and whose
	// UserPoolClientUpdate ceiling is UpdateRate, or DefaultRate when that
	// is 0). 0 means the Pacer of the Pacer field. A negative, infinite or
	// NaN value makes New panic, as does a rate set together with Pacer.
	//
	// Deprecated: set the ceilings on a pace.Pacer (pace.Config.Ceilings)
	// and pass it as Pacer, to every Client that calls the same pools.
	ReadRate float64

	// UpdateRate, when not 0, is the UserPoolClientUpdate ceiling of a
	// Pacer of the Client's own, as for ReadRate.
	//
	// Deprecated: set the ceilings on a pace.Pacer and pass it as Pacer.
	UpdateRate float64

	// DisableRateLimit turns pacing off, and with it the retries of
	// throttles beyond those of the SDK client's retryer, whatever Pacer
	// says. It is the only way to do so.
	DisableRateLimit bool

	// Parallelism is how many DescribeUserPoolClient requests Grants and
	// Holders keep in flight. Zero means DefaultParallelism; a negative
	// value makes New panic. The rate limit still applies: it only hides
	// each request's latency.
	Parallelism int

	// Locker, if set, is taken around each change that grants or revokes
	// a custom scope: the lock of that scope's resource server, key
	// "cognito-idp/<user pool id>/<identifier>" (one per identifier, in
	// order), the key a resourceserver.Client takes for that server. A
	// grant and a removal of the scope under resourceserver's
	// Options.Grants then exclude each other across processes, when both
	// Clients share the Locker. A change with nothing to write, or that
	// touches no custom scope, takes no lock.
	Locker resourceserver.Locker

	// TracerProvider and MeterProvider trace and measure the Client's
	// work (docs/observability.md) when the API is not an SDK client, or
	// when its SDK client has none: an SDK client's own providers, set in
	// its Options, come first, so that the Client's spans nest with the
	// SDK's. Nil: none.
	TracerProvider tracing.TracerProvider
	MeterProvider  metrics.MeterProvider

	// Progress, if set, is called as the scans of Grants and Holders go:
	// once when the listing has found the app clients, then after each
	// one is read (see [Progress]). Calls of one scan do not overlap;
	// those of concurrent scans may. [WithProgress] follows a single call.
	Progress func(Progress)
}

// Client reads and changes Cognito app clients without resetting what it
// was not asked to change; see [Client.Modify]. A Client is safe for
// concurrent use; changes to one app client through one Client run one at
// a time.
type Client struct {
	api    API
	opts   Options
	caller *engine.Caller // the pacer and Options.ClientOptions
	engine *engine.Engine[state, *delta]
}

// New returns a Client that sends its requests through api, usually a
// *cognitoidentityprovider.Client, configured by optFns in order (a nil
// one is skipped). It sends nothing. It panics, as resourceserver.New
// does, with a message naming the option, on a nil api, a negative
// MaxAttempts or Parallelism, a ReadRate or UpdateRate that is negative,
// infinite or NaN, or either set together with Pacer.
func New(api API, optFns ...func(*Options)) *Client {
	engine.MustAPI("appclient", api)
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	engine.MustNotNegative("appclient", "MaxAttempts", o.MaxAttempts)
	engine.MustNotNegative("appclient", "Parallelism", o.Parallelism)
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = wait.Backoff
	}
	if o.Parallelism == 0 {
		o.Parallelism = DefaultParallelism
	}
	c := &Client{api: api, opts: o, caller: engine.NewCaller(newPacer(o), o.ClientOptions)}
	c.caller.Telemetry = telemetry.New(api, o.ClientOptions, o.TracerProvider, o.MeterProvider)
	eo := engine.Options[state, *delta]{
		Pkg:           "appclient",
		IDAttr:        engine.AttrClientID,
		MaxAttempts:   o.MaxAttempts,
		Backoff:       o.Backoff,
		DisableVerify: o.DisableVerify,
		Logger:        o.Logger,
		LockKeys:      scopeLockKeys,
	}
	if o.Locker != nil {
		eo.Lock = func(ctx context.Context, key string) (engine.Held, error) {
			held, err := o.Locker.Lock(ctx, key)
			if err != nil {
				return nil, err
			}
			return held, nil
		}
	}
	c.engine = engine.New[state, *delta](kind{c}, eo)
	return c
}

// send makes one SDK call for pool in quota category cat through the one
// call path, [engine.Send], and wraps a ScopeDoesNotExistException in a
// *ScopeNotFoundError.
func send[In, Out any](ctx context.Context, c *Client, pool string, cat pace.Category,
	call func(context.Context, In, ...func(*cip.Options)) (Out, error), in In) (Out, time.Duration, error) {
	out, took, err := engine.Send(ctx, c.caller, pool, cat, call, in)
	return out, took, from(pool, err)
}

// log writes one record to Options.Logger.
func (c *Client) log(ctx context.Context, level slog.Level, msg, poolID, clientID string, attrs ...slog.Attr) {
	if c.opts.Logger == nil {
		return
	}
	head := []slog.Attr{slog.String(engine.AttrPool, poolID)}
	if clientID != "" {
		head = append(head, slog.String(engine.AttrClientID, clientID))
	}
	engine.Log(ctx, c.opts.Logger, level, "appclient", msg, append(head, attrs...)...)
}

// checkIDs reports a bad user pool ID or app client ID under the names of
// the Client's parameters, "poolID" and "clientID".
func checkIDs(r *validate.Report, poolID, clientID string) {
	r.UserPoolID("poolID", poolID)
	checkClientID(r, "clientID", clientID)
}

// checkClientID reports, at the path at, an app client ID that breaks
// Cognito's rules for ClientId: 1 to 128 characters matching [\w+]+.
func checkClientID(r *validate.Report, at, id string) {
	r.Chars(at, id, 128, `[\w+]+`, func(c rune) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '+'
	})
}

// errNoClient is the cause when DescribeUserPoolClient answers without an
// app client: writing back such a state would reset every field.
var errNoClient = errors.New("DescribeUserPoolClient answered without an app client")

// Get sends one DescribeUserPoolClient and returns the app client.
//
// Invalid IDs give a *rserrors.ValidationError (paths "poolID" and
// "clientID", Operation "Get") and nothing is sent; a missing user pool or
// app client gives a *rserrors.ResourceNotFoundError (rserrors.IsNotFound).
// Every error is an *OpError.
func (c *Client) Get(ctx context.Context, poolID, clientID string) (_ AppClient, err error) {
	ctx, end := c.start(ctx, "appclient.Get", poolID, clientID)
	defer func() { end(err) }()
	var r validate.Report
	checkIDs(&r, poolID, clientID)
	if err := r.Err("Get"); err != nil {
		return AppClient{}, opError("Get", poolID, clientID, err)
	}
	s, _, err := c.read(ctx, poolID, clientID)
	return s.app, opError("Get", poolID, clientID, err)
}

// state is an app client as DescribeUserPoolClient returned it, raw, and as
// a plain value.
type state struct {
	raw *types.UserPoolClientType
	app AppClient
}

// read sends one DescribeUserPoolClient and returns the app client and
// how long the call took on the wire.
func (c *Client) read(ctx context.Context, poolID, clientID string) (state, time.Duration, error) {
	out, took, err := send(ctx, c, poolID, pace.ClientRead, c.api.DescribeUserPoolClient, &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
	})
	if err != nil {
		return state{}, took, err
	}
	if out == nil || out.UserPoolClient == nil {
		return state{}, took, errNoClient
	}
	s := state{raw: out.UserPoolClient, app: fromSDK(out.UserPoolClient)}
	// The app client is the one asked for, whatever the answer says: an
	// update built from this state must go to it.
	s.app.UserPoolID, s.app.ClientID = poolID, clientID
	return s, took, nil
}
