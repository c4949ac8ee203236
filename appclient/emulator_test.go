package appclient_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// These tests drive the real SDK client against the local emulator.

// startEmulator starts an emulator holding testPool and the resource
// server ordersAPI with orders.read and orders.write.
func startEmulator(t testing.TB, opts ...cognitotest.Option) *cognitotest.Server {
	t.Helper()
	s := cognitotest.NewServer(opts...)
	t.Cleanup(s.Close)
	if err := s.AddUserPool(testPool, "test"); err != nil {
		t.Fatalf("AddUserPool() error = %v", err)
	}
	putServer(t, s, ordersAPI, "orders.read", "orders.write")
	return s
}

// putServer stores a resource server with the given scope names,
// replacing any with that identifier.
func putServer(t testing.TB, s *cognitotest.Server, identifier string, scopes ...string) {
	t.Helper()
	rs := cognitotest.ResourceServer{UserPoolID: testPool, Identifier: identifier, Name: "api"}
	for _, n := range scopes {
		rs.Scopes = append(rs.Scopes, cognitotest.Scope{Name: n, Description: n})
	}
	if err := s.PutResourceServer(rs); err != nil {
		t.Fatalf("PutResourceServer() error = %v", err)
	}
}

// putClient stores c in testPool and returns it as stored.
func putClient(t testing.TB, s *cognitotest.Server, c types.UserPoolClientType) types.UserPoolClientType {
	t.Helper()
	got, err := s.PutAppClient(testPool, c)
	if err != nil {
		t.Fatalf("PutAppClient() error = %v", err)
	}
	return got
}

// webClient is an app client whose every updatable field has a valid
// value other than Cognito's default, with OAuth on.
func webClient() types.UserPoolClientType {
	return types.UserPoolClientType{
		ClientId: aws.String("web1"), ClientName: aws.String("web"), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AccessTokenValidity: aws.Int32(30), IdTokenValidity: aws.Int32(45), RefreshTokenValidity: 7,
		TokenValidityUnits:                       &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		AuthSessionValidity:                      aws.Int32(10),
		AllowedOAuthFlowsUserPoolClient:          aws.Bool(true),
		AllowedOAuthFlows:                        []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit},
		AllowedOAuthScopes:                       []string{"openid", "email", ordersAPI + "/orders.read"},
		CallbackURLs:                             []string{"https://app.example.com/cb", "https://app.example.com/cb2"},
		LogoutURLs:                               []string{"https://app.example.com/bye"},
		DefaultRedirectURI:                       aws.String("https://app.example.com/cb2"),
		SupportedIdentityProviders:               []string{"COGNITO", "Google"},
		ExplicitAuthFlows:                        []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		ReadAttributes:                           []string{"email", "name"},
		WriteAttributes:                          []string{"name"},
		PreventUserExistenceErrors:               types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:                    aws.Bool(false),
		EnablePropagateAdditionalUserContextData: aws.Bool(true),
		AnalyticsConfiguration: &types.AnalyticsConfigurationType{
			ApplicationId: aws.String("0123456789abcdef0123456789abcdef"), RoleArn: aws.String("arn:aws:iam::123456789012:role/pinpoint"),
			ExternalId: aws.String("ext"), UserDataShared: true,
		},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(20)},
	}
}

// machine is a client_credentials app client with the given scopes.
func machine(id string, scopes ...string) types.UserPoolClientType {
	return types.UserPoolClientType{
		ClientId: aws.String(id), ClientName: aws.String("machine-" + id), ClientSecret: aws.String("s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"),
		AllowedOAuthFlowsUserPoolClient: aws.Bool(true),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes:              scopes,
	}
}

func emuClient(s *cognitotest.Server, opts ...func(*appclient.Options)) *appclient.Client {
	return appclient.New(s.Client(), append([]func(*appclient.Options){noWait}, opts...)...)
}

// ops returns the operations the emulator received, in order.
func ops(s *cognitotest.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Operation)
	}
	return out
}

var ignoreSDK = cmpopts.IgnoreUnexported(types.UserPoolClientType{}, types.AnalyticsConfigurationType{},
	types.RefreshTokenRotationType{}, types.TokenValidityUnitsType{})

func TestEmulatorGrantKeepsEveryField(t *testing.T) {
	s := startEmulator(t)
	before := putClient(t, s, webClient())
	c := emuClient(s)

	write := ordersAPI + "/orders.write"
	got, err := c.GrantScopes(context.Background(), testPool, "web1", write)
	if err != nil {
		t.Fatalf("GrantScopes() error = %v", err)
	}
	after, _ := s.AppClient(testPool, "web1")
	want := before
	want.AllowedOAuthScopes = append(slices.Clone(before.AllowedOAuthScopes), write)
	if diff := cmp.Diff(want, after, ignoreSDK, cmpopts.IgnoreFields(types.UserPoolClientType{}, "LastModifiedDate")); diff != "" {
		t.Errorf("stored app client after GrantScopes (-want +got):\n%s", diff)
	}
	if !got.AllowedOAuthFlowsUserPoolClient || !got.HasSecret || got.RefreshTokenRotation.RetryGracePeriodSeconds != 20 {
		t.Errorf("GrantScopes() = %+v, want OAuth on, a secret and the rotation kept", got)
	}
	wantOps := []string{"DescribeUserPoolClient", "DescribeResourceServer", "UpdateUserPoolClient", "DescribeUserPoolClient"}
	if diff := cmp.Diff(wantOps, ops(s)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestEmulatorPlainUpdateLosesFields shows the pitfall the package removes:
// an UpdateUserPoolClient that sends only the scopes resets the rest and
// turns OAuth off.
func TestEmulatorPlainUpdateLosesFields(t *testing.T) {
	s := startEmulator(t)
	putClient(t, s, webClient())
	_, err := s.Client().UpdateUserPoolClient(context.Background(), &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(testPool), ClientId: aws.String("web1"), AllowedOAuthScopes: []string{"openid"},
	})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient() error = %v", err)
	}
	after, _ := s.AppClient(testPool, "web1")
	if aws.ToBool(after.AllowedOAuthFlowsUserPoolClient) || len(after.CallbackURLs) != 0 {
		t.Errorf("plain update kept OAuth %v and callback URLs %q; the emulator should reset them", aws.ToBool(after.AllowedOAuthFlowsUserPoolClient), after.CallbackURLs)
	}
}

func TestEmulatorModifyEachField(t *testing.T) {
	tests := []struct {
		name   string
		fn     func(*appclient.AppClient)
		change func(*types.UserPoolClientType)
	}{
		{"name", func(a *appclient.AppClient) { a.ClientName = "web2" },
			func(c *types.UserPoolClientType) { c.ClientName = aws.String("web2") }},
		{"callback URL", func(a *appclient.AppClient) { a.CallbackURLs = append(a.CallbackURLs, "https://app.example.com/cb3") },
			func(c *types.UserPoolClientType) {
				c.CallbackURLs = append(c.CallbackURLs, "https://app.example.com/cb3")
			}},
		{"token revocation", func(a *appclient.AppClient) { a.EnableTokenRevocation = true },
			func(c *types.UserPoolClientType) { c.EnableTokenRevocation = aws.Bool(true) }},
		{"access token validity", func(a *appclient.AppClient) { a.AccessTokenValidity = 60 },
			func(c *types.UserPoolClientType) { c.AccessTokenValidity = aws.Int32(60) }},
		{"OAuth off, explicitly", func(a *appclient.AppClient) {
			a.AllowedOAuthFlowsUserPoolClient, a.AllowedOAuthFlows, a.AllowedOAuthScopes = false, nil, nil
			a.CallbackURLs, a.LogoutURLs, a.DefaultRedirectURI = nil, nil, ""
		}, func(c *types.UserPoolClientType) {
			c.AllowedOAuthFlowsUserPoolClient, c.AllowedOAuthFlows, c.AllowedOAuthScopes = aws.Bool(false), nil, nil
			c.CallbackURLs, c.LogoutURLs, c.DefaultRedirectURI = nil, nil, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startEmulator(t)
			before := putClient(t, s, webClient())
			_, err := emuClient(s).Modify(context.Background(), testPool, "web1", func(a *appclient.AppClient) error {
				tt.fn(a)
				return nil
			})
			if err != nil {
				t.Fatalf("Modify() error = %v", err)
			}
			want := before
			tt.change(&want)
			after, _ := s.AppClient(testPool, "web1")
			if diff := cmp.Diff(want, after, ignoreSDK, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(types.UserPoolClientType{}, "LastModifiedDate")); diff != "" {
				t.Errorf("stored app client (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmulatorMissingScopeRefusedBeforeUpdate(t *testing.T) {
	s := startEmulator(t)
	putClient(t, s, machine("m1", ordersAPI+"/orders.read"))
	_, err := emuClient(s).GrantScopes(context.Background(), testPool, "m1", ordersAPI+"/orders.delete", "https://billing.example.com/read")
	var e *appclient.ScopeNotFoundError
	if !errors.As(err, &e) || len(e.Scopes) != 2 || e.Err != nil {
		t.Fatalf("GrantScopes() error = %v, want *ScopeNotFoundError for 2 scopes found by the Client", err)
	}
	if slices.Contains(ops(s), "UpdateUserPoolClient") {
		t.Errorf("requests = %v, want no UpdateUserPoolClient", ops(s))
	}
}

// TestEmulatorInactiveScopes removes a granted scope from its resource
// server, then checks Grants, a grant to a client holding the inactive
// scope under both of the emulator's readings of Cognito, and a revoke.
func TestEmulatorInactiveScopes(t *testing.T) {
	read, gone := ordersAPI+"/orders.read", ordersAPI+"/orders.write"
	for _, accept := range []bool{false, true} {
		t.Run(map[bool]string{false: "strict", true: "accepting"}[accept], func(t *testing.T) {
			t.Parallel()
			s := startEmulator(t, cognitotest.WithInactiveScopes(accept))
			putServer(t, s, "https://billing.example.com", "invoices")
			putClient(t, s, machine("m1", read, gone))
			putClient(t, s, machine("m2", gone, "https://billing.example.com/invoices"))
			putClient(t, s, machine("m3", "https://billing.example.com/invoices"))
			putServer(t, s, ordersAPI, "orders.read") // orders.write becomes inactive
			c := emuClient(s)
			ctx := context.Background()

			g, err := c.Grants(ctx, testPool)
			if err != nil {
				t.Fatalf("Grants() error = %v", err)
			}
			want := []appclient.ScopeGrant{
				{Scope: "https://billing.example.com/invoices", Clients: []appclient.ClientRef{{ID: "m2", Name: "machine-m2"}, {ID: "m3", Name: "machine-m3"}}},
				{Scope: read, Clients: []appclient.ClientRef{{ID: "m1", Name: "machine-m1"}}},
				{Scope: gone, Inactive: true, Clients: []appclient.ClientRef{{ID: "m1", Name: "machine-m1"}, {ID: "m2", Name: "machine-m2"}}},
			}
			if diff := cmp.Diff(want, g.Scopes); diff != "" {
				t.Errorf("Grants().Scopes (-want +got):\n%s", diff)
			}
			h, err := c.Holders(ctx, testPool, []string{gone, read, "openid"})
			if err != nil {
				t.Fatalf("Holders() error = %v", err)
			}
			if diff := cmp.Diff(map[string][]string{gone: {"m1", "m2"}, read: {"m1"}}, h); diff != "" {
				t.Errorf("Holders() (-want +got):\n%s", diff)
			}

			// m1 holds the inactive scope: granting another sends it back.
			_, err = c.GrantScopes(ctx, testPool, "m1", "https://billing.example.com/invoices")
			stored, _ := s.AppClient(testPool, "m1")
			if accept {
				if err != nil {
					t.Fatalf("GrantScopes() error = %v", err)
				}
				if diff := cmp.Diff([]string{read, gone, "https://billing.example.com/invoices"}, stored.AllowedOAuthScopes); diff != "" {
					t.Errorf("m1 scopes (-want +got):\n%s", diff)
				}
			} else {
				var e *appclient.ScopeNotFoundError
				var sd *rserrors.ScopeDoesNotExistError
				if !errors.As(err, &e) || !errors.As(e.Err, &sd) || sd.Operation != "UpdateUserPoolClient" ||
					!cmp.Equal(e.Scopes, []string{gone}) || !rserrors.IsScopeDoesNotExist(err) {
					t.Fatalf("GrantScopes() error = %v, want Cognito's ScopeDoesNotExist for %s", err, gone)
				}
				if diff := cmp.Diff([]string{read, gone}, stored.AllowedOAuthScopes); diff != "" {
					t.Errorf("m1 scopes (-want +got):\n%s", diff)
				}
			}

			// Revoking the inactive scope works under both readings.
			if err := c.Revoke(ctx, testPool, gone, []string{"m1", "m2"}); err != nil {
				t.Fatalf("Revoke() error = %v", err)
			}
			for _, id := range []string{"m1", "m2"} {
				if in, _ := s.InactiveScopes(testPool, id); len(in) != 0 {
					t.Errorf("%s inactive scopes after Revoke = %q, want none", id, in)
				}
			}
		})
	}
}

func TestEmulatorErrors(t *testing.T) {
	s := startEmulator(t)
	putClient(t, s, machine("m1", ordersAPI+"/orders.read"))
	c := emuClient(s)
	ctx := context.Background()

	if _, err := c.GrantScopes(ctx, testPool, "nosuch", "openid"); !rserrors.IsNotFound(err) {
		t.Errorf("GrantScopes(missing client) error = %v, want not found", err)
	}
	_, err := c.GrantScopes(ctx, testPool, "m1", "openid")
	var flow *rserrors.InvalidOAuthFlowError
	if !errors.As(err, &flow) || !rserrors.IsInvalidOAuthFlow(err) {
		t.Errorf("GrantScopes(openid to client_credentials) error = %v, want *rserrors.InvalidOAuthFlowError", err)
	}
	if _, err := c.RevokeScopes(ctx, testPool, "m1", ordersAPI+"/orders.read"); !rserrors.IsValidation(err) {
		t.Errorf("RevokeScopes(last scope) error = %v, want a validation error", err)
	}
	if _, err := c.Grants(ctx, "us-east-1_Nope"); !rserrors.IsNotFound(err) {
		t.Errorf("Grants(missing pool) error = %v, want not found", err)
	}
}

// TestEmulatorConcurrentGrants grants 20 scopes to one app client from 20
// goroutines through one Client: changes to one app client run one at a
// time, so none is lost.
func TestEmulatorConcurrentGrants(t *testing.T) {
	s := startEmulator(t)
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("s%02d", i))
	}
	putServer(t, s, ordersAPI, append([]string{"orders.read"}, names...)...)
	putClient(t, s, machine("m1", ordersAPI+"/orders.read"))
	c := emuClient(s)
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.GrantScopes(context.Background(), testPool, "m1", ordersAPI+"/"+n)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("GrantScopes() errors: %v", err)
	}
	stored, _ := s.AppClient(testPool, "m1")
	if len(stored.AllowedOAuthScopes) != 21 {
		t.Errorf("stored scopes = %d %q, want 21", len(stored.AllowedOAuthScopes), stored.AllowedOAuthScopes)
	}
}

func TestEmulatorGet(t *testing.T) {
	s := startEmulator(t)
	stored := putClient(t, s, webClient())
	got, err := emuClient(s).Get(context.Background(), testPool, "web1")
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	want := appclient.AppClient{
		UserPoolID: testPool, ClientID: "web1", HasSecret: true,
		CreationDate: *stored.CreationDate, LastModifiedDate: *stored.LastModifiedDate,
		ClientName: "web", AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit},
		AllowedOAuthScopes: []string{"openid", "email", ordersAPI + "/orders.read"},
		CallbackURLs:       []string{"https://app.example.com/cb", "https://app.example.com/cb2"},
		LogoutURLs:         []string{"https://app.example.com/bye"}, DefaultRedirectURI: "https://app.example.com/cb2",
		SupportedIdentityProviders: []string{"COGNITO", "Google"},
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		ReadAttributes:             []string{"email", "name"}, WriteAttributes: []string{"name"},
		AccessTokenValidity: 30, IDTokenValidity: 45, RefreshTokenValidity: 7,
		TokenValidityUnits:  appclient.TokenValidityUnits{AccessToken: types.TimeUnitsTypeMinutes, IDToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		AuthSessionValidity: 10, PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation: false, EnablePropagateAdditionalUserContextData: true,
		AnalyticsConfiguration: appclient.AnalyticsConfiguration{
			ApplicationID: "0123456789abcdef0123456789abcdef", RoleARN: "arn:aws:iam::123456789012:role/pinpoint", ExternalID: "ext", UserDataShared: true,
		},
		RefreshTokenRotation: appclient.RefreshTokenRotation{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: 20},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
		t.Errorf("Get() (-want +got):\n%s", diff)
	}
	if _, err := emuClient(s).Get(context.Background(), testPool, "nosuch"); !rserrors.IsNotFound(err) {
		t.Errorf("Get(nosuch) error = %v, want not found", err)
	}
}

// grantChecker is the interface package resourceserver defines for its
// app-client check; *appclient.Client must satisfy it.
type grantChecker interface {
	Holders(ctx context.Context, poolID string, scopes []string) (map[string][]string, error)
	Revoke(ctx context.Context, poolID, scope string, clientIDs []string) error
}

var _ grantChecker = (*appclient.Client)(nil)
