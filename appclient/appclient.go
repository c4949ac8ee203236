package appclient

import (
	"reflect"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// AppClient is a Cognito app client (a user pool client) as a plain value:
// the read-only fields first, then every field that UpdateUserPoolClient
// sets. A field that DescribeUserPoolClient leaves out reads as its zero
// value; the zero value of an optional field (a validity of 0, an empty
// TokenValidityUnits, AnalyticsConfiguration or RefreshTokenRotation) means
// "not set", Cognito's default.
type AppClient struct {
	// UserPoolID is the user pool that holds the app client (read-only).
	UserPoolID string
	// ClientID is the app client's ID (read-only).
	ClientID string
	// HasSecret reports whether the app client has a client secret
	// (read-only); the secret itself is never kept.
	HasSecret bool
	// CreationDate and LastModifiedDate are Cognito's timestamps (read-only).
	CreationDate, LastModifiedDate time.Time

	// ClientName is the app client's friendly name.
	ClientName string
	// AllowedOAuthFlowsUserPoolClient turns on the OAuth 2.0 features of
	// the app client. UpdateUserPoolClient sets it to false, switching OAuth
	// off, whenever a request leaves it out; a Client always sends it.
	AllowedOAuthFlowsUserPoolClient bool
	// AllowedOAuthFlows lists the OAuth grant types: code, implicit,
	// client_credentials.
	AllowedOAuthFlows []types.OAuthFlowType
	// AllowedOAuthScopes lists the scopes the app client may request:
	// standard scopes such as "openid", and custom scopes
	// "<resource server identifier>/<scope name>". At most 50.
	AllowedOAuthScopes []string
	// CallbackURLs and LogoutURLs are the allowed redirect and sign-out URLs.
	CallbackURLs, LogoutURLs []string
	// DefaultRedirectURI is the default redirect URI, one of CallbackURLs.
	DefaultRedirectURI string
	// SupportedIdentityProviders names the identity providers of managed
	// login, such as "COGNITO".
	SupportedIdentityProviders []string
	// ExplicitAuthFlows lists the authentication flows the app client supports.
	ExplicitAuthFlows []types.ExplicitAuthFlowsType
	// ReadAttributes and WriteAttributes are the user attributes the app
	// client may read and write.
	ReadAttributes, WriteAttributes []string
	// AccessTokenValidity, IDTokenValidity and RefreshTokenValidity are the
	// token lifetimes in the units of TokenValidityUnits; 0 means not set.
	AccessTokenValidity, IDTokenValidity, RefreshTokenValidity int32
	// TokenValidityUnits holds the units of the three token validities.
	TokenValidityUnits TokenValidityUnits
	// AuthSessionValidity is the lifetime, in minutes, of an authentication
	// session token; 0 means not set.
	AuthSessionValidity int32
	// PreventUserExistenceErrors is ENABLED or LEGACY; empty means not set.
	PreventUserExistenceErrors types.PreventUserExistenceErrorTypes
	// EnableTokenRevocation turns on token revocation.
	EnableTokenRevocation bool
	// EnablePropagateAdditionalUserContextData lets the app send user
	// context data for threat protection.
	EnablePropagateAdditionalUserContextData bool
	// AnalyticsConfiguration is the Amazon Pinpoint analytics set-up.
	AnalyticsConfiguration AnalyticsConfiguration
	// RefreshTokenRotation is the refresh-token rotation set-up.
	RefreshTokenRotation RefreshTokenRotation
}

// TokenValidityUnits holds the time units of an app client's token
// validities: seconds, minutes, hours or days; empty means Cognito's default.
type TokenValidityUnits struct {
	AccessToken, IDToken, RefreshToken types.TimeUnitsType
}

// AnalyticsConfiguration is an app client's Amazon Pinpoint analytics set-up.
type AnalyticsConfiguration struct {
	ApplicationARN, ApplicationID, ExternalID, RoleARN string
	UserDataShared                                     bool
}

// RefreshTokenRotation is an app client's refresh-token rotation set-up.
type RefreshTokenRotation struct {
	// Feature is ENABLED or DISABLED.
	Feature types.FeatureType
	// RetryGracePeriodSeconds is how long a rotated-out refresh token stays
	// valid.
	RetryGracePeriodSeconds int32
}

// clone returns a deep copy of a.
func (a AppClient) clone() AppClient {
	a.AllowedOAuthFlows = slices.Clone(a.AllowedOAuthFlows)
	a.AllowedOAuthScopes = slices.Clone(a.AllowedOAuthScopes)
	a.CallbackURLs = slices.Clone(a.CallbackURLs)
	a.LogoutURLs = slices.Clone(a.LogoutURLs)
	a.SupportedIdentityProviders = slices.Clone(a.SupportedIdentityProviders)
	a.ExplicitAuthFlows = slices.Clone(a.ExplicitAuthFlows)
	a.ReadAttributes = slices.Clone(a.ReadAttributes)
	a.WriteAttributes = slices.Clone(a.WriteAttributes)
	return a
}

// fromSDK converts the SDK's app client; nil gives the zero value.
func fromSDK(t *types.UserPoolClientType) AppClient {
	if t == nil {
		return AppClient{}
	}
	a := AppClient{
		UserPoolID:                               aws.ToString(t.UserPoolId),
		ClientID:                                 aws.ToString(t.ClientId),
		HasSecret:                                aws.ToString(t.ClientSecret) != "",
		CreationDate:                             aws.ToTime(t.CreationDate),
		LastModifiedDate:                         aws.ToTime(t.LastModifiedDate),
		ClientName:                               aws.ToString(t.ClientName),
		AllowedOAuthFlowsUserPoolClient:          aws.ToBool(t.AllowedOAuthFlowsUserPoolClient),
		AllowedOAuthFlows:                        slices.Clone(t.AllowedOAuthFlows),
		AllowedOAuthScopes:                       slices.Clone(t.AllowedOAuthScopes),
		CallbackURLs:                             slices.Clone(t.CallbackURLs),
		LogoutURLs:                               slices.Clone(t.LogoutURLs),
		DefaultRedirectURI:                       aws.ToString(t.DefaultRedirectURI),
		SupportedIdentityProviders:               slices.Clone(t.SupportedIdentityProviders),
		ExplicitAuthFlows:                        slices.Clone(t.ExplicitAuthFlows),
		ReadAttributes:                           slices.Clone(t.ReadAttributes),
		WriteAttributes:                          slices.Clone(t.WriteAttributes),
		AccessTokenValidity:                      aws.ToInt32(t.AccessTokenValidity),
		IDTokenValidity:                          aws.ToInt32(t.IdTokenValidity),
		RefreshTokenValidity:                     t.RefreshTokenValidity,
		AuthSessionValidity:                      aws.ToInt32(t.AuthSessionValidity),
		PreventUserExistenceErrors:               t.PreventUserExistenceErrors,
		EnableTokenRevocation:                    aws.ToBool(t.EnableTokenRevocation),
		EnablePropagateAdditionalUserContextData: aws.ToBool(t.EnablePropagateAdditionalUserContextData),
	}
	if u := t.TokenValidityUnits; u != nil {
		a.TokenValidityUnits = TokenValidityUnits{AccessToken: u.AccessToken, IDToken: u.IdToken, RefreshToken: u.RefreshToken}
	}
	if c := t.AnalyticsConfiguration; c != nil {
		a.AnalyticsConfiguration = AnalyticsConfiguration{
			ApplicationARN: aws.ToString(c.ApplicationArn), ApplicationID: aws.ToString(c.ApplicationId),
			ExternalID: aws.ToString(c.ExternalId), RoleARN: aws.ToString(c.RoleArn), UserDataShared: c.UserDataShared,
		}
	}
	if r := t.RefreshTokenRotation; r != nil {
		a.RefreshTokenRotation = RefreshTokenRotation{Feature: r.Feature, RetryGracePeriodSeconds: aws.ToInt32(r.RetryGracePeriodSeconds)}
	}
	return a
}

// toInput is the UpdateUserPoolClient input that sets every updatable field
// to a's value, a zero optional value left out. Only the fields a change
// touched are taken from it; see [carry].
func (a AppClient) toInput() *cip.UpdateUserPoolClientInput {
	in := &cip.UpdateUserPoolClientInput{
		UserPoolId:                               aws.String(a.UserPoolID),
		ClientId:                                 aws.String(a.ClientID),
		ClientName:                               optString(a.ClientName),
		AllowedOAuthFlowsUserPoolClient:          a.AllowedOAuthFlowsUserPoolClient,
		AllowedOAuthFlows:                        slices.Clone(a.AllowedOAuthFlows),
		AllowedOAuthScopes:                       slices.Clone(a.AllowedOAuthScopes),
		CallbackURLs:                             slices.Clone(a.CallbackURLs),
		LogoutURLs:                               slices.Clone(a.LogoutURLs),
		DefaultRedirectURI:                       optString(a.DefaultRedirectURI),
		SupportedIdentityProviders:               slices.Clone(a.SupportedIdentityProviders),
		ExplicitAuthFlows:                        slices.Clone(a.ExplicitAuthFlows),
		ReadAttributes:                           slices.Clone(a.ReadAttributes),
		WriteAttributes:                          slices.Clone(a.WriteAttributes),
		AccessTokenValidity:                      optInt32(a.AccessTokenValidity),
		IdTokenValidity:                          optInt32(a.IDTokenValidity),
		RefreshTokenValidity:                     a.RefreshTokenValidity,
		AuthSessionValidity:                      optInt32(a.AuthSessionValidity),
		PreventUserExistenceErrors:               a.PreventUserExistenceErrors,
		EnableTokenRevocation:                    aws.Bool(a.EnableTokenRevocation),
		EnablePropagateAdditionalUserContextData: aws.Bool(a.EnablePropagateAdditionalUserContextData),
	}
	if u := a.TokenValidityUnits; u != (TokenValidityUnits{}) {
		in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: u.AccessToken, IdToken: u.IDToken, RefreshToken: u.RefreshToken}
	}
	if c := a.AnalyticsConfiguration; c != (AnalyticsConfiguration{}) {
		in.AnalyticsConfiguration = &types.AnalyticsConfigurationType{
			ApplicationArn: optString(c.ApplicationARN), ApplicationId: optString(c.ApplicationID),
			ExternalId: optString(c.ExternalID), RoleArn: optString(c.RoleARN), UserDataShared: c.UserDataShared,
		}
	}
	if r := a.RefreshTokenRotation; r != (RefreshTokenRotation{}) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: r.Feature, RetryGracePeriodSeconds: aws.Int32(r.RetryGracePeriodSeconds)}
	}
	return in
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func optInt32(n int32) *int32 {
	if n == 0 {
		return nil
	}
	return aws.Int32(n)
}

// A field pairs a member of UpdateUserPoolClientInput with the AppClient
// field that holds its value.
type field struct {
	name string // the member of UpdateUserPoolClientInput, such as "IdTokenValidity"
	in   int    // its index in UpdateUserPoolClientInput
	app  int    // the index of its AppClient field, -1 if AppClient has none
}

// appName maps the members of UpdateUserPoolClientInput whose AppClient
// field is spelled differently.
var appName = map[string]string{"IdTokenValidity": "IDTokenValidity"}

// identity holds the members that name the app client rather than set it.
var identity = map[string]bool{"UserPoolId": true, "ClientId": true}

// updatable lists every exported member of UpdateUserPoolClientInput but
// UserPoolId and ClientId, in declaration order, found by reflection so
// that a member added by a newer SDK is carried over by [carry] even before
// AppClient holds it.
var updatable = func() []field {
	it, at := reflect.TypeFor[cip.UpdateUserPoolClientInput](), reflect.TypeFor[AppClient]()
	var fs []field
	for i := range it.NumField() {
		f := it.Field(i)
		if !f.IsExported() || identity[f.Name] {
			continue
		}
		name := f.Name
		if n, ok := appName[name]; ok {
			name = n
		}
		app := -1
		if af, ok := at.FieldByName(name); ok {
			app = af.Index[0]
		}
		fs = append(fs, field{name: f.Name, in: i, app: app})
	}
	return fs
}()

// carry returns the UpdateUserPoolClient input that leaves the app client t
// exactly as DescribeUserPoolClient returned it: each updatable member is
// copied from the member of the same name in t, a value t left out stays
// left out. A *bool in t becomes false when nil, for the one such member
// that the input holds as a bool (AllowedOAuthFlowsUserPoolClient).
func carry(poolID, clientID string, t *types.UserPoolClientType) *cip.UpdateUserPoolClientInput {
	in := &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)}
	if t == nil {
		return in
	}
	iv, tv := reflect.ValueOf(in).Elem(), reflect.ValueOf(t).Elem()
	for _, f := range updatable {
		dst, src := iv.Field(f.in), tv.FieldByName(f.name)
		switch {
		case !src.IsValid():
		case src.Type().AssignableTo(dst.Type()):
			dst.Set(src)
		case src.Kind() == reflect.Pointer && src.Type().Elem().AssignableTo(dst.Type()):
			if !src.IsNil() {
				dst.Set(src.Elem())
			}
		}
	}
	return in
}

// same reports whether two values of an AppClient field are equal, an
// empty slice equal to a nil one.
func same(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// sameScopes reports whether a and b hold the same scopes, in any order.
func sameScopes(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			return false
		}
	}
	return true
}

// changed reports whether the field f differs between a and b: for
// AllowedOAuthScopes, whether they hold different sets of scopes. A field
// AppClient does not hold never differs.
func changed(f field, a, b *AppClient) bool {
	if f.app < 0 {
		return false
	}
	if f.name == "AllowedOAuthScopes" {
		return !sameScopes(a.AllowedOAuthScopes, b.AllowedOAuthScopes)
	}
	return !same(reflect.ValueOf(a).Elem().Field(f.app), reflect.ValueOf(b).Elem().Field(f.app))
}

// differs reports whether a and b differ in any updatable field.
func differs(a, b *AppClient) bool {
	return slices.ContainsFunc(updatable, func(f field) bool { return changed(f, a, b) })
}

// updateInput returns the UpdateUserPoolClient input that turns the app
// client, as DescribeUserPoolClient returned it (raw) and as cur, into
// next: each field next changes comes from next, every other one is
// carried over from raw unchanged.
func updateInput(poolID, clientID string, raw *types.UserPoolClientType, cur, next *AppClient) *cip.UpdateUserPoolClientInput {
	in := carry(poolID, clientID, raw)
	full := reflect.ValueOf(next.toInput()).Elem()
	iv := reflect.ValueOf(in).Elem()
	for _, f := range updatable {
		if changed(f, cur, next) {
			iv.Field(f.in).Set(full.Field(f.in))
		}
	}
	return in
}
