package appclient

import (
	"cmp"
	"context"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/validate"
)

// ClientRef names an app client.
type ClientRef struct {
	// ID is the app client's ID.
	ID string
	// Name is its name.
	Name string
}

// ScopeGrant is one scope and the app clients that allow it.
type ScopeGrant struct {
	// Scope is the scope as app clients list it: a standard scope or
	// "<identifier>/<scope name>".
	Scope string
	// Inactive is true for a custom scope that no resource server of the
	// pool defines any more: Cognito leaves it out of tokens, and defining
	// it again grants it to Clients again.
	Inactive bool
	// Clients lists the app clients whose AllowedOAuthScopes hold the
	// scope, by ID.
	Clients []ClientRef
}

// Grants is who holds which scope in one user pool.
type Grants struct {
	// UserPoolID is the user pool.
	UserPoolID string
	// Scopes lists every scope that at least one app client allows, by
	// Scope.
	Scopes []ScopeGrant
	// AppClients is how many app clients were read.
	AppClients int
}

// Inactive returns the inactive scopes of g, in order.
func (g Grants) Inactive() []string {
	var out []string
	for _, s := range g.Scopes {
		if s.Inactive {
			out = append(out, s.Scope)
		}
	}
	return out
}

// Holders returns the app clients that allow scope; nil when none does.
func (g Grants) Holders(scope string) []ClientRef {
	i, ok := slices.BinarySearchFunc(g.Scopes, scope, func(s ScopeGrant, t string) int { return cmp.Compare(s.Scope, t) })
	if !ok {
		return nil
	}
	return g.Scopes[i].Clients
}

// Grants reads which app clients of a user pool allow which scopes, and
// which of those scopes are inactive. It sends one ListResourceServers per
// 50 resource servers (UserPoolResourceRead), one ListUserPoolClients per 60
// app clients and one DescribeUserPoolClient per app client (both
// UserPoolClientRead), each waiting for its category's rate limit, with up
// to Options.Parallelism Describes in flight. At the default rate of 5 per
// second, 1,000 app clients take about (17 + 1,000) / 5 ≈ 203 seconds, a
// few percent more in practice (BenchmarkGrants measures the ratio). An
// app client deleted between the List and its Describe is left out. The
// result is a snapshot: the pool may change while it is read.
//
// Errors, each in an *OpError: a *rserrors.ValidationError for an invalid
// pool ID (path "poolID"; nothing sent); a service error mapped by rserrors.From, such as
// *rserrors.ResourceNotFoundError for a missing pool; the context's error,
// which stops the scan at once.
func (c *Client) Grants(ctx context.Context, poolID string) (_ Grants, err error) {
	ctx, end := c.start(ctx, "appclient.Grants", poolID, "")
	defer func() { end(err) }()
	var r validate.Report
	if err := r.UserPoolID("poolID", poolID).Err("Grants"); err != nil {
		return Grants{}, opError("Grants", poolID, "", err)
	}
	started := time.Now()
	defined, err := c.definedScopes(ctx, poolID)
	if err != nil {
		return Grants{}, opError("Grants", poolID, "", err)
	}
	clients, calls, err := c.scan(ctx, poolID, started)
	if err != nil {
		return Grants{}, opError("Grants", poolID, "", err)
	}
	byScope := make(map[string][]ClientRef)
	for _, a := range clients {
		for _, s := range a.AllowedOAuthScopes {
			refs := byScope[s]
			if !slices.ContainsFunc(refs, func(r ClientRef) bool { return r.ID == a.ClientID }) {
				byScope[s] = append(refs, ClientRef{ID: a.ClientID, Name: a.ClientName})
			}
		}
	}
	g := Grants{UserPoolID: poolID, AppClients: len(clients)}
	for s, refs := range byScope {
		slices.SortFunc(refs, func(a, b ClientRef) int { return cmp.Compare(a.ID, b.ID) })
		g.Scopes = append(g.Scopes, ScopeGrant{Scope: s, Inactive: !IsStandard(s) && !defined[s], Clients: refs})
	}
	slices.SortFunc(g.Scopes, func(a, b ScopeGrant) int { return cmp.Compare(a.Scope, b.Scope) })
	c.log(ctx, slog.LevelInfo, "grants read", poolID, "",
		slog.Int("appClients", len(clients)), slog.Int("scopes", len(g.Scopes)), slog.Int("inactive", len(g.Inactive())),
		slog.Int("clientReads", calls), slog.Duration("took", time.Since(started)))
	return g, nil
}

// Holders returns, for each of scopes ("<identifier>/<name>" or a standard
// scope), the IDs of the app clients of the pool that list it, active or
// not, sorted; a scope no app client lists is absent from the map. It
// sends one ListUserPoolClients per 60 app clients and one
// DescribeUserPoolClient per app client, paced as for [Client.Grants].
//
// It is one half of the seam that lets a resource-server client check
// grants without importing this package. Errors, each in an *OpError: a
// *rserrors.ValidationError for an invalid pool ID or scope (paths
// "poolID", "scopes[i]"; nothing sent); a service error mapped by
// rserrors.From; the context's error.
// An empty scopes sends nothing and returns an empty map.
func (c *Client) Holders(ctx context.Context, poolID string, scopes []string) (_ map[string][]string, err error) {
	ctx, end := c.start(ctx, "appclient.Holders", poolID, "")
	defer func() { end(err) }()
	var r validate.Report
	r.UserPoolID("poolID", poolID)
	for i, s := range scopes {
		checkScope(&r, "scopes["+strconv.Itoa(i)+"]", s)
	}
	if err := r.Err("Holders"); err != nil {
		return nil, opError("Holders", poolID, "", err)
	}
	if len(scopes) == 0 {
		return map[string][]string{}, nil
	}
	clients, _, err := c.scan(ctx, poolID, time.Now())
	if err != nil {
		return nil, opError("Holders", poolID, "", err)
	}
	out := make(map[string][]string)
	for _, a := range clients {
		for _, s := range scopes {
			if slices.Contains(a.AllowedOAuthScopes, s) && !slices.Contains(out[s], a.ClientID) {
				out[s] = append(out[s], a.ClientID)
			}
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	c.log(ctx, slog.LevelInfo, "holders read", poolID, "",
		slog.Int("appClients", len(clients)), slog.Int("scopesHeld", len(out)))
	return out, nil
}

// Revoke removes scope from the AllowedOAuthScopes of each of clientIDs, in
// order, with [Client.RevokeScopes] (one read-modify-write each). It is the
// other half of the seam, used for a cascade. Its arguments are validated
// first, and any violation is an *OpError of Revoke holding a
// *rserrors.ValidationError (paths "poolID", "scope", "clientIDs[i]") with
// nothing sent. Otherwise it stops at the first error, an *OpError of
// RevokeScopes (a client deleted since it was listed gives a
// *rserrors.ResourceNotFoundError); the app clients before it keep their
// revocation, and calling Revoke again is safe.
func (c *Client) Revoke(ctx context.Context, poolID, scope string, clientIDs []string) (err error) {
	ctx, end := c.start(ctx, "appclient.Revoke", poolID, "")
	defer func() { end(err) }()
	var r validate.Report
	r.UserPoolID("poolID", poolID)
	checkScope(&r, "scope", scope)
	for i, id := range clientIDs {
		checkClientID(&r, "clientIDs["+strconv.Itoa(i)+"]", id)
	}
	if err := r.Err("Revoke"); err != nil {
		return opError("Revoke", poolID, "", err)
	}
	for _, id := range clientIDs {
		if _, err := c.RevokeScopes(ctx, poolID, id, scope); err != nil {
			return err
		}
	}
	return nil
}

// definedScopes returns every scope the pool's resource servers define,
// "<identifier>/<name>", sending one ListResourceServers per 50.
func (c *Client) definedScopes(ctx context.Context, poolID string) (map[string]bool, error) {
	in := &cip.ListResourceServersInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(listServersPageSize)}
	defined := make(map[string]bool)
	for {
		out, _, err := send(ctx, c, poolID, pace.ResourceRead, c.api.ListResourceServers, in)
		if err != nil {
			return nil, err
		}
		if out == nil {
			return defined, nil
		}
		for _, rs := range out.ResourceServers {
			for _, s := range rs.Scopes {
				defined[aws.ToString(rs.Identifier)+"/"+aws.ToString(s.ScopeName)] = true
			}
		}
		page := *in // a new input per page: the API may keep the one it got
		if !nextToken(&page.NextToken, out.NextToken) {
			return defined, nil
		}
		in = &page
	}
}

// List yields the app clients of a user pool, by ID and name, in the
// order Cognito lists them, each once. It sends one ListUserPoolClients
// per 60 app clients (MaxResults 60, following NextToken), each waiting for
// the UserPoolClientRead rate limit, and no DescribeUserPoolClient: it is
// the cheap way to find an app client by name, or to name the IDs that
// [Client.Holders] returns. A page is requested only when the loop asks
// for more; a missing, empty or repeated NextToken ends the list.
//
// On failure it yields one error, an *OpError, and stops: a
// *rserrors.ValidationError for an invalid pool ID (path "poolID"; nothing
// sent); a
// service error mapped by rserrors.From, such as
// *rserrors.ResourceNotFoundError for a missing pool; the context's error.
func (c *Client) List(ctx context.Context, poolID string) iter.Seq2[ClientRef, error] {
	return func(yield func(ClientRef, error) bool) {
		ctx, end := c.start(ctx, "appclient.List", poolID, "")
		var err error
		defer func() { end(err) }()
		var r validate.Report
		if err = r.UserPoolID("poolID", poolID).Err("List"); err != nil {
			yield(ClientRef{}, opError("List", poolID, "", err))
			return
		}
		if _, err = c.list(ctx, poolID, func(r ClientRef) bool { return yield(r, nil) }); err != nil {
			yield(ClientRef{}, opError("List", poolID, "", err))
		}
	}
}

// list sends ListUserPoolClients pages of 60 for pool and calls each with
// every app client not seen before, until each returns false or the list
// ends. It returns the number of calls sent.
func (c *Client) list(ctx context.Context, poolID string, each func(ClientRef) bool) (int, error) {
	in := &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(listClientsPageSize)}
	seen := make(map[string]bool)
	calls := 0
	for {
		if err := ctx.Err(); err != nil {
			return calls, err
		}
		out, _, err := send(ctx, c, poolID, pace.ClientRead, c.api.ListUserPoolClients, in)
		calls++
		if err != nil {
			return calls, err
		}
		if out == nil {
			return calls, nil
		}
		for _, d := range out.UserPoolClients {
			id := aws.ToString(d.ClientId)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if !each(ClientRef{ID: id, Name: aws.ToString(d.ClientName)}) {
				return calls, nil
			}
		}
		page := *in // a new input per page: the API may keep the one it got
		if !nextToken(&page.NextToken, out.NextToken) {
			return calls, nil
		}
		in = &page
	}
}

// nextToken moves *token to next and reports whether there is a next
// page: a missing, empty or repeated token ends the list, as the SDK's
// paginators with StopOnDuplicateToken do.
func nextToken(token **string, next *string) bool {
	n := aws.ToString(next)
	if n == "" || n == aws.ToString(*token) {
		return false
	}
	*token = aws.String(n)
	return true
}

// scan reads every app client of the pool: ListUserPoolClients pages of 60
// ([Client.List]), then one DescribeUserPoolClient per app client with up
// to Options.Parallelism in flight, reporting its [Progress] from the end
// of the listing on. It returns them in list order and the number of
// client reads sent. The first error cancels the rest.
func (c *Client) scan(ctx context.Context, poolID string, started time.Time) ([]AppClient, int, error) {
	prog := c.newProgress(ctx, poolID, started)
	var ids []string
	calls, err := c.list(ctx, poolID, func(r ClientRef) bool {
		ids = append(ids, r.ID)
		return true
	})
	if err != nil {
		return nil, calls, err
	}
	prog.listed(len(ids))

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	clients := make([]AppClient, len(ids))
	found := make([]bool, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(c.opts.Parallelism, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s, _, err := c.read(ctx, poolID, ids[i])
				switch {
				case rserrors.IsNotFound(err):
					prog.read()
				case err != nil:
					cancel(err)
				default:
					clients[i], found[i] = s.app, true
					prog.read()
				}
			}
		}()
	}
feed:
	for i := range ids {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	calls += len(ids)
	if err := context.Cause(ctx); err != nil {
		return nil, calls, err
	}
	var out []AppClient
	for i, ok := range found {
		if ok {
			out = append(out, clients[i])
		}
	}
	return out, calls, nil
}
