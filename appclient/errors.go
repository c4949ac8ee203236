package appclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// OpError records an error from a Client method together with the method,
// the user pool and the app client it worked on, in the manner of
// io/fs.PathError. Every error a Client method returns is an *OpError.
//
// Err is the cause, kept in the chain: a service error mapped by
// rserrors.From (so rserrors.IsNotFound(err) works), except that a
// ScopeDoesNotExistException comes wrapped in a *ScopeNotFoundError; a
// *ScopeNotFoundError found before anything was sent; a
// *rserrors.ValidationError, an *UnsafeUpdateError, a
// *rserrors.ConflictError, a context error, or the error returned by a
// Modify function.
type OpError struct {
	// Op is the Client method, such as "GrantScopes".
	Op string
	// UserPoolID is the user pool the method worked on.
	UserPoolID string
	// ClientID is the app client's ID; empty for methods over the whole pool.
	ClientID string
	// Err is the cause.
	Err error
}

// Error returns "appclient: <Op> <UserPoolID>/<ClientID>: <cause>", leaving
// out "/<ClientID>" when it is empty.
func (e *OpError) Error() string {
	s := "appclient: " + e.Op + " " + e.UserPoolID
	if e.ClientID != "" {
		s += "/" + e.ClientID
	}
	if e.Err == nil {
		return s
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

func opError(op, pool, client string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, UserPoolID: pool, ClientID: client, Err: err}
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
// change. errors.Is(err, rserrors.ErrUnsafeUpdate) and
// rserrors.IsUnsafeUpdate(err) match it.
type UnsafeUpdateError struct {
	// UserPoolID and ClientID name the app client.
	UserPoolID, ClientID string
	// OAuthOff is true when the update would have turned OAuth off
	// (AllowedOAuthFlowsUserPoolClient from true to false) without the
	// caller setting it to false.
	OAuthOff bool
	// Lost lists the UpdateUserPoolClientInput members the update would
	// have reset or changed although the caller did not change them.
	Lost []string
}

// Error lists what the update would have changed: "unsafe update of app
// client <pool>/<client> refused: it would turn OAuth off; it would reset
// or change <n> field(s) not asked for: <Lost...>".
func (e *UnsafeUpdateError) Error() string {
	var parts []string
	if e.OAuthOff {
		parts = append(parts, "it would turn OAuth off")
	}
	if len(e.Lost) > 0 {
		parts = append(parts, fmt.Sprintf("it would reset or change %d field(s) not asked for: %s",
			len(e.Lost), strings.Join(e.Lost, ", ")))
	}
	s := fmt.Sprintf("unsafe update of app client %s/%s refused", e.UserPoolID, e.ClientID)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	return s
}

// Is reports whether target is rserrors.ErrUnsafeUpdate.
func (e *UnsafeUpdateError) Is(target error) bool { return target == rserrors.ErrUnsafeUpdate }

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
