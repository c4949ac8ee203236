package resourceserver_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// The SDK operation names, as the fake logs them.
const (
	opCreate   = "CreateResourceServer"
	opDescribe = "DescribeResourceServer"
	opUpdate   = "UpdateResourceServer"
	opDelete   = "DeleteResourceServer"
	opList     = "ListResourceServers"
)

// call is one call the fake received: the operation and a deep copy of
// its input.
type call struct {
	Op    string
	Input any
}

// fakeAPI is a hand-written fake of resourceserver.API, safe for
// concurrent use. Each operation calls its hook if set; otherwise it acts
// like Cognito on an in-memory store: Create adds, Describe reads, Update
// replaces the name and the whole scope list, Delete removes, List pages
// through the servers of a pool in identifier order. Every call is logged
// before the hook or the store sees it.
type fakeAPI struct {
	OnCreate   func(context.Context, *cip.CreateResourceServerInput) (*cip.CreateResourceServerOutput, error)
	OnDescribe func(context.Context, *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error)
	OnUpdate   func(context.Context, *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error)
	OnDelete   func(context.Context, *cip.DeleteResourceServerInput) (*cip.DeleteResourceServerOutput, error)
	OnList     func(context.Context, *cip.ListResourceServersInput) (*cip.ListResourceServersOutput, error)

	mu      sync.Mutex
	log     []call
	servers map[string]resourceserver.ResourceServer // by pool + "\x00" + identifier
}

var _ resourceserver.API = (*fakeAPI)(nil)

func newFake(servers ...resourceserver.ResourceServer) *fakeAPI {
	f := &fakeAPI{servers: make(map[string]resourceserver.ResourceServer)}
	for _, rs := range servers {
		f.put(rs)
	}
	return f
}

func storeKey(pool, id string) string { return pool + "\x00" + id }

// put stores rs, replacing any server with its identifier.
func (f *fakeAPI) put(rs resourceserver.ResourceServer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs.Scopes = slices.Clone(rs.Scopes)
	f.servers[storeKey(rs.UserPoolID, rs.Identifier)] = rs
}

// get returns the stored server.
func (f *fakeAPI) get(pool, id string) (resourceserver.ResourceServer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, ok := f.servers[storeKey(pool, id)]
	rs.Scopes = slices.Clone(rs.Scopes)
	return rs, ok
}

// calls returns a copy of the call log.
func (f *fakeAPI) calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// ops returns the operations of the call log, in order.
func (f *fakeAPI) ops() []string {
	var ops []string
	for _, c := range f.calls() {
		ops = append(ops, c.Op)
	}
	return ops
}

// updates returns the inputs of the UpdateResourceServer calls, in order.
func (f *fakeAPI) updates() []*cip.UpdateResourceServerInput {
	var ins []*cip.UpdateResourceServerInput
	for _, c := range f.calls() {
		if in, ok := c.Input.(*cip.UpdateResourceServerInput); ok {
			ins = append(ins, in)
		}
	}
	return ins
}

func (f *fakeAPI) record(op string, in any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, call{Op: op, Input: in})
}

func copyScopes(s []types.ResourceServerScopeType) []types.ResourceServerScopeType {
	if s == nil {
		return nil
	}
	out := make([]types.ResourceServerScopeType, len(s))
	for i, x := range s {
		out[i] = types.ResourceServerScopeType{ScopeName: copyString(x.ScopeName), ScopeDescription: copyString(x.ScopeDescription)}
	}
	return out
}

func copyString(p *string) *string {
	if p == nil {
		return nil
	}
	return aws.String(*p)
}

func copyInt32(p *int32) *int32 {
	if p == nil {
		return nil
	}
	return aws.Int32(*p)
}

func notFound(pool, id string) error {
	return &types.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Resource server %s does not exist in %s.", id, pool))}
}

func toType(rs resourceserver.ResourceServer) *types.ResourceServerType {
	t := &types.ResourceServerType{
		UserPoolId: aws.String(rs.UserPoolID),
		Identifier: aws.String(rs.Identifier),
		Name:       aws.String(rs.Name),
	}
	for _, s := range rs.Scopes {
		t.Scopes = append(t.Scopes, types.ResourceServerScopeType{ScopeName: aws.String(s.Name), ScopeDescription: aws.String(s.Description)})
	}
	return t
}

func fromScopes(s []types.ResourceServerScopeType) []resourceserver.Scope {
	var out []resourceserver.Scope
	for _, x := range s {
		out = append(out, resourceserver.Scope{Name: aws.ToString(x.ScopeName), Description: aws.ToString(x.ScopeDescription)})
	}
	return out
}

func (f *fakeAPI) CreateResourceServer(ctx context.Context, in *cip.CreateResourceServerInput, _ ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error) {
	f.record(opCreate, &cip.CreateResourceServerInput{
		UserPoolId: copyString(in.UserPoolId), Identifier: copyString(in.Identifier),
		Name: copyString(in.Name), Scopes: copyScopes(in.Scopes),
	})
	if f.OnCreate != nil {
		return f.OnCreate(ctx, in)
	}
	return f.StoreCreate(in)
}

// StoreCreate is Create on the store.
func (f *fakeAPI) StoreCreate(in *cip.CreateResourceServerInput) (*cip.CreateResourceServerOutput, error) {
	rs := resourceserver.ResourceServer{
		UserPoolID: aws.ToString(in.UserPoolId), Identifier: aws.ToString(in.Identifier),
		Name: aws.ToString(in.Name), Scopes: fromScopes(in.Scopes),
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := storeKey(rs.UserPoolID, rs.Identifier)
	if _, ok := f.servers[k]; ok {
		return nil, &types.InvalidParameterException{Message: aws.String(rs.Identifier + " already exists in user pool " + rs.UserPoolID + ".")}
	}
	f.servers[k] = rs
	return &cip.CreateResourceServerOutput{ResourceServer: toType(rs)}, nil
}

func (f *fakeAPI) DescribeResourceServer(ctx context.Context, in *cip.DescribeResourceServerInput, _ ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error) {
	f.record(opDescribe, &cip.DescribeResourceServerInput{UserPoolId: copyString(in.UserPoolId), Identifier: copyString(in.Identifier)})
	if f.OnDescribe != nil {
		return f.OnDescribe(ctx, in)
	}
	return f.StoreDescribe(in)
}

// StoreDescribe is Describe on the store.
func (f *fakeAPI) StoreDescribe(in *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
	rs, ok := f.get(aws.ToString(in.UserPoolId), aws.ToString(in.Identifier))
	if !ok {
		return nil, notFound(aws.ToString(in.UserPoolId), aws.ToString(in.Identifier))
	}
	return &cip.DescribeResourceServerOutput{ResourceServer: toType(rs)}, nil
}

func (f *fakeAPI) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, _ ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	f.record(opUpdate, &cip.UpdateResourceServerInput{
		UserPoolId: copyString(in.UserPoolId), Identifier: copyString(in.Identifier),
		Name: copyString(in.Name), Scopes: copyScopes(in.Scopes),
	})
	if f.OnUpdate != nil {
		return f.OnUpdate(ctx, in)
	}
	return f.StoreUpdate(in)
}

// StoreUpdate is Update on the store: like Cognito, it replaces the name
// and the whole scope list with what the input holds.
func (f *fakeAPI) StoreUpdate(in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
	pool, id := aws.ToString(in.UserPoolId), aws.ToString(in.Identifier)
	f.mu.Lock()
	defer f.mu.Unlock()
	k := storeKey(pool, id)
	if _, ok := f.servers[k]; !ok {
		return nil, notFound(pool, id)
	}
	rs := resourceserver.ResourceServer{UserPoolID: pool, Identifier: id, Name: aws.ToString(in.Name), Scopes: fromScopes(in.Scopes)}
	f.servers[k] = rs
	return &cip.UpdateResourceServerOutput{ResourceServer: toType(rs)}, nil
}

func (f *fakeAPI) DeleteResourceServer(ctx context.Context, in *cip.DeleteResourceServerInput, _ ...func(*cip.Options)) (*cip.DeleteResourceServerOutput, error) {
	f.record(opDelete, &cip.DeleteResourceServerInput{UserPoolId: copyString(in.UserPoolId), Identifier: copyString(in.Identifier)})
	if f.OnDelete != nil {
		return f.OnDelete(ctx, in)
	}
	pool, id := aws.ToString(in.UserPoolId), aws.ToString(in.Identifier)
	f.mu.Lock()
	defer f.mu.Unlock()
	k := storeKey(pool, id)
	if _, ok := f.servers[k]; !ok {
		return nil, notFound(pool, id)
	}
	delete(f.servers, k)
	return &cip.DeleteResourceServerOutput{}, nil
}

func (f *fakeAPI) ListResourceServers(ctx context.Context, in *cip.ListResourceServersInput, _ ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	f.record(opList, &cip.ListResourceServersInput{
		UserPoolId: copyString(in.UserPoolId), MaxResults: copyInt32(in.MaxResults), NextToken: copyString(in.NextToken),
	})
	if f.OnList != nil {
		return f.OnList(ctx, in)
	}
	pool := aws.ToString(in.UserPoolId)
	f.mu.Lock()
	var all []resourceserver.ResourceServer
	for _, rs := range f.servers {
		if rs.UserPoolID == pool {
			all = append(all, rs)
		}
	}
	f.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Identifier < all[j].Identifier })
	start := 0
	if in.NextToken != nil {
		start = sort.Search(len(all), func(i int) bool { return all[i].Identifier > *in.NextToken })
	}
	end := len(all)
	if in.MaxResults != nil {
		end = min(end, start+int(*in.MaxResults))
	}
	out := &cip.ListResourceServersOutput{}
	for _, rs := range all[start:end] {
		out.ResourceServers = append(out.ResourceServers, *toType(rs))
	}
	if end < len(all) {
		out.NextToken = aws.String(all[end-1].Identifier)
	}
	return out, nil
}
