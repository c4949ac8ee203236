package appclient_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/appclient"
)

// The SDK operation names, as the fake logs them.
const (
	opListClients    = "ListUserPoolClients"
	opDescribeClient = "DescribeUserPoolClient"
	opUpdateClient   = "UpdateUserPoolClient"
	opDescribeServer = "DescribeResourceServer"
	opListServers    = "ListResourceServers"
)

// call is one call the fake received: the operation, its input, and the
// AppID that its per-call options set on empty cip.Options.
type call struct {
	Op    string
	Input any
	AppID string
}

// fakeAPI is a hand-written fake of appclient.API, safe for concurrent
// use. Each operation calls its hook if set; otherwise it acts like Cognito
// on an in-memory store: Describe reads, Update replaces every updatable
// member (a member left out becomes its zero value, as Cognito resets it),
// the Lists page through clients and servers in ID order. Every call is
// logged before the hook or the store sees it.
type fakeAPI struct {
	OnListClients    func(context.Context, *cip.ListUserPoolClientsInput) (*cip.ListUserPoolClientsOutput, error)
	OnDescribeClient func(context.Context, *cip.DescribeUserPoolClientInput) (*cip.DescribeUserPoolClientOutput, error)
	OnUpdateClient   func(context.Context, *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error)
	OnDescribeServer func(context.Context, *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error)
	OnListServers    func(context.Context, *cip.ListResourceServersInput) (*cip.ListResourceServersOutput, error)

	mu      sync.Mutex
	log     []call
	clients map[string]types.UserPoolClientType // by pool + "\x00" + client ID
	servers map[string]types.ResourceServerType // by pool + "\x00" + identifier
}

var _ appclient.API = (*fakeAPI)(nil)

func newFake() *fakeAPI {
	return &fakeAPI{clients: make(map[string]types.UserPoolClientType), servers: make(map[string]types.ResourceServerType)}
}

func key(pool, id string) string { return pool + "\x00" + id }

// putClient stores c, keyed by its pool and ID.
func (f *fakeAPI) putClient(c types.UserPoolClientType) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients[key(aws.ToString(c.UserPoolId), aws.ToString(c.ClientId))] = c
}

// client returns the stored app client.
func (f *fakeAPI) client(pool, id string) (types.UserPoolClientType, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[key(pool, id)]
	return c, ok
}

// putServer stores a resource server with the given scope names.
func (f *fakeAPI) putServer(pool, identifier string, scopes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := types.ResourceServerType{UserPoolId: aws.String(pool), Identifier: aws.String(identifier), Name: aws.String("server")}
	for _, s := range scopes {
		rs.Scopes = append(rs.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(s), ScopeDescription: aws.String(s)})
	}
	f.servers[key(pool, identifier)] = rs
}

func (f *fakeAPI) record(op string, in any, optFns []func(*cip.Options)) {
	var o cip.Options
	for _, fn := range optFns {
		fn(&o)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, call{Op: op, Input: in, AppID: o.AppID})
}

// appIDs returns the AppID of each call, in order.
func (f *fakeAPI) appIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, c := range f.log {
		ids = append(ids, c.AppID)
	}
	return ids
}

// ops returns the operations of the call log, in order.
func (f *fakeAPI) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ops []string
	for _, c := range f.log {
		ops = append(ops, c.Op)
	}
	return ops
}

// count returns how many calls of op the fake received.
func (f *fakeAPI) count(op string) int {
	n := 0
	for _, o := range f.ops() {
		if o == op {
			n++
		}
	}
	return n
}

// updates returns the inputs of the UpdateUserPoolClient calls, in order.
func (f *fakeAPI) updates() []*cip.UpdateUserPoolClientInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ins []*cip.UpdateUserPoolClientInput
	for _, c := range f.log {
		if in, ok := c.Input.(*cip.UpdateUserPoolClientInput); ok {
			ins = append(ins, in)
		}
	}
	return ins
}

func clientNotFound(pool, id string) error {
	return &types.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("User pool client %s does not exist in %s.", id, pool))}
}

func (f *fakeAPI) DescribeUserPoolClient(ctx context.Context, in *cip.DescribeUserPoolClientInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error) {
	f.record(opDescribeClient, in, optFns)
	if f.OnDescribeClient != nil {
		return f.OnDescribeClient(ctx, in)
	}
	c, ok := f.client(aws.ToString(in.UserPoolId), aws.ToString(in.ClientId))
	if !ok {
		return nil, clientNotFound(aws.ToString(in.UserPoolId), aws.ToString(in.ClientId))
	}
	return &cip.DescribeUserPoolClientOutput{UserPoolClient: &c}, nil
}

func (f *fakeAPI) UpdateUserPoolClient(ctx context.Context, in *cip.UpdateUserPoolClientInput, optFns ...func(*cip.Options)) (*cip.UpdateUserPoolClientOutput, error) {
	f.record(opUpdateClient, in, optFns)
	if f.OnUpdateClient != nil {
		return f.OnUpdateClient(ctx, in)
	}
	return f.update(in)
}

// update applies in to the store as Cognito does: every updatable member
// is replaced, what in leaves out reset.
func (f *fakeAPI) update(in *cip.UpdateUserPoolClientInput) (*cip.UpdateUserPoolClientOutput, error) {
	pool, id := aws.ToString(in.UserPoolId), aws.ToString(in.ClientId)
	old, ok := f.client(pool, id)
	if !ok {
		return nil, clientNotFound(pool, id)
	}
	c := types.UserPoolClientType{
		UserPoolId: in.UserPoolId, ClientId: in.ClientId, ClientSecret: old.ClientSecret,
		CreationDate: old.CreationDate, LastModifiedDate: aws.Time(time.Now()),
		AccessTokenValidity: in.AccessTokenValidity, AllowedOAuthFlows: in.AllowedOAuthFlows,
		AllowedOAuthFlowsUserPoolClient: aws.Bool(in.AllowedOAuthFlowsUserPoolClient),
		AllowedOAuthScopes:              in.AllowedOAuthScopes, AnalyticsConfiguration: in.AnalyticsConfiguration,
		AuthSessionValidity: in.AuthSessionValidity, CallbackURLs: in.CallbackURLs, ClientName: in.ClientName,
		DefaultRedirectURI: in.DefaultRedirectURI, EnablePropagateAdditionalUserContextData: in.EnablePropagateAdditionalUserContextData,
		EnableTokenRevocation: in.EnableTokenRevocation, ExplicitAuthFlows: in.ExplicitAuthFlows,
		IdTokenValidity: in.IdTokenValidity, LogoutURLs: in.LogoutURLs, PreventUserExistenceErrors: in.PreventUserExistenceErrors,
		ReadAttributes: in.ReadAttributes, RefreshTokenRotation: in.RefreshTokenRotation,
		RefreshTokenValidity: in.RefreshTokenValidity, SupportedIdentityProviders: in.SupportedIdentityProviders,
		TokenValidityUnits: in.TokenValidityUnits, WriteAttributes: in.WriteAttributes,
	}
	f.putClient(c)
	return &cip.UpdateUserPoolClientOutput{UserPoolClient: &c}, nil
}

func (f *fakeAPI) ListUserPoolClients(ctx context.Context, in *cip.ListUserPoolClientsInput, optFns ...func(*cip.Options)) (*cip.ListUserPoolClientsOutput, error) {
	f.record(opListClients, in, optFns)
	if f.OnListClients != nil {
		return f.OnListClients(ctx, in)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pool := aws.ToString(in.UserPoolId)
	var all []types.UserPoolClientDescription
	for _, c := range f.clients {
		if aws.ToString(c.UserPoolId) == pool {
			all = append(all, types.UserPoolClientDescription{UserPoolId: c.UserPoolId, ClientId: c.ClientId, ClientName: c.ClientName})
		}
	}
	sort.Slice(all, func(i, j int) bool { return aws.ToString(all[i].ClientId) < aws.ToString(all[j].ClientId) })
	page, next := pageOf(all, in.NextToken, aws.ToInt32(in.MaxResults))
	return &cip.ListUserPoolClientsOutput{UserPoolClients: page, NextToken: next}, nil
}

func (f *fakeAPI) DescribeResourceServer(ctx context.Context, in *cip.DescribeResourceServerInput, optFns ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error) {
	f.record(opDescribeServer, in, optFns)
	if f.OnDescribeServer != nil {
		return f.OnDescribeServer(ctx, in)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, ok := f.servers[key(aws.ToString(in.UserPoolId), aws.ToString(in.Identifier))]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Resource server " + aws.ToString(in.Identifier) + " does not exist.")}
	}
	return &cip.DescribeResourceServerOutput{ResourceServer: &rs}, nil
}

func (f *fakeAPI) ListResourceServers(ctx context.Context, in *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	f.record(opListServers, in, optFns)
	if f.OnListServers != nil {
		return f.OnListServers(ctx, in)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pool := aws.ToString(in.UserPoolId)
	var all []types.ResourceServerType
	for _, rs := range f.servers {
		if aws.ToString(rs.UserPoolId) == pool {
			all = append(all, rs)
		}
	}
	sort.Slice(all, func(i, j int) bool { return aws.ToString(all[i].Identifier) < aws.ToString(all[j].Identifier) })
	page, next := pageOf(all, in.NextToken, aws.ToInt32(in.MaxResults))
	return &cip.ListResourceServersOutput{ResourceServers: page, NextToken: next}, nil
}

// pageOf returns the page of all that token (an offset) and max select, and
// the token of the next page, nil after the last.
func pageOf[T any](all []T, token *string, max int32) ([]T, *string) {
	start := 0
	if token != nil {
		start, _ = strconv.Atoi(*token)
	}
	if max <= 0 {
		max = 60
	}
	end := min(start+int(max), len(all))
	page := slices.Clone(all[start:end])
	if end < len(all) {
		return page, aws.String(strconv.Itoa(end))
	}
	return page, nil
}
