package appclient

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/validate"
)

// standardScopes are the scopes Cognito defines itself.
var standardScopes = []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}

// IsStandard reports whether scope is one of the scopes Cognito defines
// itself: openid, email, phone, profile, aws.cognito.signin.user.admin.
// Every other scope is "<resource server identifier>/<scope name>". It
// sends nothing.
func IsStandard(scope string) bool { return slices.Contains(standardScopes, scope) }

// splitScope splits a custom scope on its last "/" into the resource
// server's identifier and the scope name; ok is false without a "/".
func splitScope(scope string) (identifier, name string, ok bool) {
	i := strings.LastIndexByte(scope, '/')
	if i < 0 {
		return "", "", false
	}
	return scope[:i], scope[i+1:], true
}

// checkScope reports, at the path at, a scope that is neither a standard
// scope nor "<identifier>/<scope name>" whose parts obey Cognito's rules
// for Identifier and ScopeName, as validate.Report.Scope does: every
// violation has the whole scope as its value.
func checkScope(r *validate.Report, at, scope string) {
	if IsStandard(scope) {
		return
	}
	if _, _, ok := splitScope(scope); !ok {
		r.Add(at, rserrors.RulePattern,
			`must be a standard scope (openid, email, phone, profile, aws.cognito.signin.user.admin) or "<identifier>/<scope name>"`, scope)
		return
	}
	r.Scope(at, scope)
}

// scopeArgs checks the scopes argument of GrantScopes and RevokeScopes:
// at least one (path "scopes", RuleRequired), each valid (paths
// "scopes[i]"), at most MaxScopes distinct ones ("scopes",
// RuleMaxItems). It returns the distinct scopes in order.
func scopeArgs(r *validate.Report, scopes []string) []string {
	if len(scopes) == 0 {
		r.Add("scopes", rserrors.RuleRequired, "at least one scope is required", "")
	}
	var distinct []string
	for i, s := range scopes {
		checkScope(r, "scopes["+strconv.Itoa(i)+"]", s)
		if !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	if n := len(distinct); n > MaxScopes {
		r.Add("scopes", rserrors.RuleMaxItems, fmt.Sprintf("at most %d distinct scopes, got %d", MaxScopes, n), strconv.Itoa(n))
	}
	return distinct
}

// missingScopes returns, in order, the custom scopes of scopes that do not
// exist in the pool: it sends one DescribeResourceServer per distinct
// identifier (paced as UserPoolResourceRead), and counts a scope missing
// when its resource server does not exist or does not define it. Standard
// scopes, and those in listed, exist without a call.
func (c *Client) missingScopes(ctx context.Context, poolID string, scopes, listed []string) ([]string, error) {
	defined := make(map[string][]string) // identifier -> scope names; nil when the server does not exist
	var missing []string
	for _, s := range scopes {
		id, name, ok := splitScope(s)
		if IsStandard(s) || !ok || slices.Contains(listed, s) {
			continue
		}
		names, seen := defined[id]
		if !seen {
			out, _, err := send(ctx, c, poolID, pace.ResourceRead, c.api.DescribeResourceServer, &cip.DescribeResourceServerInput{
				UserPoolId: aws.String(poolID), Identifier: aws.String(id),
			})
			switch {
			case rserrors.IsNotFound(err):
			case err != nil:
				return nil, err
			case out != nil && out.ResourceServer != nil:
				names = []string{}
				for _, sc := range out.ResourceServer.Scopes {
					names = append(names, aws.ToString(sc.ScopeName))
				}
			}
			defined[id] = names
		}
		if !slices.Contains(names, name) {
			missing = append(missing, s)
		}
	}
	return missing, nil
}
