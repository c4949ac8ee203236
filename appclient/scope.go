package appclient

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/pace"
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

// checkScope validates one scope as the field path names it: a standard
// scope, or "<identifier>/<name>" whose parts obey validate.Identifier and
// validate.ScopeName. Each violation is reported on path, its detail
// naming the part.
func checkScope(path, scope string) []error {
	if IsStandard(scope) {
		return nil
	}
	id, name, ok := splitScope(scope)
	if !ok {
		return []error{rserrors.NewFieldError(path, rserrors.RulePattern,
			`must be a standard scope (openid, email, phone, profile, aws.cognito.signin.user.admin) or "<identifier>/<scope name>"`, scope)}
	}
	var errs []error
	for _, part := range []struct {
		what string
		err  error
	}{{"identifier", validate.Identifier(id)}, {"scope name", validate.ScopeName(name)}} {
		if ve, ok := part.err.(*rserrors.ValidationError); ok && ve != nil {
			for _, v := range ve.Violations {
				errs = append(errs, &rserrors.FieldError{Field: path, Rule: v.Rule, Detail: part.what + ": " + v.Detail, Value: rserrors.Shorten(scope)})
			}
		}
	}
	return errs
}

// scopeArgs validates the scopes argument of GrantScopes, RevokeScopes and
// the like: at least one, each valid (paths "scopes[i]"), at most
// MaxScopes distinct ones. It returns the distinct scopes in order.
func scopeArgs(scopes []string) ([]string, []error) {
	var errs []error
	if len(scopes) == 0 {
		errs = append(errs, rserrors.NewFieldError("scopes", rserrors.RuleRequired, "at least one scope is required", ""))
	}
	var distinct []string
	for i, s := range scopes {
		errs = append(errs, checkScope(fmt.Sprintf("scopes[%d]", i), s)...)
		if !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	if len(distinct) > MaxScopes {
		errs = append(errs, rserrors.NewFieldError("scopes", rserrors.RuleMaxItems,
			fmt.Sprintf("at most %d scopes, got %d", MaxScopes, len(distinct)), ""))
	}
	return distinct, errs
}

// missingScopes returns, in order, the custom scopes of scopes that do not
// exist in the pool: it sends one DescribeResourceServer per distinct
// identifier (paced as UserPoolResourceRead), and counts a scope missing
// when its resource server does not exist or does not define it. Standard
// scopes always exist.
func (c *Client) missingScopes(ctx context.Context, poolID string, scopes []string) ([]string, error) {
	defined := make(map[string][]string) // identifier -> scope names; nil when the server does not exist
	var missing []string
	for _, s := range scopes {
		id, name, ok := splitScope(s)
		if IsStandard(s) || !ok {
			continue
		}
		names, seen := defined[id]
		if !seen {
			opts, err := c.callOpts(ctx, poolID, pace.ResourceRead)
			if err != nil {
				return nil, err
			}
			out, err := c.api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
				UserPoolId: aws.String(poolID), Identifier: aws.String(id),
			}, opts...)
			switch {
			case rserrors.IsNotFound(err):
			case err != nil:
				return nil, from(poolID, err)
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
