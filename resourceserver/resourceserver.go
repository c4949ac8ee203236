package resourceserver

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Scope is one scope of a resource server. It appears in access tokens
// and in app clients' allowed scopes as "<identifier>/<Name>".
type Scope struct {
	// Name is the scope name, such as "read"; it may not contain "/".
	Name string
	// Description is the scope's description; Cognito requires one.
	Description string
}

// ResourceServer is a Cognito resource server as a plain value.
type ResourceServer struct {
	// UserPoolID is the user pool that holds the resource server.
	UserPoolID string
	// Identifier is the resource server's identifier, often a URL such as
	// "https://api.example.com". It cannot be changed after creation.
	Identifier string
	// Name is the resource server's friendly name.
	Name string
	// Scopes is the resource server's scopes, in the order Cognito keeps them;
	// nil when it has none.
	Scopes []Scope
}

// TokenScopes returns the scopes as they appear in access tokens and in app
// clients' AllowedOAuthScopes: "<Identifier>/<Name>" for each scope, in
// order. It sends nothing to Cognito.
func (rs ResourceServer) TokenScopes() []string {
	if len(rs.Scopes) == 0 {
		return nil
	}
	out := make([]string, len(rs.Scopes))
	for i, s := range rs.Scopes {
		out[i] = rs.Identifier + "/" + s.Name
	}
	return out
}

// ParseScope splits a token scope such as "https://api.example.com/read"
// into its resource-server identifier and scope name. Because an identifier
// may contain "/" and a scope name may not, it splits on the last "/".
//
// It sends nothing to Cognito. It returns a *rserrors.ValidationError with
// Operation "ParseScope" when s has no "/" (one violation on field "scope",
// rule RulePattern), or when either part breaks Cognito's rules for an
// Identifier or a ScopeName, an empty part included (the violations of
// validate.Identifier and validate.ScopeName).
func ParseScope(s string) (identifier, name string, err error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "", "", &rserrors.ValidationError{
			Operation: "ParseScope",
			Violations: []*rserrors.FieldError{rserrors.NewFieldError("scope", rserrors.RulePattern,
				`must be "<identifier>/<scope name>"`, s)},
		}
	}
	identifier, name = s[:i], s[i+1:]
	var r validate.Report
	if err := r.Identifier("Identifier", identifier).ScopeName("ScopeName", name).Err("ParseScope"); err != nil {
		return "", "", err
	}
	return identifier, name, nil
}

// clone returns a deep copy of rs.
func (rs ResourceServer) clone() ResourceServer {
	rs.Scopes = cloneScopes(rs.Scopes)
	return rs
}

func cloneScopes(s []Scope) []Scope {
	if s == nil {
		return nil
	}
	return append(make([]Scope, 0, len(s)), s...)
}

// sameScopes reports whether a and b hold the same scopes, names and
// descriptions, in any order.
func sameScopes(a, b []Scope) bool {
	if len(a) != len(b) {
		return false
	}
	ma, mb := scopeMap(a), scopeMap(b)
	if len(ma) != len(mb) {
		return false
	}
	for n, d := range ma {
		if e, ok := mb[n]; !ok || e != d {
			return false
		}
	}
	return true
}

func scopeMap(s []Scope) map[string]string {
	m := make(map[string]string, len(s))
	for _, x := range s {
		m[x.Name] = x.Description
	}
	return m
}

// fromSDK converts the SDK's resource server; a nil one gives the zero
// value.
func fromSDK(t *types.ResourceServerType) ResourceServer {
	if t == nil {
		return ResourceServer{}
	}
	rs := ResourceServer{
		UserPoolID: aws.ToString(t.UserPoolId),
		Identifier: aws.ToString(t.Identifier),
		Name:       aws.ToString(t.Name),
	}
	if len(t.Scopes) > 0 {
		rs.Scopes = make([]Scope, len(t.Scopes))
		for i, s := range t.Scopes {
			rs.Scopes[i] = Scope{Name: aws.ToString(s.ScopeName), Description: aws.ToString(s.ScopeDescription)}
		}
	}
	return rs
}

// sdkScopes converts scopes to the SDK's type; the result is never nil, so
// an empty list is sent as [] rather than left out.
func sdkScopes(s []Scope) []types.ResourceServerScopeType {
	out := make([]types.ResourceServerScopeType, len(s))
	for i, x := range s {
		out[i] = types.ResourceServerScopeType{ScopeName: aws.String(x.Name), ScopeDescription: aws.String(x.Description)}
	}
	return out
}

// updateInput is the UpdateResourceServer input that makes the resource
// server equal to rs: the full name and the full scope list.
func (rs ResourceServer) updateInput() *cip.UpdateResourceServerInput {
	return &cip.UpdateResourceServerInput{
		UserPoolId: aws.String(rs.UserPoolID),
		Identifier: aws.String(rs.Identifier),
		Name:       aws.String(rs.Name),
		Scopes:     sdkScopes(rs.Scopes),
	}
}
