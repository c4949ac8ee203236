package resourceserver

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// guard is the last check before an UpdateResourceServer is sent. Because
// Cognito resets what an update leaves out, it refuses, with a
// *rserrors.UnsafeUpdateError listing the loss, an input in that has no
// name, or that leaves out a scope of cur that the resolved change d does
// not remove by name. So a server that had scopes is left with none only
// when d names every one of them, as ClearScopes resolves to.
func guard(cur ResourceServer, in *cip.UpdateResourceServerInput, d Change) error {
	var e rserrors.UnsafeUpdateError
	e.MissingName = in == nil || aws.ToString(in.Name) == ""
	sent := make(map[string]bool)
	if in != nil {
		for _, s := range in.Scopes {
			if s.ScopeName != nil {
				sent[*s.ScopeName] = true
			}
		}
	}
	removes := d.Resolve(cur).remove
	for _, s := range cur.Scopes {
		if !sent[s.Name] && !slices.Contains(removes, s.Name) {
			e.Lost = append(e.Lost, s.Name)
		}
	}
	if !e.MissingName && len(e.Lost) == 0 {
		return nil
	}
	e.UserPoolID, e.Identifier = cur.UserPoolID, cur.Identifier
	return &e
}
