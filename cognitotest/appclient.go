package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Cognito's defaults for the app-client fields a request leaves out that are not absent; the
// package documentation lists them all.
const (
	defaultRefreshTokenValidity = 30
	defaultAuthSessionValidity  = 3
)

// The model's limits for app clients.
const (
	maxClientNameLen   = 128
	maxClientIDLen     = 128
	minClientSecretLen = 24
	maxClientSecretLen = 64
	maxRefreshValidity = 315360000
	maxTokenValidity   = 86400
	maxPermissionLen   = 2048
	maxProviderNameLen = 32
	maxURLs            = 100
	maxURLLen          = 1024
	maxOAuthFlows      = 3
	maxAllowedScopes   = 50
	maxScopeLen        = 256
	minAuthSession     = 3
	maxAuthSession     = 15
	maxRetryGrace      = 60
	minARNLen          = 20
	maxARNLen          = 2048
	maxExternalIDLen   = 131072
	maxListClients     = 60
	defaultListClients = 60
)

// The model's patterns, as the service's messages quote them, and their Go translations (see
// rules.go). ScopeType has the pattern of Identifier, and ClientSecretType that of ClientIdType.
const (
	clientIDPattern     = `[\w+]+`
	providerNamePattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+`
	redirectURLPattern  = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
	hexPattern          = `^[0-9a-fA-F]+$`
	arnPattern          = `arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`
)

var (
	clientIDRE     = regexp.MustCompile(`\A[A-Za-z0-9_+]+\z`)
	providerNameRE = regexp.MustCompile(`\A[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+\z`)
	redirectURLRE  = regexp.MustCompile(`\A[\p{L}\p{M}\p{S}\p{N}\p{P}]+\z`)
	hexRE          = regexp.MustCompile(`\A[0-9a-fA-F]+\z`)
	arnRE          = regexp.MustCompile(`\Aarn:[A-Za-z0-9_+=/,.@-]+:[A-Za-z0-9_+=/,.@-]+:([A-Za-z0-9_+=/,.@-]*)?:[0-9]+:[A-Za-z0-9_+=/,.@-]+(:[A-Za-z0-9_+=/,.@-]+)?(:[A-Za-z0-9_+=/,.@-]+)?\z`)
)

// The model's enums, as the service's messages print them.
const (
	explicitAuthFlowsEnum = "[ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]"
	oauthFlowEnum         = "[code, implicit, client_credentials]"
	timeUnitsEnum         = "[seconds, minutes, hours, days]"
	preventUserExistEnum  = "[LEGACY, ENABLED]"
	featureEnum           = "[ENABLED, DISABLED]"
)

// Error codes of the app-client operations (the others are in wire.go).
const (
	codeScopeDoesNotExist = "ScopeDoesNotExistException"
	codeInvalidOAuthFlow  = "InvalidOAuthFlowException"
)

// Generated ids and secrets: lowercase letters and digits, as Cognito makes them.
const (
	clientIDAlphabet         = "abcdefghijklmnopqrstuvwxyz0123456789"
	generatedClientIDLen     = 26
	generatedClientSecretLen = 51
)

// standardScopes are the scopes an app client may allow without a resource server.
var standardScopes = map[string]bool{
	"openid": true, "email": true, "phone": true, "profile": true, "aws.cognito.signin.user.admin": true,
}

// legacyAuthFlows are the ExplicitAuthFlows values that cannot be combined with ALLOW_ ones.
var legacyAuthFlows = map[string]bool{"ADMIN_NO_SRP_AUTH": true, "CUSTOM_AUTH_FLOW_ONLY": true, "USER_PASSWORD_AUTH": true}

// Wire shapes of the nested app-client structures, for requests (nil is absent) and answers.
type (
	wireTokenUnits struct {
		AccessToken  *string `json:"AccessToken,omitempty"`
		IDToken      *string `json:"IdToken,omitempty"`
		RefreshToken *string `json:"RefreshToken,omitempty"`
	}
	wireAnalytics struct {
		ApplicationID  *string `json:"ApplicationId,omitempty"`
		ApplicationArn *string `json:"ApplicationArn,omitempty"`
		RoleArn        *string `json:"RoleArn,omitempty"`
		ExternalID     *string `json:"ExternalId,omitempty"`
		UserDataShared *bool   `json:"UserDataShared,omitempty"`
	}
	wireRotation struct {
		Feature                 *string `json:"Feature,omitempty"`
		RetryGracePeriodSeconds *int32  `json:"RetryGracePeriodSeconds,omitempty"`
	}
)

// clientInput holds the app-client members of a CreateUserPoolClient or UpdateUserPoolClient
// request (GenerateSecret and ClientSecret are Create's only); nil means absent or null. List
// elements are pointers so that a null element can be reported.
type clientInput struct {
	ClientName                               *string         `json:"ClientName"`
	GenerateSecret                           *bool           `json:"GenerateSecret"`
	ClientSecret                             *string         `json:"ClientSecret"`
	RefreshTokenValidity                     *int32          `json:"RefreshTokenValidity"`
	AccessTokenValidity                      *int32          `json:"AccessTokenValidity"`
	IDTokenValidity                          *int32          `json:"IdTokenValidity"`
	TokenValidityUnits                       *wireTokenUnits `json:"TokenValidityUnits"`
	ReadAttributes                           []*string       `json:"ReadAttributes"`
	WriteAttributes                          []*string       `json:"WriteAttributes"`
	ExplicitAuthFlows                        []*string       `json:"ExplicitAuthFlows"`
	SupportedIdentityProviders               []*string       `json:"SupportedIdentityProviders"`
	CallbackURLs                             []*string       `json:"CallbackURLs"`
	LogoutURLs                               []*string       `json:"LogoutURLs"`
	DefaultRedirectURI                       *string         `json:"DefaultRedirectURI"`
	AllowedOAuthFlows                        []*string       `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes                       []*string       `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPoolClient          *bool           `json:"AllowedOAuthFlowsUserPoolClient"`
	AnalyticsConfiguration                   *wireAnalytics  `json:"AnalyticsConfiguration"`
	PreventUserExistenceErrors               *string         `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation                    *bool           `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData *bool           `json:"EnablePropagateAdditionalUserContextData"`
	AuthSessionValidity                      *int32          `json:"AuthSessionValidity"`
	RefreshTokenRotation                     *wireRotation   `json:"RefreshTokenRotation"`
}

// decodeMembers decodes the members of obj named by the json tags of dst's fields (dst points to
// a struct), exactly by name, as the service reads them; a null member is left nil, other members
// are ignored. A field that points to a struct is decoded the same way, recursively.
func decodeMembers(obj map[string]json.RawMessage, path string, dst any) *apiError {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := obj[name]
		if !ok || string(raw) == "null" {
			continue
		}
		field := v.Field(i)
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(raw, &inner); err != nil {
				return errorf(codeSerialization, "Member %s%s has the wrong type: %s", path, name, shorten(err.Error()))
			}
			if inner == nil {
				continue
			}
			field.Set(reflect.New(f.Type.Elem()))
			if e := decodeMembers(inner, path+name+".", field.Interface()); e != nil {
				return e
			}
			continue
		}
		if err := json.Unmarshal(raw, field.Addr().Interface()); err != nil {
			return errorf(codeSerialization, "Member %s%s has the wrong type: %s", path, name, shorten(err.Error()))
		}
	}
	return nil
}

// checkClientInput checks the app-client members of a request against the model's constraints,
// in the model's member order (after UserPoolId and ClientId, which the caller checks).
func checkClientInput(c *clientInput, nameRequired bool) violations {
	var v violations
	if c.ClientName != nil || nameRequired {
		v.add(checkRequired(c.ClientName, "clientName", 1, maxClientNameLen, nameRE, namePattern))
	}
	if c.ClientSecret != nil {
		v.add(checkString(*c.ClientSecret, "clientSecret", minClientSecretLen, maxClientSecretLen, clientIDRE, clientIDPattern))
	}
	v.add(checkInt(c.RefreshTokenValidity, "refreshTokenValidity", 0, maxRefreshValidity))
	v.add(checkInt(c.AccessTokenValidity, "accessTokenValidity", 1, maxTokenValidity))
	v.add(checkInt(c.IDTokenValidity, "idTokenValidity", 1, maxTokenValidity))
	if u := c.TokenValidityUnits; u != nil {
		v.add(checkEnum(u.AccessToken, "tokenValidityUnits.accessToken", timeUnitsEnum))
		v.add(checkEnum(u.IDToken, "tokenValidityUnits.idToken", timeUnitsEnum))
		v.add(checkEnum(u.RefreshToken, "tokenValidityUnits.refreshToken", timeUnitsEnum))
	}
	v.add(checkList(c.ReadAttributes, "readAttributes", -1, func(s, p string) violations { return checkString(s, p, 1, maxPermissionLen, nil, "") }))
	v.add(checkList(c.WriteAttributes, "writeAttributes", -1, func(s, p string) violations { return checkString(s, p, 1, maxPermissionLen, nil, "") }))
	v.add(checkList(c.ExplicitAuthFlows, "explicitAuthFlows", -1, func(s, p string) violations { return checkEnum(&s, p, explicitAuthFlowsEnum) }))
	v.add(checkList(c.SupportedIdentityProviders, "supportedIdentityProviders", -1, func(s, p string) violations {
		return checkString(s, p, 1, maxProviderNameLen, providerNameRE, providerNamePattern)
	}))
	checkURL := func(s, p string) violations {
		return checkString(s, p, 1, maxURLLen, redirectURLRE, redirectURLPattern)
	}
	v.add(checkList(c.CallbackURLs, "callbackURLs", maxURLs, checkURL))
	v.add(checkList(c.LogoutURLs, "logoutURLs", maxURLs, checkURL))
	if c.DefaultRedirectURI != nil {
		v.add(checkURL(*c.DefaultRedirectURI, "defaultRedirectURI"))
	}
	v.add(checkList(c.AllowedOAuthFlows, "allowedOAuthFlows", maxOAuthFlows, func(s, p string) violations { return checkEnum(&s, p, oauthFlowEnum) }))
	v.add(checkList(c.AllowedOAuthScopes, "allowedOAuthScopes", maxAllowedScopes, func(s, p string) violations {
		return checkString(s, p, 1, maxScopeLen, identifierRE, identifierPattern)
	}))
	if a := c.AnalyticsConfiguration; a != nil {
		if a.ApplicationID != nil {
			v.add(checkString(*a.ApplicationID, "analyticsConfiguration.applicationId", 0, maxExternalIDLen, hexRE, hexPattern))
		}
		if a.ApplicationArn != nil {
			v.add(checkString(*a.ApplicationArn, "analyticsConfiguration.applicationArn", minARNLen, maxARNLen, arnRE, arnPattern))
		}
		if a.RoleArn != nil {
			v.add(checkString(*a.RoleArn, "analyticsConfiguration.roleArn", minARNLen, maxARNLen, arnRE, arnPattern))
		}
		if a.ExternalID != nil {
			v.add(checkString(*a.ExternalID, "analyticsConfiguration.externalId", 0, maxExternalIDLen, nil, ""))
		}
	}
	v.add(checkEnum(c.PreventUserExistenceErrors, "preventUserExistenceErrors", preventUserExistEnum))
	v.add(checkInt(c.AuthSessionValidity, "authSessionValidity", minAuthSession, maxAuthSession))
	if r := c.RefreshTokenRotation; r != nil {
		if r.Feature == nil {
			v.push(nullViolation("refreshTokenRotation.feature"))
		} else {
			v.add(checkEnum(r.Feature, "refreshTokenRotation.feature", featureEnum))
		}
		v.add(checkInt(r.RetryGracePeriodSeconds, "refreshTokenRotation.retryGracePeriodSeconds", 0, maxRetryGrace))
	}
	return v
}

// checkInt checks an optional integer member against lo..hi.
func checkInt(n *int32, path string, lo, hi int32) violations {
	var v violations
	if n == nil {
		return v
	}
	if *n < lo {
		v.push(violation(fmt.Sprint(*n), path, fmt.Sprintf("Member must have value greater than or equal to %d", lo)))
	}
	if *n > hi {
		v.push(violation(fmt.Sprint(*n), path, fmt.Sprintf("Member must have value less than or equal to %d", hi)))
	}
	return v
}

// checkEnum checks an optional enum member; enum is the value set as the service prints it.
func checkEnum(s *string, path, enum string) violations {
	var v violations
	if s == nil {
		return v
	}
	values := strings.Split(strings.Trim(enum, "[]"), ", ")
	if !slices.Contains(values, *s) {
		v.push(violation(*s, path, "Member must satisfy enum value set: "+enum))
	}
	return v
}

// checkList checks an optional list member: at most maxLen items unless maxLen is negative, no
// null item, and each item with item.
func checkList(list []*string, path string, maxLen int, item func(s, path string) violations) violations {
	var v violations
	if maxLen >= 0 && len(list) > maxLen {
		v.push(listViolation(renderStrings(list), path, fmt.Sprintf("Member must have length less than or equal to %d", maxLen)))
	}
	for i, s := range list {
		if v.full() {
			v.total += countItem(s, item)
			continue
		}
		p := fmt.Sprintf("%s.%d.member", path, i+1)
		if s == nil {
			v.push(nullViolation(p))
			continue
		}
		v.add(item(*s, p))
	}
	return v
}

func countItem(s *string, item func(s, path string) violations) int {
	if s == nil {
		return 1
	}
	return item(*s, "").total
}

// renderStrings renders a string list for a message (see renderList).
func renderStrings(list []*string) string {
	return renderList(list, "items", func(s *string) string { return shorten(deref(s)) })
}

// strs returns the values of a validated list, nil if it is empty.
func strs[T ~string](list []*string) []T {
	if len(list) == 0 {
		return nil
	}
	out := make([]T, len(list))
	for i, s := range list {
		out[i] = T(*s)
	}
	return out
}

// buildClient returns the app client a validated request describes, every field it leaves out
// set to Cognito's default (listed in the package documentation). It does not set ClientId,
// ClientName, ClientSecret, UserPoolId or the dates.
func buildClient(in *clientInput) types.UserPoolClientType {
	c := types.UserPoolClientType{
		RefreshTokenValidity:                     defaultRefreshTokenValidity,
		AccessTokenValidity:                      clonePtr(in.AccessTokenValidity),
		IdTokenValidity:                          clonePtr(in.IDTokenValidity),
		TokenValidityUnits:                       &types.TokenValidityUnitsType{},
		ReadAttributes:                           strs[string](in.ReadAttributes),
		WriteAttributes:                          strs[string](in.WriteAttributes),
		ExplicitAuthFlows:                        strs[types.ExplicitAuthFlowsType](in.ExplicitAuthFlows),
		SupportedIdentityProviders:               strs[string](in.SupportedIdentityProviders),
		CallbackURLs:                             strs[string](in.CallbackURLs),
		LogoutURLs:                               strs[string](in.LogoutURLs),
		DefaultRedirectURI:                       clonePtr(in.DefaultRedirectURI),
		AllowedOAuthFlows:                        strs[types.OAuthFlowType](in.AllowedOAuthFlows),
		AllowedOAuthScopes:                       strs[string](in.AllowedOAuthScopes),
		AllowedOAuthFlowsUserPoolClient:          aws.Bool(aws.ToBool(in.AllowedOAuthFlowsUserPoolClient)),
		EnableTokenRevocation:                    aws.Bool(true),
		EnablePropagateAdditionalUserContextData: aws.Bool(aws.ToBool(in.EnablePropagateAdditionalUserContextData)),
		AuthSessionValidity:                      aws.Int32(defaultAuthSessionValidity),
	}
	if n := aws.ToInt32(in.RefreshTokenValidity); n != 0 {
		c.RefreshTokenValidity = n
	}
	if u := in.TokenValidityUnits; u != nil {
		c.TokenValidityUnits = &types.TokenValidityUnitsType{
			AccessToken:  types.TimeUnitsType(aws.ToString(u.AccessToken)),
			IdToken:      types.TimeUnitsType(aws.ToString(u.IDToken)),
			RefreshToken: types.TimeUnitsType(aws.ToString(u.RefreshToken)),
		}
	}
	if a := in.AnalyticsConfiguration; a != nil {
		c.AnalyticsConfiguration = &types.AnalyticsConfigurationType{
			ApplicationId:  clonePtr(a.ApplicationID),
			ApplicationArn: clonePtr(a.ApplicationArn),
			RoleArn:        clonePtr(a.RoleArn),
			ExternalId:     clonePtr(a.ExternalID),
			UserDataShared: aws.ToBool(a.UserDataShared),
		}
	}
	if in.PreventUserExistenceErrors != nil {
		c.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypes(*in.PreventUserExistenceErrors)
	}
	if in.EnableTokenRevocation != nil {
		c.EnableTokenRevocation = aws.Bool(*in.EnableTokenRevocation)
	}
	if in.AuthSessionValidity != nil {
		c.AuthSessionValidity = aws.Int32(*in.AuthSessionValidity)
	}
	if r := in.RefreshTokenRotation; r != nil {
		c.RefreshTokenRotation = &types.RefreshTokenRotationType{
			Feature:                 types.FeatureType(aws.ToString(r.Feature)),
			RetryGracePeriodSeconds: clonePtr(r.RetryGracePeriodSeconds),
		}
	}
	return c
}

// inputOf is the inverse of buildClient: the request members that describe c.
func inputOf(c *types.UserPoolClientType) *clientInput {
	ptrs := func(list []string) []*string {
		if list == nil {
			return nil
		}
		out := make([]*string, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out
	}
	enums := func(n int, at func(int) string) []*string {
		if n == 0 {
			return nil
		}
		out := make([]*string, n)
		for i := range n {
			out[i] = aws.String(at(i))
		}
		return out
	}
	in := &clientInput{
		ClientName:                               clonePtr(c.ClientName),
		ClientSecret:                             clonePtr(c.ClientSecret),
		AccessTokenValidity:                      clonePtr(c.AccessTokenValidity),
		IDTokenValidity:                          clonePtr(c.IdTokenValidity),
		ReadAttributes:                           ptrs(c.ReadAttributes),
		WriteAttributes:                          ptrs(c.WriteAttributes),
		ExplicitAuthFlows:                        enums(len(c.ExplicitAuthFlows), func(i int) string { return string(c.ExplicitAuthFlows[i]) }),
		SupportedIdentityProviders:               ptrs(c.SupportedIdentityProviders),
		CallbackURLs:                             ptrs(c.CallbackURLs),
		LogoutURLs:                               ptrs(c.LogoutURLs),
		DefaultRedirectURI:                       clonePtr(c.DefaultRedirectURI),
		AllowedOAuthFlows:                        enums(len(c.AllowedOAuthFlows), func(i int) string { return string(c.AllowedOAuthFlows[i]) }),
		AllowedOAuthScopes:                       ptrs(c.AllowedOAuthScopes),
		AllowedOAuthFlowsUserPoolClient:          clonePtr(c.AllowedOAuthFlowsUserPoolClient),
		EnableTokenRevocation:                    clonePtr(c.EnableTokenRevocation),
		EnablePropagateAdditionalUserContextData: clonePtr(c.EnablePropagateAdditionalUserContextData),
		AuthSessionValidity:                      clonePtr(c.AuthSessionValidity),
	}
	if c.RefreshTokenValidity != 0 {
		in.RefreshTokenValidity = aws.Int32(c.RefreshTokenValidity)
	}
	if u := c.TokenValidityUnits; u != nil {
		in.TokenValidityUnits = &wireTokenUnits{AccessToken: nonEmpty(string(u.AccessToken)), IDToken: nonEmpty(string(u.IdToken)), RefreshToken: nonEmpty(string(u.RefreshToken))}
	}
	if a := c.AnalyticsConfiguration; a != nil {
		in.AnalyticsConfiguration = &wireAnalytics{ApplicationID: clonePtr(a.ApplicationId), ApplicationArn: clonePtr(a.ApplicationArn), RoleArn: clonePtr(a.RoleArn), ExternalID: clonePtr(a.ExternalId), UserDataShared: aws.Bool(a.UserDataShared)}
	}
	in.PreventUserExistenceErrors = nonEmpty(string(c.PreventUserExistenceErrors))
	if r := c.RefreshTokenRotation; r != nil {
		in.RefreshTokenRotation = &wireRotation{Feature: nonEmpty(string(r.Feature)), RetryGracePeriodSeconds: clonePtr(r.RetryGracePeriodSeconds)}
	}
	return in
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneClient returns a deep copy of c.
func cloneClient(c *types.UserPoolClientType) types.UserPoolClientType {
	out := *c
	out.AccessTokenValidity = clonePtr(c.AccessTokenValidity)
	out.AllowedOAuthFlows = slices.Clone(c.AllowedOAuthFlows)
	out.AllowedOAuthFlowsUserPoolClient = clonePtr(c.AllowedOAuthFlowsUserPoolClient)
	out.AllowedOAuthScopes = slices.Clone(c.AllowedOAuthScopes)
	if a := c.AnalyticsConfiguration; a != nil {
		out.AnalyticsConfiguration = &types.AnalyticsConfigurationType{
			ApplicationArn: clonePtr(a.ApplicationArn), ApplicationId: clonePtr(a.ApplicationId),
			ExternalId: clonePtr(a.ExternalId), RoleArn: clonePtr(a.RoleArn), UserDataShared: a.UserDataShared,
		}
	}
	out.AuthSessionValidity = clonePtr(c.AuthSessionValidity)
	out.CallbackURLs = slices.Clone(c.CallbackURLs)
	out.ClientId = clonePtr(c.ClientId)
	out.ClientName = clonePtr(c.ClientName)
	out.ClientSecret = clonePtr(c.ClientSecret)
	out.CreationDate = clonePtr(c.CreationDate)
	out.DefaultRedirectURI = clonePtr(c.DefaultRedirectURI)
	out.EnablePropagateAdditionalUserContextData = clonePtr(c.EnablePropagateAdditionalUserContextData)
	out.EnableTokenRevocation = clonePtr(c.EnableTokenRevocation)
	out.ExplicitAuthFlows = slices.Clone(c.ExplicitAuthFlows)
	out.IdTokenValidity = clonePtr(c.IdTokenValidity)
	out.LastModifiedDate = clonePtr(c.LastModifiedDate)
	out.LogoutURLs = slices.Clone(c.LogoutURLs)
	out.ReadAttributes = slices.Clone(c.ReadAttributes)
	if r := c.RefreshTokenRotation; r != nil {
		out.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: r.Feature, RetryGracePeriodSeconds: clonePtr(r.RetryGracePeriodSeconds)}
	}
	out.SupportedIdentityProviders = slices.Clone(c.SupportedIdentityProviders)
	out.TokenValidityUnits = clonePtr(c.TokenValidityUnits)
	out.UserPoolId = clonePtr(c.UserPoolId)
	out.WriteAttributes = slices.Clone(c.WriteAttributes)
	return out
}

// wireClient is a UserPoolClientType in an answer.
type wireClient struct {
	UserPoolID                               string          `json:"UserPoolId"`
	ClientName                               string          `json:"ClientName"`
	ClientID                                 string          `json:"ClientId"`
	ClientSecret                             *string         `json:"ClientSecret,omitempty"`
	LastModifiedDate                         float64         `json:"LastModifiedDate"`
	CreationDate                             float64         `json:"CreationDate"`
	RefreshTokenValidity                     int32           `json:"RefreshTokenValidity"`
	AccessTokenValidity                      *int32          `json:"AccessTokenValidity,omitempty"`
	IDTokenValidity                          *int32          `json:"IdTokenValidity,omitempty"`
	TokenValidityUnits                       *wireTokenUnits `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                           []string        `json:"ReadAttributes,omitempty"`
	WriteAttributes                          []string        `json:"WriteAttributes,omitempty"`
	ExplicitAuthFlows                        []string        `json:"ExplicitAuthFlows,omitempty"`
	SupportedIdentityProviders               []string        `json:"SupportedIdentityProviders,omitempty"`
	CallbackURLs                             []string        `json:"CallbackURLs,omitempty"`
	LogoutURLs                               []string        `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI                       *string         `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows                        []string        `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes                       []string        `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient          *bool           `json:"AllowedOAuthFlowsUserPoolClient,omitempty"`
	AnalyticsConfiguration                   *wireAnalytics  `json:"AnalyticsConfiguration,omitempty"`
	PreventUserExistenceErrors               string          `json:"PreventUserExistenceErrors,omitempty"`
	EnableTokenRevocation                    *bool           `json:"EnableTokenRevocation,omitempty"`
	EnablePropagateAdditionalUserContextData *bool           `json:"EnablePropagateAdditionalUserContextData,omitempty"`
	AuthSessionValidity                      *int32          `json:"AuthSessionValidity,omitempty"`
	RefreshTokenRotation                     *wireRotation   `json:"RefreshTokenRotation,omitempty"`
}

func toWireClient(c *types.UserPoolClientType) wireClient {
	in := inputOf(c)
	str := func(list []*string) []string { return strs[string](list) }
	out := wireClient{
		UserPoolID:                               aws.ToString(c.UserPoolId),
		ClientName:                               aws.ToString(c.ClientName),
		ClientID:                                 aws.ToString(c.ClientId),
		ClientSecret:                             in.ClientSecret,
		RefreshTokenValidity:                     c.RefreshTokenValidity,
		AccessTokenValidity:                      in.AccessTokenValidity,
		IDTokenValidity:                          in.IDTokenValidity,
		TokenValidityUnits:                       in.TokenValidityUnits,
		ReadAttributes:                           str(in.ReadAttributes),
		WriteAttributes:                          str(in.WriteAttributes),
		ExplicitAuthFlows:                        str(in.ExplicitAuthFlows),
		SupportedIdentityProviders:               str(in.SupportedIdentityProviders),
		CallbackURLs:                             str(in.CallbackURLs),
		LogoutURLs:                               str(in.LogoutURLs),
		DefaultRedirectURI:                       in.DefaultRedirectURI,
		AllowedOAuthFlows:                        str(in.AllowedOAuthFlows),
		AllowedOAuthScopes:                       str(in.AllowedOAuthScopes),
		AllowedOAuthFlowsUserPoolClient:          in.AllowedOAuthFlowsUserPoolClient,
		AnalyticsConfiguration:                   in.AnalyticsConfiguration,
		PreventUserExistenceErrors:               aws.ToString(in.PreventUserExistenceErrors),
		EnableTokenRevocation:                    in.EnableTokenRevocation,
		EnablePropagateAdditionalUserContextData: in.EnablePropagateAdditionalUserContextData,
		AuthSessionValidity:                      in.AuthSessionValidity,
		RefreshTokenRotation:                     in.RefreshTokenRotation,
	}
	if c.CreationDate != nil {
		out.CreationDate = epochSeconds(*c.CreationDate)
	}
	if c.LastModifiedDate != nil {
		out.LastModifiedDate = epochSeconds(*c.LastModifiedDate)
	}
	return out
}

// millis returns t to the millisecond, without its monotonic reading: what an answer can carry.
func millis(t time.Time) *time.Time {
	m := time.UnixMilli(t.UnixMilli())
	return &m
}

// ErrAppClientNotFound is wrapped by the error of [Server.InactiveScopes] when the pool or the
// app client does not exist.
var ErrAppClientNotFound = errors.New("app client does not exist")

// PutAppClient stores c as an app client of the user pool poolID directly, creating it or
// replacing it whole, bypassing the log, faults, quotas (including [WithMaxAppClients]) and the
// rules on scopes and OAuth flows, so that a test can set up any state, such as a client that
// allows a scope no longer defined. It returns the client as stored:
//
//   - UserPoolId is poolID, whatever c says;
//   - an empty ClientId is replaced by a fresh one (26 lowercase letters and digits); a given one
//     must satisfy Cognito's ClientId constraints (1 to 128 characters of [\w+]);
//   - ClientSecret is kept as given (nil means the client has no secret);
//   - a nil CreationDate is set to now, a nil LastModifiedDate to the CreationDate; both are
//     kept to the millisecond, as the wire carries them;
//   - every other field left nil, empty or zero is set to Cognito's default, as
//     CreateUserPoolClient does (see the package documentation).
//
// Every field is checked against Cognito's constraints as in a CreateUserPoolClient request
// (ClientName is required); a violation gives an error wrapping [ErrInvalidParameter], and a
// missing pool one wrapping [ErrUserPoolNotFound].
func (s *Server) PutAppClient(poolID string, c types.UserPoolClientType) (types.UserPoolClientType, error) {
	in := inputOf(&c)
	v := checkUserPoolID(poolID)
	if c.ClientId != nil && *c.ClientId != "" {
		v.add(checkString(*c.ClientId, "clientId", 1, maxClientIDLen, clientIDRE, clientIDPattern))
	}
	v.add(checkClientInput(in, true))
	if v.total > 0 {
		return types.UserPoolClientType{}, fmt.Errorf("cognitotest: put app client %s/%s: %w: %s", poolID, aws.ToString(c.ClientId), ErrInvalidParameter, v.message())
	}
	stored := buildClient(in)
	stored.UserPoolId = aws.String(poolID)
	stored.ClientName = clonePtr(c.ClientName)
	stored.ClientSecret = clonePtr(c.ClientSecret)
	now := s.cfg.clock.Now()
	stored.CreationDate = millis(now)
	if c.CreationDate != nil {
		stored.CreationDate = millis(*c.CreationDate)
	}
	stored.LastModifiedDate = clonePtr(stored.CreationDate)
	if c.LastModifiedDate != nil {
		stored.LastModifiedDate = millis(*c.LastModifiedDate)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return types.UserPoolClientType{}, fmt.Errorf("cognitotest: put app client %s/%s: %w", poolID, aws.ToString(c.ClientId), ErrUserPoolNotFound)
	}
	if id := aws.ToString(c.ClientId); id != "" {
		stored.ClientId = aws.String(id)
	} else {
		stored.ClientId = aws.String(s.newClientIDLocked(p))
	}
	p.clients[*stored.ClientId] = &stored
	return cloneClient(&stored), nil
}

// AppClient returns a deep copy of the stored app client, for assertions, bypassing the log,
// faults and quotas. It reports false if the pool or the client does not exist.
func (s *Server) AppClient(poolID, clientID string) (types.UserPoolClientType, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return types.UserPoolClientType{}, false
	}
	c, ok := p.clients[clientID]
	if !ok {
		return types.UserPoolClientType{}, false
	}
	return cloneClient(c), true
}

// AppClients returns deep copies of all app clients of a pool sorted by ClientId, bypassing the
// log, faults and quotas; nil if the pool does not exist or holds none.
func (s *Server) AppClients(poolID string) []types.UserPoolClientType {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return nil
	}
	var out []types.UserPoolClientType
	for _, id := range p.sortedClientIDs() {
		out = append(out, cloneClient(p.clients[id]))
	}
	return out
}

// InactiveScopes returns the scopes that the app client allows (AllowedOAuthScopes, in its
// order) but that are no longer defined: custom scopes whose resource server was deleted or no
// longer has them. Cognito keeps such a scope on the client and leaves it out of tokens; defining
// it again makes it active again. It returns nil if every scope is active, and an error wrapping
// [ErrAppClientNotFound] if the pool or the client does not exist.
func (s *Server) InactiveScopes(poolID, clientID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return nil, fmt.Errorf("cognitotest: inactive scopes of %s/%s: %w", poolID, clientID, ErrAppClientNotFound)
	}
	c, ok := p.clients[clientID]
	if !ok {
		return nil, fmt.Errorf("cognitotest: inactive scopes of %s/%s: %w", poolID, clientID, ErrAppClientNotFound)
	}
	var out []string
	for _, scope := range c.AllowedOAuthScopes {
		if !standardScopes[scope] && !definedScopeLocked(p, scope) {
			out = append(out, scope)
		}
	}
	return out, nil
}
