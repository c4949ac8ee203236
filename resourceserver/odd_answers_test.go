package resourceserver_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// TestUpdateGoesToTheServerAskedFor checks that the Update of a change is
// addressed to the pool and identifier the caller named, even when the
// Describe answer names another server or none (as a terse fake does).
func TestUpdateGoesToTheServerAskedFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answered *types.ResourceServerType
	}{
		{"another server", &types.ResourceServerType{UserPoolId: aws.String("us-east-1_Other1234"), Identifier: aws.String("other"), Name: aws.String("Orders API")}},
		{"no pool or identifier", &types.ResourceServerType{Name: aws.String("Orders API")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.OnDescribe = func(context.Context, *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
				return &cip.DescribeResourceServerOutput{ResourceServer: tt.answered}, nil
			}
			f.OnUpdate = func(_ context.Context, in *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
				return &cip.UpdateResourceServerOutput{}, nil
			}
			c := newTestClient(f, noVerify)
			if _, err := c.AddScope(t.Context(), testPool, testID, resourceserver.Scope{Name: "orders.write", Description: "Write"}); err != nil {
				t.Fatalf("AddScope() = %v, want nil", err)
			}
			ups := f.updates()
			if len(ups) != 1 {
				t.Fatalf("%d Updates sent, want 1", len(ups))
			}
			if got := aws.ToString(ups[0].UserPoolId) + " " + aws.ToString(ups[0].Identifier); got != testPool+" "+testID {
				t.Errorf("Update sent to %s, want %s %s", got, testPool, testID)
			}
		})
	}
}

// TestNilAnswers checks that an API answering neither output nor error (a
// careless fake) makes no method panic.
func TestNilAnswers(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.OnCreate = func(context.Context, *cip.CreateResourceServerInput) (*cip.CreateResourceServerOutput, error) {
		return nil, nil
	}
	f.OnDescribe = func(context.Context, *cip.DescribeResourceServerInput) (*cip.DescribeResourceServerOutput, error) {
		return nil, nil
	}
	f.OnUpdate = func(context.Context, *cip.UpdateResourceServerInput) (*cip.UpdateResourceServerOutput, error) {
		return nil, nil
	}
	f.OnList = func(context.Context, *cip.ListResourceServersInput) (*cip.ListResourceServersOutput, error) {
		return nil, nil
	}
	c := newTestClient(f, noVerify)
	ctx := t.Context()
	want := makeServer()
	if got, err := c.Create(ctx, want); err != nil || got.Identifier != testID {
		t.Errorf("Create() = %+v, %v, want the server sent, nil", got, err)
	}
	// A Describe answered without a resource server is no state to build on.
	if _, err := c.Get(ctx, testPool, testID); !rserrors.IsInvalidResponse(err) {
		t.Errorf("Get() error = %v, want an invalid response", err)
	}
	for rs, err := range c.List(ctx, testPool) {
		t.Errorf("List() yielded %+v, %v, want nothing", rs, err)
	}
	// With no state to keep, a change is refused before any Update.
	if _, err := c.AddScope(ctx, testPool, testID, resourceserver.Scope{Name: "a", Description: "A"}); !rserrors.IsInvalidResponse(err) {
		t.Errorf("AddScope() on a server without a name error = %v, want an invalid response", err)
	}
	if n := len(f.updates()); n != 0 {
		t.Errorf("%d Updates sent, want 0", n)
	}
}
