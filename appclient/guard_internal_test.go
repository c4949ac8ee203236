package appclient

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

func TestGuard(t *testing.T) {
	raw := &types.UserPoolClientType{
		UserPoolId: aws.String("us-east-1_P1"), ClientId: aws.String("c1"), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true), AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{"https://a.example.com/cb"},
	}
	cur := state{raw: raw, app: fromSDK(raw)}
	grant := &delta{grant: []string{"email"}}
	next, _ := grant.apply(cur.app)
	tests := []struct {
		name     string
		d        *delta
		next     AppClient
		in       func() *cip.UpdateUserPoolClientInput
		wantOff  bool
		wantLost []string
	}{
		{"built by updateInput", grant, next, func() *cip.UpdateUserPoolClientInput {
			return updateInput("us-east-1_P1", "c1", raw, &cur.app, &next)
		}, false, nil},
		{"OAuth left out", grant, next, func() *cip.UpdateUserPoolClientInput {
			in := updateInput("us-east-1_P1", "c1", raw, &cur.app, &next)
			in.AllowedOAuthFlowsUserPoolClient = false
			return in
		}, true, nil},
		{"callback URLs and name dropped", grant, next, func() *cip.UpdateUserPoolClientInput {
			in := updateInput("us-east-1_P1", "c1", raw, &cur.app, &next)
			in.CallbackURLs, in.ClientName = nil, nil
			return in
		}, false, []string{"CallbackURLs", "ClientName"}},
		{"other client", grant, next, func() *cip.UpdateUserPoolClientInput {
			in := updateInput("us-east-1_P1", "c1", raw, &cur.app, &next)
			in.ClientId = aws.String("c2")
			return in
		}, false, []string{"ClientId"}},
		{"plain SDK update of scopes only", grant, next, func() *cip.UpdateUserPoolClientInput {
			return &cip.UpdateUserPoolClientInput{UserPoolId: aws.String("us-east-1_P1"), ClientId: aws.String("c1"),
				AllowedOAuthScopes: []string{"openid", "email"}}
		}, true, []string{"AllowedOAuthFlows", "CallbackURLs", "ClientName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := guard(cur, tt.next, tt.in(), tt.d)
			if !tt.wantOff && tt.wantLost == nil {
				if err != nil {
					t.Fatalf("guard() = %v, want nil", err)
				}
				return
			}
			var e *UnsafeUpdateError
			if !errors.As(err, &e) || !rserrors.IsUnsafeUpdate(err) {
				t.Fatalf("guard() = %v, want *UnsafeUpdateError", err)
			}
			if e.OAuthOff != tt.wantOff {
				t.Errorf("OAuthOff = %v, want %v", e.OAuthOff, tt.wantOff)
			}
			if diff := cmp.Diff(tt.wantLost, e.Lost); diff != "" {
				t.Errorf("Lost (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGuardAllowsExplicitOAuthOff(t *testing.T) {
	raw := &types.UserPoolClientType{UserPoolId: aws.String("us-east-1_P1"), ClientId: aws.String("c1"), AllowedOAuthFlowsUserPoolClient: aws.Bool(true)}
	cur := state{raw: raw, app: fromSDK(raw)}
	next := cur.app.clone()
	next.AllowedOAuthFlowsUserPoolClient = false
	d := diff(&cur.app, &next)
	if err := guard(cur, next, updateInput("us-east-1_P1", "c1", raw, &cur.app, &next), d); err != nil {
		t.Errorf("guard(explicit OAuth off) = %v, want nil", err)
	}
}
