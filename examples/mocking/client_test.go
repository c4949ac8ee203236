package main

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// fakeAPI is a hand-written fake of resourceserver.API, the five SDK
// methods a resourceserver.Client calls: it keeps the resource servers of
// one user pool in memory, answers as Cognito does (the SDK's own error
// types included), and logs each call with its input. It is safe for
// concurrent use.
type fakeAPI struct {
	pool string

	mu      sync.Mutex
	servers map[string]types.ResourceServerType
	calls   []string
	updates []*cip.UpdateResourceServerInput
}

var _ resourceserver.API = (*fakeAPI)(nil)

func newFakeAPI(pool string, servers ...types.ResourceServerType) *fakeAPI {
	f := &fakeAPI{pool: pool, servers: make(map[string]types.ResourceServerType)}
	for _, rs := range servers {
		f.servers[aws.ToString(rs.Identifier)] = rs
	}
	return f
}

// find logs op and returns the stored server of the input's pool and
// identifier, or the error Cognito answers when either is missing. f.mu
// must be held.
func (f *fakeAPI) find(op string, pool, id *string) (types.ResourceServerType, error) {
	f.calls = append(f.calls, op)
	if aws.ToString(pool) != f.pool {
		return types.ResourceServerType{}, &types.ResourceNotFoundException{Message: aws.String("User pool " + aws.ToString(pool) + " does not exist.")}
	}
	rs, ok := f.servers[aws.ToString(id)]
	if !ok {
		return rs, &types.ResourceNotFoundException{Message: aws.String("Resource server " + aws.ToString(id) + " does not exist.")}
	}
	return rs, nil
}

func (f *fakeAPI) CreateResourceServer(_ context.Context, in *cip.CreateResourceServerInput, _ ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.find("CreateResourceServer", in.UserPoolId, in.Identifier)
	if err == nil {
		return nil, &types.InvalidParameterException{Message: aws.String(aws.ToString(in.Identifier) + " already exists in user pool " + f.pool + ".")}
	}
	if aws.ToString(in.UserPoolId) != f.pool {
		return nil, err
	}
	rs := types.ResourceServerType{UserPoolId: in.UserPoolId, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes}
	f.servers[aws.ToString(in.Identifier)] = rs
	return &cip.CreateResourceServerOutput{ResourceServer: &rs}, nil
}

func (f *fakeAPI) DescribeResourceServer(_ context.Context, in *cip.DescribeResourceServerInput, _ ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, err := f.find("DescribeResourceServer", in.UserPoolId, in.Identifier)
	if err != nil {
		return nil, err
	}
	return &cip.DescribeResourceServerOutput{ResourceServer: &rs}, nil
}

// UpdateResourceServer replaces the server whole, as Cognito does: scopes
// left out of the input are deleted.
func (f *fakeAPI) UpdateResourceServer(_ context.Context, in *cip.UpdateResourceServerInput, _ ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, in)
	if _, err := f.find("UpdateResourceServer", in.UserPoolId, in.Identifier); err != nil {
		return nil, err
	}
	rs := types.ResourceServerType{UserPoolId: in.UserPoolId, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes}
	f.servers[aws.ToString(in.Identifier)] = rs
	return &cip.UpdateResourceServerOutput{ResourceServer: &rs}, nil
}

func (f *fakeAPI) DeleteResourceServer(_ context.Context, in *cip.DeleteResourceServerInput, _ ...func(*cip.Options)) (*cip.DeleteResourceServerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.find("DeleteResourceServer", in.UserPoolId, in.Identifier); err != nil {
		return nil, err
	}
	delete(f.servers, aws.ToString(in.Identifier))
	return &cip.DeleteResourceServerOutput{}, nil
}

func (f *fakeAPI) ListResourceServers(_ context.Context, in *cip.ListResourceServersInput, _ ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "ListResourceServers")
	if aws.ToString(in.UserPoolId) != f.pool {
		return nil, &types.ResourceNotFoundException{Message: aws.String("User pool " + aws.ToString(in.UserPoolId) + " does not exist.")}
	}
	out := &cip.ListResourceServersOutput{}
	for _, rs := range f.servers {
		out.ResourceServers = append(out.ResourceServers, rs)
	}
	return out, nil
}

func sdkScope(s resourceserver.Scope) types.ResourceServerScopeType {
	return types.ResourceServerScopeType{ScopeName: aws.String(s.Name), ScopeDescription: aws.String(s.Description)}
}

// TestRegisterAPIWithFakeAPI runs Service on a real resourceserver.Client
// whose API is fakeAPI, to check what the Client sends for it.
func TestRegisterAPIWithFakeAPI(t *testing.T) {
	t.Parallel()
	legacy := resourceserver.Scope{Name: "payments.legacy", Description: "Old payment scope"}
	existing := types.ResourceServerType{
		UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("Payments"),
		Scopes: []types.ResourceServerScopeType{sdkScope(legacy), sdkScope(readScope)},
	}
	tests := []struct {
		name        string
		pool        string // the pool the Service uses; the fake holds testPool
		servers     []types.ResourceServerType
		wantCalls   []string
		wantUpdates []*cip.UpdateResourceServerInput
		wantServer  *types.ResourceServerType // the stored server afterwards; nil: none
		wantErr     error                     // matched with errors.Is
	}{
		{
			name:    "existing server keeps its other scopes and its name",
			pool:    testPool,
			servers: []types.ResourceServerType{existing},
			// The Client reads, writes the full list, then verifies.
			wantCalls: []string{"DescribeResourceServer", "UpdateResourceServer", "DescribeResourceServer"},
			wantUpdates: []*cip.UpdateResourceServerInput{{
				UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("Payments"),
				Scopes: []types.ResourceServerScopeType{sdkScope(legacy), sdkScope(readScope), sdkScope(refundScope)},
			}},
			wantServer: &types.ResourceServerType{
				UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("Payments"),
				Scopes: []types.ResourceServerScopeType{sdkScope(legacy), sdkScope(readScope), sdkScope(refundScope)},
			},
		},
		{
			name:      "missing server is created",
			pool:      testPool,
			wantCalls: []string{"DescribeResourceServer", "CreateResourceServer"},
			wantServer: &types.ResourceServerType{
				UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("Payments API"),
				Scopes: []types.ResourceServerScopeType{sdkScope(readScope), sdkScope(refundScope)},
			},
		},
		{
			name:      "missing user pool",
			pool:      "us-east-1_Missing1",
			wantCalls: []string{"DescribeResourceServer", "CreateResourceServer"},
			wantErr:   rserrors.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(testPool, tt.servers...)
			// No rate limit: there is no quota to respect in a fake.
			client := resourceserver.New(api, func(o *resourceserver.Options) { o.DisableRateLimit = true })
			svc := &Service{Store: client, PoolID: tt.pool}
			_, err := svc.RegisterAPI(t.Context(), testID, "Payments API", readScope, refundScope)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("RegisterAPI() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				// The SDK's own error type is still in the chain.
				var sdkErr *types.ResourceNotFoundException
				if !errors.As(err, &sdkErr) {
					t.Errorf("RegisterAPI() error = %v, want it to hold a *types.ResourceNotFoundException", err)
				}
			}
			opts := cmp.AllowUnexported(types.ResourceServerType{}, types.ResourceServerScopeType{}, cip.UpdateResourceServerInput{})
			if diff := cmp.Diff(tt.wantCalls, api.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUpdates, api.updates, opts); diff != "" {
				t.Errorf("UpdateResourceServer inputs (-want +got):\n%s", diff)
			}
			var got *types.ResourceServerType
			if rs, ok := api.servers[testID]; ok {
				got = &rs
			}
			if diff := cmp.Diff(tt.wantServer, got, opts); diff != "" {
				t.Errorf("stored server (-want +got):\n%s", diff)
			}
		})
	}
}
