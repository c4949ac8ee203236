package resourceserver

import (
	"context"
	"iter"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Defaults of Options.
const (
	// DefaultMaxAttempts is how many times a scope helper writes its change
	// when verification keeps finding it overwritten.
	DefaultMaxAttempts = 5
	// DefaultRate is Cognito's per-pool quota, in requests per second, of
	// each category (UserPoolResourceRead and UserPoolResourceUpdate).
	DefaultRate = 5
	// listPageSize is the MaxResults of each ListResourceServers page, the
	// most Cognito allows.
	listPageSize = 50
)

// Options configures a Client. The zero value is the default: rate limits
// at Cognito's quotas, verification on, five attempts, no Locker.
type Options struct {
	// MaxAttempts bounds how many times Modify and the scope helpers write
	// their change when the verifying Describe finds it overwritten by
	// another writer; then they return a *rserrors.ConflictError. Values
	// below 1 mean DefaultMaxAttempts. Each extra attempt costs a
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
	// in-process lock for that key. It costs no Cognito call.
	Locker Locker

	// ReadRate is the most DescribeResourceServer and ListResourceServers
	// requests per second that the Client sends to one user pool, with a
	// burst of 1. Zero (or NaN) means DefaultRate; a negative value means
	// no limit.
	ReadRate float64

	// UpdateRate is the most CreateResourceServer, UpdateResourceServer and
	// DeleteResourceServer requests per second that the Client sends to one
	// user pool, with a burst of 1. Zero (or NaN) means DefaultRate; a
	// negative value means no limit.
	UpdateRate float64

	// DisableRateLimit turns off both rate limits, as negative ReadRate
	// and UpdateRate do.
	DisableRateLimit bool
}

// Client reads and changes Cognito resource servers without losing scopes:
// every change is a read-modify-write that sends the full name and scope
// list, is checked before it is sent, is serialized per resource server
// within the process, and is verified after it is sent. A Client is safe
// for concurrent use.
type Client struct {
	api     API
	opts    Options
	keys    *keyLocks
	pace    *pacer
	callOpt []func(*cip.Options)
}

// New returns a Client that sends its requests through api, usually a
// *cognitoidentityprovider.Client, configured by optFns in order (a nil
// one is skipped). It sends nothing.
func New(api API, optFns ...func(*Options)) *Client {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.MaxAttempts < 1 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = defaultBackoff
	}
	return &Client{
		api:     api,
		opts:    o,
		keys:    newKeyLocks(),
		pace:    newPacer(o),
		callOpt: []func(*cip.Options){withoutQuotaRetries},
	}
}

func defaultBackoff(attempt int) time.Duration {
	const base, ceiling = 100 * time.Millisecond, 2 * time.Second
	d := ceiling
	if attempt < 6 {
		d = min(base<<(attempt-1), ceiling)
	}
	return rand.N(d + 1)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
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
func (c *Client) Create(ctx context.Context, rs ResourceServer) (ResourceServer, error) {
	in := &cip.CreateResourceServerInput{
		UserPoolId: aws.String(rs.UserPoolID),
		Identifier: aws.String(rs.Identifier),
		Name:       aws.String(rs.Name),
	}
	if len(rs.Scopes) > 0 {
		in.Scopes = sdkScopes(rs.Scopes)
	}
	fail := func(err error) (ResourceServer, error) {
		return ResourceServer{}, opError("Create", rs.UserPoolID, rs.Identifier, err)
	}
	if err := validate.CreateResourceServerInput(in); err != nil {
		return fail(err)
	}
	if err := c.pace.wait(ctx, rs.UserPoolID, write); err != nil {
		return fail(err)
	}
	out, err := c.api.CreateResourceServer(ctx, in, c.callOpt...)
	if err != nil {
		return fail(rserrors.From(err))
	}
	if out == nil || out.ResourceServer == nil {
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
func (c *Client) Get(ctx context.Context, poolID, identifier string) (ResourceServer, error) {
	in := &cip.DescribeResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	if err := validate.DescribeResourceServerInput(in); err != nil {
		return ResourceServer{}, opError("Get", poolID, identifier, err)
	}
	rs, err := c.describe(ctx, in)
	return rs, opError("Get", poolID, identifier, err)
}

// describe sends one paced DescribeResourceServer of an input already
// validated.
func (c *Client) describe(ctx context.Context, in *cip.DescribeResourceServerInput) (ResourceServer, error) {
	rs, _, err := c.read(ctx, in)
	return rs, err
}

// read is describe that also returns how long the call took, without the
// wait for the rate limit.
func (c *Client) read(ctx context.Context, in *cip.DescribeResourceServerInput) (ResourceServer, time.Duration, error) {
	if err := c.pace.wait(ctx, aws.ToString(in.UserPoolId), read); err != nil {
		return ResourceServer{}, 0, err
	}
	sent := time.Now()
	out, err := c.api.DescribeResourceServer(ctx, in, c.callOpt...)
	took := time.Since(sent)
	if err != nil {
		return ResourceServer{}, took, rserrors.From(err)
	}
	var rs ResourceServer
	if out != nil {
		rs = fromSDK(out.ResourceServer)
	}
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
func (c *Client) Delete(ctx context.Context, poolID, identifier string) error {
	in := &cip.DeleteResourceServerInput{UserPoolId: aws.String(poolID), Identifier: aws.String(identifier)}
	if err := validate.DeleteResourceServerInput(in); err != nil {
		return opError("Delete", poolID, identifier, err)
	}
	if err := c.pace.wait(ctx, poolID, write); err != nil {
		return opError("Delete", poolID, identifier, err)
	}
	_, err := c.api.DeleteResourceServer(ctx, in, c.callOpt...)
	return opError("Delete", poolID, identifier, rserrors.From(err))
}

// List returns an iterator over every resource server of the user pool,
// sending one ListResourceServers per page of up to 50 (through the SDK's
// ListResourceServersPaginator) as the loop asks for more. Breaking out of
// the loop sends no further request.
//
// On an error the iterator yields it once, with a zero ResourceServer, and
// stops: a *rserrors.ValidationError for an invalid pool ID (nothing
// sent), a *rserrors.ResourceNotFoundError for a missing pool, or the
// context's error; each is an *OpError.
func (c *Client) List(ctx context.Context, poolID string) iter.Seq2[ResourceServer, error] {
	return func(yield func(ResourceServer, error) bool) {
		fail := func(err error) { yield(ResourceServer{}, opError("List", poolID, "", err)) }
		in := &cip.ListResourceServersInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(listPageSize)}
		if err := validate.ListResourceServersInput(in); err != nil {
			fail(err)
			return
		}
		p := cip.NewListResourceServersPaginator(nilSafeLister{c.api}, in, func(o *cip.ListResourceServersPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
		for p.HasMorePages() {
			if err := c.pace.wait(ctx, poolID, read); err != nil {
				fail(err)
				return
			}
			out, err := p.NextPage(ctx, c.callOpt...)
			if err != nil {
				fail(rserrors.From(err))
				return
			}
			for i := range out.ResourceServers {
				if !yield(fromSDK(&out.ResourceServers[i]), nil) {
					return
				}
			}
		}
	}
}

// nilSafeLister hands the SDK's paginator an empty page where an API (a
// fake, typically) answers ListResourceServers with neither output nor
// error, which the paginator would dereference.
type nilSafeLister struct{ api API }

// ListResourceServers calls the API and turns a nil output into an empty
// last page.
func (l nilSafeLister) ListResourceServers(ctx context.Context, in *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	out, err := l.api.ListResourceServers(ctx, in, optFns...)
	if out == nil && err == nil {
		out = &cip.ListResourceServersOutput{}
	}
	return out, err
}
