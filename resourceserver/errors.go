package resourceserver

import rserrors "github.com/scopekeeper/scopekeeper/errors"

// OpError records an error from a Client method together with the method
// and the resource server it worked on. Every error a Client method returns
// is an *OpError, with Package "resourceserver".
//
// Deprecated: OpError is an alias of [rserrors.OpError], the one type for
// both packages; use that name.
type OpError = rserrors.OpError

func opError(op, pool, id string, err error) error {
	if err == nil {
		return nil
	}
	return &rserrors.OpError{Package: "resourceserver", Op: op, UserPoolID: pool, Identifier: id, Err: err}
}
