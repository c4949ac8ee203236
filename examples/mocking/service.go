package main

import (
	"context"
	"errors"
	"fmt"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// ScopeStore is the part of *resourceserver.Client that Service uses.
// Depending on this small interface, rather than on the Client, lets a
// unit test give Service a hand-written fake.
type ScopeStore interface {
	// AddScopes adds scopes to a resource server and keeps the others.
	AddScopes(ctx context.Context, poolID, identifier string, scopes ...resourceserver.Scope) (resourceserver.ResourceServer, error)
	// Create creates a resource server.
	Create(ctx context.Context, rs resourceserver.ResourceServer) (resourceserver.ResourceServer, error)
}

var _ ScopeStore = (*resourceserver.Client)(nil)

// ErrNoScopes is returned by Service.RegisterAPI for an API without
// scopes.
var ErrNoScopes = errors.New("an API needs at least one scope")

// Service registers the APIs of a platform as resource servers of one
// Cognito user pool, so that app clients can be granted their scopes.
type Service struct {
	// Store reaches Cognito; in production a *resourceserver.Client.
	Store ScopeStore
	// PoolID is the user pool.
	PoolID string
}

// RegisterAPI makes sure the API is a resource server of the pool holding
// at least scopes, and returns the token scopes ("<identifier>/<scope>")
// of scopes, in order, for the app clients that call the API.
//
// It sends, through Store, AddScopes, and if the resource server does not
// exist, Create with name and scopes. It returns ErrNoScopes, without
// sending anything, when scopes is empty, and otherwise Store's error
// wrapped with the identifier, so that errors.Is and errors.As (and the
// rserrors predicates) still see the cause.
func (s *Service) RegisterAPI(ctx context.Context, identifier, name string, scopes ...resourceserver.Scope) ([]string, error) {
	if len(scopes) == 0 {
		return nil, fmt.Errorf("register API %s: %w", identifier, ErrNoScopes)
	}
	_, err := s.Store.AddScopes(ctx, s.PoolID, identifier, scopes...)
	if rserrors.IsNotFound(err) {
		_, err = s.Store.Create(ctx, resourceserver.ResourceServer{
			UserPoolID: s.PoolID, Identifier: identifier, Name: name, Scopes: scopes,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("register API %s: %w", identifier, err)
	}
	return resourceserver.ResourceServer{Identifier: identifier, Scopes: scopes}.TokenScopes(), nil
}
