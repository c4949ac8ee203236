package appclient_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// violation is what the vocabulary tests check of one *rserrors.FieldError.
type violation struct {
	Field string
	Rule  rserrors.Rule
}

// manyScopes returns n scope names and the same scopes of ordersAPI.
func manyScopes(n int) (names, scopes []string) {
	for i := range n {
		names = append(names, "s"+strconv.Itoa(i))
		scopes = append(scopes, ordersAPI+"/s"+strconv.Itoa(i))
	}
	return names, scopes
}

// TestValidationVocabulary checks that every method reports bad input with
// the paths of the arguments the caller passed, or of the AppClient fields
// of a Modify result, and with Operation and OpError.Op both the method;
// and that nothing is sent once the arguments are found bad.
func TestValidationVocabulary(t *testing.T) {
	_, scopes51 := manyScopes(51)
	tests := []struct {
		name      string
		prep      func(*fakeAPI) // optional, before the call
		call      func(context.Context, *appclient.Client) error
		op        string
		want      []violation
		wantCalls []string
	}{
		{
			name: "Get with bad IDs",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Get(ctx, "bad pool", "bad id!")
				return err
			},
			op:   "Get",
			want: []violation{{"poolID", rserrors.RulePattern}, {"clientID", rserrors.RulePattern}},
		},
		{
			name: "Get with empty IDs",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Get(ctx, "", "")
				return err
			},
			op:   "Get",
			want: []violation{{"poolID", rserrors.RuleLength}, {"clientID", rserrors.RuleLength}},
		},
		{
			name: "Get with a client ID too long and a bad character",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Get(ctx, testPool, strings.Repeat("a", 128)+"-")
				return err
			},
			op:   "Get",
			want: []violation{{"clientID", rserrors.RuleLength}, {"clientID", rserrors.RulePattern}},
		},
		{
			name: "Get with a client ID in invalid UTF-8",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Get(ctx, testPool, "ab\xffc")
				return err
			},
			op:   "Get",
			want: []violation{{"clientID", rserrors.RuleUTF8}},
		},
		{
			name: "Modify with bad IDs and no function",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Modify(ctx, "us-east-1", "", nil)
				return err
			},
			op: "Modify",
			want: []violation{{"poolID", rserrors.RulePattern}, {"clientID", rserrors.RuleLength},
				{"fn", rserrors.RuleRequired}},
		},
		{
			name: "Modify changing read-only fields",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Modify(ctx, testPool, testClient, func(a *appclient.AppClient) error {
					a.ClientID, a.HasSecret = "other", false
					return nil
				})
				return err
			},
			op:        "Modify",
			want:      []violation{{"ClientID", rserrors.RuleImmutable}, {"HasSecret", rserrors.RuleImmutable}},
			wantCalls: []string{opDescribeClient},
		},
		{
			name: "Modify adding bad scopes",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Modify(ctx, testPool, testClient, func(a *appclient.AppClient) error {
					a.AllowedOAuthScopes = append(a.AllowedOAuthScopes, "openid", "no-slash", ordersAPI+"/bad name", ordersAPI+"/")
					return nil
				})
				return err
			},
			op: "Modify",
			want: []violation{{"AllowedOAuthScopes[2]", rserrors.RulePattern},
				{"AllowedOAuthScopes[3]", rserrors.RulePattern}, {"AllowedOAuthScopes[4]", rserrors.RuleLength}},
			wantCalls: []string{opDescribeClient},
		},
		{
			name: "Modify leaving more than MaxScopes",
			prep: func(f *fakeAPI) {
				names, _ := manyScopes(51)
				f.putServer(testPool, ordersAPI, names...)
			},
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Modify(ctx, testPool, testClient, func(a *appclient.AppClient) error {
					a.AllowedOAuthScopes = scopes51
					return nil
				})
				return err
			},
			op:        "Modify",
			want:      []violation{{"AllowedOAuthScopes", rserrors.RuleMaxItems}},
			wantCalls: []string{opDescribeClient, opDescribeServer},
		},
		{
			name: "GrantScopes with no scope",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.GrantScopes(ctx, testPool, testClient)
				return err
			},
			op:   "GrantScopes",
			want: []violation{{"scopes", rserrors.RuleRequired}},
		},
		{
			name: "GrantScopes with bad scopes",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.GrantScopes(ctx, testPool, testClient,
					"openid", "no-slash", ordersAPI+"/bad name", strings.Repeat("a", 257)+"/x", ordersAPI+"/", "/x")
				return err
			},
			op: "GrantScopes",
			want: []violation{{"scopes[1]", rserrors.RulePattern}, {"scopes[2]", rserrors.RulePattern},
				{"scopes[3]", rserrors.RuleLength}, {"scopes[4]", rserrors.RuleLength}, {"scopes[5]", rserrors.RuleLength}},
		},
		{
			name: "GrantScopes with more than MaxScopes distinct scopes",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.GrantScopes(ctx, testPool, testClient, scopes51...)
				return err
			},
			op:   "GrantScopes",
			want: []violation{{"scopes", rserrors.RuleMaxItems}},
		},
		{
			name: "GrantScopes whose result holds more than MaxScopes",
			prep: func(f *fakeAPI) {
				names, scopes := manyScopes(51)
				f.putServer(testPool, ordersAPI, names...)
				f.putClient(machineClient(testClient, scopes[:50]...))
			},
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.GrantScopes(ctx, testPool, testClient, ordersAPI+"/s50")
				return err
			},
			op:        "GrantScopes",
			want:      []violation{{"AllowedOAuthScopes", rserrors.RuleMaxItems}},
			wantCalls: []string{opDescribeClient, opDescribeServer},
		},
		{
			name: "RevokeScopes with a bad client ID and scope",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.RevokeScopes(ctx, testPool, "a/b", ordersAPI+"/x y")
				return err
			},
			op:   "RevokeScopes",
			want: []violation{{"clientID", rserrors.RulePattern}, {"scopes[0]", rserrors.RulePattern}},
		},
		{
			name: "RevokeScopes of the last scope of an OAuth client",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.RevokeScopes(ctx, testPool, testClient, ordersAPI+"/orders.read")
				return err
			},
			op:        "RevokeScopes",
			want:      []violation{{"AllowedOAuthScopes", rserrors.RuleRequired}},
			wantCalls: []string{opDescribeClient},
		},
		{
			name: "Grants with a bad pool ID",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Grants(ctx, "us-east-1_")
				return err
			},
			op:   "Grants",
			want: []violation{{"poolID", rserrors.RulePattern}},
		},
		{
			name: "Holders with a bad pool ID and scope",
			call: func(ctx context.Context, c *appclient.Client) error {
				_, err := c.Holders(ctx, "bad", []string{"openid", "bad"})
				return err
			},
			op:   "Holders",
			want: []violation{{"poolID", rserrors.RulePattern}, {"scopes[1]", rserrors.RulePattern}},
		},
		{
			name: "List with a bad pool ID",
			call: func(ctx context.Context, c *appclient.Client) error {
				for _, err := range c.List(ctx, "") {
					return err
				}
				return nil
			},
			op:   "List",
			want: []violation{{"poolID", rserrors.RuleLength}},
		},
		{
			name: "Revoke with a bad client ID after a good one",
			call: func(ctx context.Context, c *appclient.Client) error {
				return c.Revoke(ctx, testPool, ordersAPI+"/orders.read", []string{testClient, "bad!"})
			},
			op:   "Revoke",
			want: []violation{{"clientIDs[1]", rserrors.RulePattern}},
		},
		{
			name: "Revoke with a bad pool ID and scope",
			call: func(ctx context.Context, c *appclient.Client) error {
				return c.Revoke(ctx, "bad", "no-slash", nil)
			},
			op:   "Revoke",
			want: []violation{{"poolID", rserrors.RulePattern}, {"scope", rserrors.RulePattern}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, c := setup(t)
			if tt.prep != nil {
				tt.prep(f)
			}
			err := tt.call(context.Background(), c)
			var ve *rserrors.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s error = %v, want a *rserrors.ValidationError", tt.op, err)
			}
			var op *appclient.OpError
			if !errors.As(err, &op) || op.Op != tt.op || ve.Operation != tt.op {
				t.Errorf("%s error = %v, want an *OpError of %[1]s holding a ValidationError of %[1]s", tt.op, err)
			}
			var got []violation
			for _, v := range ve.Violations {
				got = append(got, violation{v.Field, v.Rule})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s violations (-want +got):\n%s", tt.op, diff)
			}
			if diff := cmp.Diff(tt.wantCalls, f.ops()); diff != "" {
				t.Errorf("%s calls (-want +got):\n%s", tt.op, diff)
			}
		})
	}
}

// TestValidIDsPass checks IDs at the edges of Cognito's rules, which must
// reach Cognito (the fake answers that the app client does not exist).
func TestValidIDsPass(t *testing.T) {
	for _, id := range []string{"a", "abc+DEF_09", strings.Repeat("Z", 128), "+", "_"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			f, c := setup(t)
			_, err := c.Get(context.Background(), testPool, id)
			if !rserrors.IsNotFound(err) {
				t.Fatalf("Get(%q) error = %v, want not found", id, err)
			}
			if diff := cmp.Diff([]string{opDescribeClient}, f.ops()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
