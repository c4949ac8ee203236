package appclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// OpError records an error from a Client method together with the method,
// the user pool and the app client it worked on. Every error a Client
// method returns is an *OpError, with Package "appclient" and ClientID set
// (empty for methods over the whole pool). Its cause may also be a
// *ScopeNotFoundError, in which a ScopeDoesNotExistException comes
// wrapped.
//
// Deprecated: OpError is an alias of [rserrors.OpError], the one type for
// both packages; use that name.
type OpError = rserrors.OpError

func opError(op, pool, client string, err error) error {
	if err == nil {
		return nil
	}
	return &rserrors.OpError{Package: "appclient", Op: op, UserPoolID: pool, ClientID: client, Err: err}
}

// ScopeNotFoundError reports a scope that an app client was to be granted
// but that does not exist: no resource server of the pool has that
// identifier, or it has no scope of that name. It is what Cognito's
// ScopeDoesNotExistException ("Invalid scope requested: <scope>") says;
// a Client finds it before sending the UpdateUserPoolClient, or wraps
// Cognito's answer in it. Either way errors.Is(err,
// rserrors.ErrScopeDoesNotExist) and rserrors.IsScopeDoesNotExist(err)
// match it.
type ScopeNotFoundError struct {
	// UserPoolID is the user pool.
	UserPoolID string
	// Scopes lists the scopes that do not exist, "<identifier>/<name>", in
	// the order they were asked for, or as Cognito's message names them.
	Scopes []string
	// Err is Cognito's error, a *rserrors.ScopeDoesNotExistError, when the
	// service reported it; nil when the Client found it first.
	Err error
}

// Error returns "scope(s) do not exist in user pool <pool>: <scopes>",
// followed by Cognito's error when there is one.
func (e *ScopeNotFoundError) Error() string {
	s := fmt.Sprintf("%d scope(s) do not exist in user pool %s: %s", len(e.Scopes), e.UserPoolID, strings.Join(e.Scopes, ", "))
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns Cognito's error, if any.
func (e *ScopeNotFoundError) Unwrap() error { return e.Err }

// Is reports whether target is rserrors.ErrScopeDoesNotExist.
func (e *ScopeNotFoundError) Is(target error) bool { return target == rserrors.ErrScopeDoesNotExist }

// UnsafeUpdateError reports an UpdateUserPoolClient that was refused before
// it was sent because it would have changed what the caller did not ask to
// change (its ClientID is set).
//
// Deprecated: UnsafeUpdateError is an alias of [rserrors.UnsafeUpdateError],
// the one type for resource servers and app clients; use that name.
type UnsafeUpdateError = rserrors.UnsafeUpdateError

// from maps an SDK error with rserrors.From, and wraps a
// *rserrors.ScopeDoesNotExistError in a *ScopeNotFoundError for pool that
// lists the scopes Cognito's message names.
func from(pool string, err error) error {
	err = rserrors.From(err)
	var sd *rserrors.ScopeDoesNotExistError
	if errors.As(err, &sd) {
		return &ScopeNotFoundError{UserPoolID: pool, Scopes: slices.Clone(sd.Scopes), Err: err}
	}
	return err
}
