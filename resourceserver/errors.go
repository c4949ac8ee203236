package resourceserver

// OpError records an error from a Client method together with the method
// and the resource server it worked on, in the manner of io/fs.PathError.
// Every error a Client method returns is an *OpError.
//
// Err is the cause, kept in the chain: a service error mapped by
// rserrors.From (so rserrors.IsNotFound(err) and errors.As into
// *rserrors.ResourceNotFoundError or the SDK's
// *types.ResourceNotFoundException all work), a *rserrors.ValidationError,
// a *rserrors.UnsafeUpdateError, a *rserrors.ConflictError, a context error,
// or the error returned by a Modify function or a Locker.
type OpError struct {
	// Op is the Client method, such as "AddScopes".
	Op string
	// UserPoolID is the user pool the method worked on.
	UserPoolID string
	// Identifier is the resource server's identifier; empty for List.
	Identifier string
	// Err is the cause.
	Err error
}

// Error returns "resourceserver: <Op> <UserPoolID>/<Identifier>: <cause>",
// leaving out "/<Identifier>" when the identifier is empty.
func (e *OpError) Error() string {
	s := "resourceserver: " + e.Op + " " + e.UserPoolID
	if e.Identifier != "" {
		s += "/" + e.Identifier
	}
	if e.Err == nil {
		return s
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

func opError(op, pool, id string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, UserPoolID: pool, Identifier: id, Err: err}
}
