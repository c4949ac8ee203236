package main

import (
	"context"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// EnsureScopes makes sure that the resource server want.Identifier exists
// in want.UserPoolID and holds every scope of want.Scopes, with those
// descriptions, leaving any other scope and the name of an existing server
// alone. It is what a backend runs at start-up; it is idempotent, so
// running it again, or from several replicas at once, is safe.
//
// It sends, through c: AddScopes (Describe, then Update and a verifying
// Describe only if a scope is missing or described differently). If the
// resource server does not exist it sends CreateResourceServer with want.
// When several replicas start together, all can see it missing and all
// try to create it: Cognito creates it once and refuses the others with
// an InvalidParameterException ("<identifier> already exists in user pool
// <pool>."), and those replicas fall back to AddScopes.
//
// Overlapping AddScopes from separate processes can still overwrite each
// other after the Client has verified its write (Cognito has no
// conditional update), so give the Client of every replica a
// resourceserver.Locker that they all share, such as a lock in DynamoDB
// or Redis; see resourceserver.Options.Locker.
//
// It returns the resource server as Cognito last reported it, or the
// Client's error: a *resourceserver.OpError holding, for example, a
// *rserrors.ResourceNotFoundError when the user pool does not exist or a
// *rserrors.ValidationError for invalid input (nothing sent).
func EnsureScopes(ctx context.Context, c *resourceserver.Client, want resourceserver.ResourceServer) (resourceserver.ResourceServer, error) {
	rs, err := c.AddScopes(ctx, want.UserPoolID, want.Identifier, want.Scopes...)
	if !rserrors.IsNotFound(err) {
		return rs, err
	}
	rs, err = c.Create(ctx, want)
	if !rserrors.IsInvalidParameter(err) {
		return rs, err // created, or a failure such as a missing user pool
	}
	// Another replica created it between our Describe and our Create (or,
	// if it was something else, AddScopes reports it).
	return c.AddScopes(ctx, want.UserPoolID, want.Identifier, want.Scopes...)
}
