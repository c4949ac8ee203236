package cognitotest_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// clientOpts compares app clients: the SDK types' unexported markers are ignored.
var clientOpts = cmp.Options{
	cmpopts.IgnoreUnexported(types.UserPoolClientType{}, types.TokenValidityUnitsType{}, types.AnalyticsConfigurationType{},
		types.RefreshTokenRotationType{}, types.UserPoolClientDescription{}),
}

// ignoreDates leaves the dates out of a comparison.
var ignoreDates = cmpopts.IgnoreFields(types.UserPoolClientType{}, "CreationDate", "LastModifiedDate")

var clientIDRE = regexp.MustCompile(`^[a-z0-9]{26}$`)

// defaultClient is what Cognito stores for a client created with only a name (see the package
// documentation): every default explicit.
func defaultClient(pool, id, name string) types.UserPoolClientType {
	return types.UserPoolClientType{
		UserPoolId:                               aws.String(pool),
		ClientId:                                 aws.String(id),
		ClientName:                               aws.String(name),
		RefreshTokenValidity:                     30,
		TokenValidityUnits:                       &types.TokenValidityUnitsType{},
		AllowedOAuthFlowsUserPoolClient:          aws.Bool(false),
		EnableTokenRevocation:                    aws.Bool(true),
		EnablePropagateAdditionalUserContextData: aws.Bool(false),
		AuthSessionValidity:                      aws.Int32(3),
	}
}

// setupAPI adds to pool a resource server "https://api.example.com/v1" with scopes read and
// write.
func setupAPI(t *testing.T, s *rst.Server, pool string) {
	t.Helper()
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "https://api.example.com/v1", Name: "API",
		Scopes: scopes("read", "Read", "write", "Write")}); err != nil {
		t.Fatal(err)
	}
}

const (
	scopeRead  = "https://api.example.com/v1/read"
	scopeWrite = "https://api.example.com/v1/write"
)

func TestAppClientLifecycle(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client()
	ctx := t.Context()
	before := time.Now().Add(-time.Second)

	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web")})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	got := *created.UserPoolClient
	id := aws.ToString(got.ClientId)
	if !clientIDRE.MatchString(id) {
		t.Errorf("ClientId = %q, want 26 lowercase letters and digits", id)
	}
	if got.CreationDate == nil || got.CreationDate.Before(before) || !got.CreationDate.Equal(aws.ToTime(got.LastModifiedDate)) {
		t.Errorf("dates = %v, %v; want equal and recent", got.CreationDate, got.LastModifiedDate)
	}
	want := defaultClient(pool, id, "web")
	if diff := cmp.Diff(want, got, clientOpts, ignoreDates); diff != "" {
		t.Errorf("CreateUserPoolClient output (-want +got):\n%s", diff)
	}
	stored, ok := s.AppClient(pool, id)
	if diff := cmp.Diff(got, stored, clientOpts); !ok || diff != "" {
		t.Errorf("AppClient (found %t) (-answer +stored):\n%s", ok, diff)
	}
	described, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	if diff := cmp.Diff(got, *described.UserPoolClient, clientOpts); diff != "" {
		t.Errorf("DescribeUserPoolClient (-create +describe):\n%s", diff)
	}

	secret, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("m2m"), GenerateSecret: true})
	if err != nil {
		t.Fatalf("CreateUserPoolClient with a secret: %v", err)
	}
	if !regexp.MustCompile(`^[a-z0-9]{51}$`).MatchString(aws.ToString(secret.UserPoolClient.ClientSecret)) {
		t.Errorf("ClientSecret = %q, want 51 lowercase letters and digits", aws.ToString(secret.UserPoolClient.ClientSecret))
	}
	custom, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("custom"), ClientSecret: aws.String("my+own_secret_of_24_chars")})
	if err != nil || aws.ToString(custom.UserPoolClient.ClientSecret) != "my+own_secret_of_24_chars" {
		t.Errorf("CreateUserPoolClient with a custom secret = %v, %v; want the secret kept", custom, err)
	}

	listed, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool)})
	if err != nil {
		t.Fatalf("ListUserPoolClients: %v", err)
	}
	var names []string
	for _, d := range listed.UserPoolClients {
		names = append(names, aws.ToString(d.ClientName))
		if aws.ToString(d.UserPoolId) != pool {
			t.Errorf("listed client %s in pool %q, want %q", aws.ToString(d.ClientId), aws.ToString(d.UserPoolId), pool)
		}
	}
	if len(names) != 3 || listed.NextToken != nil {
		t.Errorf("ListUserPoolClients = %v, token %v; want 3 clients and no token", names, listed.NextToken)
	}

	time.Sleep(2 * time.Millisecond)
	updated, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id), ClientName: aws.String("web2"), RefreshTokenValidity: 10})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	want.ClientName, want.RefreshTokenValidity = aws.String("web2"), 10
	if diff := cmp.Diff(want, *updated.UserPoolClient, clientOpts, ignoreDates); diff != "" {
		t.Errorf("UpdateUserPoolClient output (-want +got):\n%s", diff)
	}
	if !updated.UserPoolClient.CreationDate.Equal(*got.CreationDate) || !updated.UserPoolClient.LastModifiedDate.After(*got.LastModifiedDate) {
		t.Errorf("dates after update = %v, %v; want the creation date kept and a later modification", updated.UserPoolClient.CreationDate, updated.UserPoolClient.LastModifiedDate)
	}

	if _, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	if _, ok := s.AppClient(pool, id); ok {
		t.Errorf("AppClient(%s) still stored after DeleteUserPoolClient", id)
	}
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || aws.ToString(notFound.Message) != "User pool client "+id+" does not exist." {
		t.Errorf("DescribeUserPoolClient after delete = %v, want ResourceNotFoundException", err)
	}

	var logged []string
	for _, r := range s.Requests() {
		logged = append(logged, r.Operation+" "+r.ClientID)
	}
	wantLog := []string{"CreateUserPoolClient ", "DescribeUserPoolClient " + id, "CreateUserPoolClient ", "CreateUserPoolClient ", "ListUserPoolClients ",
		"UpdateUserPoolClient " + id, "DeleteUserPoolClient " + id, "DescribeUserPoolClient " + id}
	if diff := cmp.Diff(wantLog, logged); diff != "" {
		t.Errorf("logged operations and client ids (-want +got):\n%s", diff)
	}

	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	if got := s.AppClients(pool); got != nil {
		t.Errorf("AppClients after DeleteUserPool = %d clients, want none", len(got))
	}
}

// fullUpdate is an UpdateUserPoolClientInput with every field set to a value that is not
// Cognito's default; TestUpdateRoundTripsEveryField fails if the SDK gains a field it leaves out.
func fullUpdate(pool, id string) *cip.UpdateUserPoolClientInput {
	return &cip.UpdateUserPoolClientInput{
		UserPoolId:                      aws.String(pool),
		ClientId:                        aws.String(id),
		AccessTokenValidity:             aws.Int32(30),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit},
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes:              []string{"openid", "email", scopeRead},
		AnalyticsConfiguration: &types.AnalyticsConfigurationType{
			ApplicationId: aws.String("0123456789abcdef"), RoleArn: aws.String("arn:aws:iam::123456789012:role/pinpoint"),
			ExternalId: aws.String("ext"), UserDataShared: true,
		},
		AuthSessionValidity:                      aws.Int32(7),
		CallbackURLs:                             []string{"https://app.example.com/cb", "http://localhost:3000/cb"},
		ClientName:                               aws.String("renamed"),
		DefaultRedirectURI:                       aws.String("https://app.example.com/cb"),
		EnablePropagateAdditionalUserContextData: aws.Bool(true),
		EnableTokenRevocation:                    aws.Bool(false),
		ExplicitAuthFlows:                        []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		IdTokenValidity:                          aws.Int32(45),
		LogoutURLs:                               []string{"https://app.example.com/bye"},
		PreventUserExistenceErrors:               types.PreventUserExistenceErrorTypesEnabled,
		ReadAttributes:                           []string{"email", "custom:tier"},
		RefreshTokenRotation:                     &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(20)},
		RefreshTokenValidity:                     90,
		SupportedIdentityProviders:               []string{"COGNITO", "My IdP"},
		TokenValidityUnits:                       &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		WriteAttributes:                          []string{"custom:tier"},
	}
}

// TestUpdateRoundTripsEveryField sends an update with every field of the SDK's
// UpdateUserPoolClientInput set, and checks by reflection that DescribeUserPoolClient returns each
// one as sent; then an update with no field but the ids resets each to its default.
func TestUpdateRoundTripsEveryField(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	setupAPI(t, s, pool)
	c := s.Client()
	ctx := t.Context()
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web"), GenerateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.UserPoolClient.ClientId)
	in := fullUpdate(pool, id)

	inV := reflect.ValueOf(in).Elem()
	defaults := reflect.ValueOf(defaultClient(pool, id, "web"))
	for i := range inV.NumField() {
		f := inV.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if inV.Field(i).IsZero() {
			t.Errorf("fullUpdate leaves %s unset: give it a value that is not the default", f.Name)
		}
		if d := defaults.FieldByName(f.Name); d.IsValid() && f.Name != "UserPoolId" && f.Name != "ClientId" && reflect.DeepEqual(deref(d), deref(inV.Field(i))) {
			t.Errorf("fullUpdate sets %s to its default %v", f.Name, deref(d))
		}
	}

	if _, err := c.UpdateUserPoolClient(ctx, in); err != nil {
		t.Fatalf("UpdateUserPoolClient with every field: %v", err)
	}
	described, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	outV := reflect.ValueOf(described.UserPoolClient).Elem()
	for i := range inV.NumField() {
		f := inV.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		got := outV.FieldByName(f.Name)
		if !got.IsValid() {
			t.Errorf("UserPoolClientType has no field %s of UpdateUserPoolClientInput", f.Name)
			continue
		}
		if diff := cmp.Diff(deref(inV.Field(i)), deref(got), clientOpts); diff != "" {
			t.Errorf("%s after update (-sent +described):\n%s", f.Name, diff)
		}
	}

	reset, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient with ids only: %v", err)
	}
	want := defaultClient(pool, id, "renamed")
	want.ClientSecret = created.UserPoolClient.ClientSecret
	if diff := cmp.Diff(want, *reset.UserPoolClient, clientOpts, ignoreDates); diff != "" {
		t.Errorf("UpdateUserPoolClient with ids only did not reset every field (-want +got):\n%s", diff)
	}
}

// deref returns the value v points to, or v if it is not a pointer.
func deref(v reflect.Value) any {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}

func TestAllowedOAuthScopes(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	setupAPI(t, s, pool)
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "orders", Name: "Orders", Scopes: scopes("read", "R")}); err != nil {
		t.Fatal(err)
	}
	c := s.Client(oneShot)
	many := make([]string, 51)
	for i := range many {
		many[i] = "openid"
	}
	tests := []struct {
		name     string
		scopes   []string
		wantCode string // "" means accepted
		wantMsg  string
	}{
		{"standard scopes", []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}, "", ""},
		{"custom scopes, identifier with slashes", []string{scopeRead, scopeWrite, "orders/read"}, "", ""},
		{"fifty", many[:50], "", ""},
		{"unknown scope name", []string{"openid", "https://api.example.com/v1/delete"}, "ScopeDoesNotExistException", "Invalid scope requested: https://api.example.com/v1/delete"},
		{"unknown server", []string{"billing/read"}, "ScopeDoesNotExistException", "Invalid scope requested: billing/read"},
		{"split on the first slash would find it", []string{"orders/read/x"}, "ScopeDoesNotExistException", "Invalid scope requested: orders/read/x"},
		{"no slash", []string{"read"}, "ScopeDoesNotExistException", "Invalid scope requested: read"},
		{"case matters", []string{"OpenID"}, "ScopeDoesNotExistException", "Invalid scope requested: OpenID"},
		{"fifty-one", many, "InvalidParameterException", ""},
		{"space in a scope", []string{"a b"}, "InvalidParameterException",
			`1 validation error detected: Value 'a b' at 'allowedOAuthScopes.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("c"), AllowedOAuthScopes: tt.scopes})
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("CreateUserPoolClient(%q) = %v, want success", tt.scopes, err)
				}
				if diff := cmp.Diff(tt.scopes, created.UserPoolClient.AllowedOAuthScopes); diff != "" {
					t.Errorf("AllowedOAuthScopes (-want +got):\n%s", diff)
				}
				return
			}
			code, msg := apiError(t, err)
			if code != tt.wantCode || (tt.wantMsg != "" && msg != tt.wantMsg) {
				t.Errorf("CreateUserPoolClient(%q) = %s %q, want %s %q", tt.scopes, code, msg, tt.wantCode, tt.wantMsg)
			}
			if tt.wantCode == "ScopeDoesNotExistException" {
				var sde *types.ScopeDoesNotExistException
				if !errors.As(err, &sde) {
					t.Errorf("error %v is not a *types.ScopeDoesNotExistException", err)
				}
			}
		})
	}
	if n := len(s.AppClients(pool)); n != 3 {
		t.Errorf("%d clients stored, want the 3 accepted", n)
	}
}

func TestOAuthFlowRules(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	setupAPI(t, s, pool)
	c := s.Client(oneShot)
	cb := []string{"https://app.example.com/cb"}
	flows := func(f ...types.OAuthFlowType) []types.OAuthFlowType { return f }
	tests := []struct {
		name     string
		in       cip.CreateUserPoolClientInput
		wantCode string // "" means accepted
	}{
		{"OAuth off by default", cip.CreateUserPoolClientInput{}, ""},
		{"code flow", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("code"), AllowedOAuthScopes: []string{"openid"}, CallbackURLs: cb}, ""},
		{"code and implicit", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("code", "implicit"), AllowedOAuthScopes: []string{"openid", scopeRead}, CallbackURLs: cb}, ""},
		{"machine client", cip.CreateUserPoolClientInput{GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("client_credentials"), AllowedOAuthScopes: []string{scopeRead, scopeWrite}}, ""},
		{"flows without the switch are kept", cip.CreateUserPoolClientInput{AllowedOAuthFlows: flows("code"), AllowedOAuthScopes: []string{"openid"}}, ""},
		{"switch on without flows", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"openid"}, CallbackURLs: cb}, "InvalidParameterException"},
		{"switch on without scopes", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("code"), CallbackURLs: cb}, "InvalidParameterException"},
		// code or implicit without CallbackURLs, and client_credentials without a secret, are in the
		// conformance suite (conformance.Run, AppClientValidation).
		{"client_credentials with code", cip.CreateUserPoolClientInput{GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("client_credentials", "code"), AllowedOAuthScopes: []string{scopeRead}, CallbackURLs: cb}, "InvalidOAuthFlowException"},
		{"client_credentials with a standard scope", cip.CreateUserPoolClientInput{GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("client_credentials"), AllowedOAuthScopes: []string{scopeRead, "openid"}}, "InvalidOAuthFlowException"},
		{"unknown flow", cip.CreateUserPoolClientInput{AllowedOAuthFlows: flows("password")}, "InvalidParameterException"},
		{"secret generated and given", cip.CreateUserPoolClientInput{GenerateSecret: true, ClientSecret: aws.String("abcdefghijklmnopqrstuvwxyz")}, "InvalidParameterException"},
		{"context data without secret", cip.CreateUserPoolClientInput{EnablePropagateAdditionalUserContextData: aws.Bool(true)}, "InvalidParameterException"},
		{"context data with secret", cip.CreateUserPoolClientInput{GenerateSecret: true, EnablePropagateAdditionalUserContextData: aws.Bool(true)}, ""},
		{"default redirect not a callback", cip.CreateUserPoolClientInput{CallbackURLs: cb, DefaultRedirectURI: aws.String("https://other.example.com")}, "InvalidParameterException"},
		{"http callback to localhost", cip.CreateUserPoolClientInput{CallbackURLs: []string{"http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:1/cb", "myapp://cb"}}, ""},
		{"http callback elsewhere", cip.CreateUserPoolClientInput{CallbackURLs: []string{"http://app.example.com/cb"}}, "InvalidParameterException"},
		{"relative callback", cip.CreateUserPoolClientInput{CallbackURLs: []string{"/cb"}}, "InvalidParameterException"},
		{"callback with fragment", cip.CreateUserPoolClientInput{CallbackURLs: []string{"https://app.example.com/cb#x"}}, "InvalidParameterException"},
		{"legacy and ALLOW_ auth flows", cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}}, "InvalidParameterException"},
		{"access token of 4 minutes", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(4), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: "minutes"}}, "InvalidParameterException"},
		{"access token of 25 hours", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(25)}, "InvalidParameterException"},
		{"access token of 24 hours", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(24)}, ""},
		{"refresh token of 3651 days", cip.CreateUserPoolClientInput{RefreshTokenValidity: 3651}, "InvalidParameterException"},
		{"refresh token of 59 minutes", cip.CreateUserPoolClientInput{RefreshTokenValidity: 59, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: "minutes"}}, "InvalidParameterException"},
		{"auth session of 16 minutes", cip.CreateUserPoolClientInput{AuthSessionValidity: aws.Int32(16)}, "InvalidParameterException"},
		{"unknown user-existence setting", cip.CreateUserPoolClientInput{PreventUserExistenceErrors: "ON"}, "InvalidParameterException"},
		{"rotation grace of 61 seconds", cip.CreateUserPoolClientInput{RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: "ENABLED", RetryGracePeriodSeconds: aws.Int32(61)}}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.UserPoolId, in.ClientName = aws.String(pool), aws.String(tt.name)
			_, err := c.CreateUserPoolClient(t.Context(), &in)
			if tt.wantCode == "" {
				if err != nil {
					t.Errorf("CreateUserPoolClient = %v, want success", err)
				}
				return
			}
			if code, msg := apiError(t, err); code != tt.wantCode {
				t.Errorf("CreateUserPoolClient = %s %q, want %s", code, msg, tt.wantCode)
			}
		})
	}
	// The same rules hold on Update.
	created, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateUserPoolClient(t.Context(), &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: created.UserPoolClient.ClientId,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows("client_credentials"), AllowedOAuthScopes: []string{scopeRead}})
	var flowErr *types.InvalidOAuthFlowException
	if !errors.As(err, &flowErr) {
		t.Errorf("UpdateUserPoolClient to client_credentials without a secret = %v, want InvalidOAuthFlowException", err)
	}
}

func TestInactiveScopes(t *testing.T) {
	t.Parallel()
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprintf("accept=%t", accept), func(t *testing.T) {
			t.Parallel()
			s, pool := setup(t, rst.WithInactiveScopes(accept))
			setupAPI(t, s, pool)
			c := s.Client(oneShot)
			ctx := t.Context()
			const api = "https://api.example.com/v1"
			created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("m2m"), GenerateSecret: true,
				AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"}, AllowedOAuthScopes: []string{scopeRead, scopeWrite}})
			if err != nil {
				t.Fatal(err)
			}
			id := created.UserPoolClient.ClientId
			describeScopes := func() []string {
				t.Helper()
				out, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
				if err != nil {
					t.Fatal(err)
				}
				return out.UserPoolClient.AllowedOAuthScopes
			}
			inactive := func() []string {
				t.Helper()
				got, err := s.InactiveScopes(pool, *id)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			update := func(scopes ...string) error {
				_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id, AllowedOAuthFlowsUserPoolClient: true,
					AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"}, AllowedOAuthScopes: scopes})
				return err
			}

			// Removing write from the server leaves it on the client, inactive.
			if _, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(api), Name: aws.String("API"), Scopes: sdkScopes("read", "Read")}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{scopeRead, scopeWrite}, describeScopes()); diff != "" {
				t.Errorf("scopes after the server dropped write (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{scopeWrite}, inactive()); diff != "" {
				t.Errorf("InactiveScopes (-want +got):\n%s", diff)
			}

			// Sending the inactive scope back: refused or kept, as the option says.
			err = update(scopeRead, scopeWrite)
			var sde *types.ScopeDoesNotExistException
			if accept && err != nil {
				t.Errorf("update sending the inactive scope back = %v, want success", err)
			}
			if !accept && (!errors.As(err, &sde) || aws.ToString(sde.Message) != "Invalid scope requested: "+scopeWrite) {
				t.Errorf("update sending the inactive scope back = %v, want ScopeDoesNotExistException", err)
			}
			// A scope the client does not allow yet must exist, whatever the option.
			if err := update(scopeRead, "https://api.example.com/v1/admin"); !errors.As(err, &sde) {
				t.Errorf("update adding an unknown scope = %v, want ScopeDoesNotExistException", err)
			}
			_, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("new"), AllowedOAuthScopes: []string{scopeWrite}})
			if !errors.As(err, &sde) {
				t.Errorf("create with the removed scope = %v, want ScopeDoesNotExistException", err)
			}

			// Re-adding write makes it active again: the client regains it silently.
			if _, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(api), Name: aws.String("API"), Scopes: sdkScopes("read", "Read", "write", "Write")}); err != nil {
				t.Fatal(err)
			}
			if got := inactive(); got != nil {
				t.Errorf("InactiveScopes after re-adding write = %q, want none", got)
			}
			// Deleting the server leaves both scopes listed, inactive.
			if _, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(api)}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{scopeRead, scopeWrite}, describeScopes()); diff != "" {
				t.Errorf("scopes after the server was deleted (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{scopeRead, scopeWrite}, inactive()); diff != "" {
				t.Errorf("InactiveScopes after the server was deleted (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListUserPoolClientsPagination(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	other := s.CreateUserPool("other")
	var want []string
	for i := range 7 {
		c, err := s.PutAppClient(pool, types.UserPoolClientType{ClientName: aws.String(fmt.Sprintf("c%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(c.ClientId))
	}
	if _, err := s.PutAppClient(other, types.UserPoolClientType{ClientName: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	c := s.Client(oneShot)
	var got []string
	var token *string
	pages := 0
	for {
		out, err := c.ListUserPoolClients(t.Context(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.UserPoolClients {
			got = append(got, aws.ToString(d.ClientId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if diff := cmp.Diff(sortedCopy(want), got); diff != "" || pages != 3 {
		t.Errorf("listed %d pages (-want +got):\n%s", pages, diff)
	}
	page, err := c.ListUserPoolClients(t.Context(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   cip.ListUserPoolClientsInput
	}{
		{"MaxResults 61", cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(61)}},
		{"MaxResults 0", cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(0)}},
		{"another pool's token", cip.ListUserPoolClientsInput{UserPoolId: aws.String(other), NextToken: page.NextToken}},
		{"forged token", cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), NextToken: aws.String("dWM6" + pool)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListUserPoolClients(t.Context(), &tt.in)
			var invalid *types.InvalidParameterException
			if !errors.As(err, &invalid) {
				t.Errorf("ListUserPoolClients = %v, want InvalidParameterException", err)
			}
		})
	}
	if out, err := c.ListUserPoolClients(t.Context(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(60)}); err != nil || len(out.UserPoolClients) != 7 {
		t.Errorf("ListUserPoolClients(60) = %v, %v; want 7 clients", out, err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAppClientQuotas(t *testing.T) {
	t.Parallel()
	t.Run("rate per category", func(t *testing.T) {
		t.Parallel()
		// A rate of 1 per hour leaves a burst of one call per (pool, category).
		s, pool := setup(t, rst.WithRateLimit(1.0/3600))
		c := s.Client(oneShot)
		ctx := t.Context()
		created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("a")})
		if err != nil {
			t.Fatal(err)
		}
		id := created.UserPoolClient.ClientId
		calls := []struct {
			name     string
			call     func() error
			wantCode string
		}{
			{"second update-category call", func() error {
				_, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
				return err
			}, "TooManyRequestsException"},
			{"first read-category call", func() error {
				_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: id})
				return err
			}, ""},
			{"second read-category call", func() error {
				_, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool)})
				return err
			}, "TooManyRequestsException"},
			{"resource-server categories are apart", func() error {
				_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool)})
				return err
			}, ""},
		}
		for _, tc := range calls {
			err := tc.call()
			if tc.wantCode == "" {
				if err != nil {
					t.Errorf("%s = %v, want success", tc.name, err)
				}
				continue
			}
			var tooMany *types.TooManyRequestsException
			if !errors.As(err, &tooMany) {
				t.Errorf("%s = %v, want TooManyRequestsException", tc.name, err)
			}
		}
		if _, ok := s.AppClient(pool, *id); !ok {
			t.Error("a throttled DeleteUserPoolClient deleted the client")
		}
	})
	t.Run("account quota per category", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t, rst.WithAccountRateLimit(1.0/3600, 1.0/3600))
		other := s.CreateUserPool("other")
		c := s.Client(oneShot)
		ctx := t.Context()
		if _, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool)}); err != nil {
			t.Errorf("first app-client read = %v, want success", err)
		}
		var tooMany *types.TooManyRequestsException
		if _, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(other)}); !errors.As(err, &tooMany) {
			t.Errorf("second app-client read, in another pool = %v, want TooManyRequestsException", err)
		}
		if _, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(other)}); err != nil {
			t.Errorf("first resource-server read = %v, want success", err)
		}
		if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(other), ClientName: aws.String("c")}); err != nil {
			t.Errorf("first app-client update = %v, want success", err)
		}
	})
	t.Run("clients per pool", func(t *testing.T) {
		t.Parallel()
		s, pool := setup(t, rst.WithMaxAppClients(2))
		c := s.Client(oneShot)
		for i := range 3 {
			_, err := c.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("c")})
			var limit *types.LimitExceededException
			if i < 2 && err != nil {
				t.Errorf("CreateUserPoolClient #%d = %v, want success", i+1, err)
			}
			if i == 2 && !errors.As(err, &limit) {
				t.Errorf("CreateUserPoolClient #3 = %v, want LimitExceededException", err)
			}
		}
		if n := len(s.AppClients(pool)); n != 2 {
			t.Errorf("%d clients stored, want 2", n)
		}
	})
}

func TestAppClientValidation(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client(oneShot)
	ctx := t.Context()
	tests := []struct {
		name    string
		call    func() error
		wantMsg string
	}{
		{"create without a name", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("")})
			return err
		}, "2 validation errors detected: Value '' at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
			`Value '' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"several members", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("n"),
				AccessTokenValidity: aws.Int32(0), PreventUserExistenceErrors: "ON", AllowedOAuthFlows: []types.OAuthFlowType{"password"}})
			return err
		}, "3 validation errors detected: Value '0' at 'accessTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
			"Value 'password' at 'allowedOAuthFlows.1.member' failed to satisfy constraint: Member must satisfy enum value set: [code, implicit, client_credentials]; " +
			"Value 'ON' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]"},
		{"bad client id", func() error {
			_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("a-b")})
			return err
		}, `1 validation error detected: Value 'a-b' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
		{"unknown client", func() error {
			_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("nope")})
			return err
		}, "User pool client nope does not exist."},
		{"unknown pool", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_Nope"), ClientName: aws.String("n")})
			return err
		}, "User pool us-east-1_Nope does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("call = %v, want a service error", err)
			}
			if diff := cmp.Diff(tt.wantMsg, ae.ErrorMessage()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
	if got := s.AppClients(pool); got != nil {
		t.Errorf("refused requests stored %d clients", len(got))
	}
}

func TestPutAppClient(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	created := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	got, err := s.PutAppClient(pool, types.UserPoolClientType{
		ClientId: aws.String("fixedid123"), ClientName: aws.String("legacy"), CreationDate: &created,
		AllowedOAuthScopes: []string{"gone/scope"}, ClientSecret: aws.String("abcdefghijklmnopqrstuvwxyz"),
	})
	if err != nil {
		t.Fatalf("PutAppClient: %v", err)
	}
	want := defaultClient(pool, "fixedid123", "legacy")
	want.AllowedOAuthScopes = []string{"gone/scope"}
	want.ClientSecret = aws.String("abcdefghijklmnopqrstuvwxyz")
	want.CreationDate, want.LastModifiedDate = &created, &created
	if diff := cmp.Diff(want, got, clientOpts); diff != "" {
		t.Errorf("PutAppClient (-want +got):\n%s", diff)
	}
	described, err := s.Client().DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String("fixedid123")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, *described.UserPoolClient, clientOpts, cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
		t.Errorf("DescribeUserPoolClient of a put client (-want +got):\n%s", diff)
	}
	if inactive, err := s.InactiveScopes(pool, "fixedid123"); err != nil || !cmp.Equal(inactive, []string{"gone/scope"}) {
		t.Errorf("InactiveScopes = %q, %v; want [gone/scope]", inactive, err)
	}

	// A copy cannot change the store.
	got.AllowedOAuthScopes[0] = "changed"
	*got.ClientName = "changed"
	again, _ := s.AppClient(pool, "fixedid123")
	if diff := cmp.Diff(want, again, clientOpts); diff != "" {
		t.Errorf("store changed through a copy (-want +got):\n%s", diff)
	}

	errs := []struct {
		name string
		pool string
		c    types.UserPoolClientType
		want error
	}{
		{"no name", pool, types.UserPoolClientType{}, rst.ErrInvalidParameter},
		{"bad id", pool, types.UserPoolClientType{ClientId: aws.String("a b"), ClientName: aws.String("n")}, rst.ErrInvalidParameter},
		{"short secret", pool, types.UserPoolClientType{ClientName: aws.String("n"), ClientSecret: aws.String("short")}, rst.ErrInvalidParameter},
		{"51 scopes", pool, types.UserPoolClientType{ClientName: aws.String("n"), AllowedOAuthScopes: make([]string, 51)}, rst.ErrInvalidParameter},
		{"missing pool", "us-east-1_Nope", types.UserPoolClientType{ClientName: aws.String("n")}, rst.ErrUserPoolNotFound},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.PutAppClient(tt.pool, tt.c); !errors.Is(err, tt.want) {
				t.Errorf("PutAppClient = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.InactiveScopes(pool, "nope"); !errors.Is(err, rst.ErrAppClientNotFound) {
		t.Errorf("InactiveScopes of a missing client = %v, want ErrAppClientNotFound", err)
	}
}

func TestAppClientWire(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	tests := []struct {
		name     string
		op       string
		body     string
		wantCode string // "" means success
		wantMsg  string // checked when not ""
	}{
		{"nested member names are case-sensitive", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","RefreshTokenRotation":{"feature":"ENABLED"}}`,
			"InvalidParameterException", "1 validation error detected: Value null at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must not be null"},
		{"string for a number", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","AuthSessionValidity":"5"}`, "SerializationException", ""},
		{"number for a nested string", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","TokenValidityUnits":{"AccessToken":5}}`, "SerializationException", ""},
		{"object for a list", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","CallbackURLs":{}}`, "SerializationException", ""},
		{"null list element", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","LogoutURLs":["https://a.example",null]}`,
			"InvalidParameterException", "1 validation error detected: Value null at 'logoutURLs.2.member' failed to satisfy constraint: Member must not be null"},
		{"null members are absent", "CreateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientName":"n","CallbackURLs":null,"TokenValidityUnits":null}`, "", ""},
		{"Update ignores GenerateSecret", "UpdateUserPoolClient", `{"UserPoolId":"` + pool + `","ClientId":"nope","GenerateSecret":"not even a boolean"}`,
			"ResourceNotFoundException", "User pool client nope does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post(t, s, "", tt.op, []byte(tt.body))
			if got.code != tt.wantCode || (tt.wantMsg != "" && got.message != tt.wantMsg) {
				t.Errorf("%s %s = %+v, want %s %q", tt.op, tt.body, got, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
