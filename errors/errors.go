package errors

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// Sentinels for errors.Is. Every typed error of this package matches exactly
// one of them; a generic *ServiceError (an error code this package has no
// type for) matches none, and neither does a raw SDK error: use the Is*
// predicates, which match both mapped and raw errors.
var (
	// ErrInvalidParameter matches an InvalidParameterException from Cognito.
	ErrInvalidParameter = errors.New("invalid parameter")
	// ErrNotFound matches a ResourceNotFoundException from Cognito.
	ErrNotFound = errors.New("resource not found")
	// ErrNotAuthorized matches a NotAuthorizedException from Cognito.
	ErrNotAuthorized = errors.New("not authorized")
	// ErrTooManyRequests matches a TooManyRequestsException from Cognito.
	ErrTooManyRequests = errors.New("too many requests")
	// ErrInternalError matches an InternalErrorException from Cognito.
	ErrInternalError = errors.New("internal error")
	// ErrOperationNotEnabled matches an OperationNotEnabledException from Cognito.
	ErrOperationNotEnabled = errors.New("operation not enabled")
	// ErrLimitExceeded matches a LimitExceededException from Cognito.
	ErrLimitExceeded = errors.New("limit exceeded")
	// ErrScopeDoesNotExist matches a ScopeDoesNotExistException from
	// Cognito: an app client was to be allowed a scope that is not defined.
	ErrScopeDoesNotExist = errors.New("scope does not exist")
	// ErrInvalidOAuthFlow matches an InvalidOAuthFlowException from Cognito.
	ErrInvalidOAuthFlow = errors.New("invalid oauth flow")
	// ErrConcurrentModification matches a ConcurrentModificationException
	// from Cognito.
	ErrConcurrentModification = errors.New("concurrent modification")
	// ErrValidation matches a client-side ValidationError and each of its
	// FieldErrors: the input broke one of Cognito's rules and nothing was sent.
	ErrValidation = errors.New("validation failed")
	// ErrUnsafeUpdate matches an UnsafeUpdateError: an update that would
	// have dropped the name or scopes the caller did not ask to remove.
	ErrUnsafeUpdate = errors.New("unsafe update")
	// ErrConflict matches a ConflictError: concurrent writers kept
	// overwriting a change and the bounded number of attempts ran out.
	ErrConflict = errors.New("conflict")
	// ErrLockLost matches a LockLostError: a shared lock was lost while a
	// change held it, and the change stopped before its next write.
	ErrLockLost = errors.New("lock lost")
	// ErrInvalidResponse matches an InvalidResponseError: a successful
	// answer that lacks what the operation must return.
	ErrInvalidResponse = errors.New("invalid response")
	// ErrAlreadyExists matches an InvalidParameterError whose Reason is
	// ReasonAlreadyExists: a Create refused because the identifier is taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrDanglingGrants matches a GrantsError whose change would remove
	// scopes that app clients allow.
	ErrDanglingGrants = errors.New("scopes granted to app clients")
	// ErrRegrant matches a GrantsError whose change would define again
	// scopes that app clients still list as inactive.
	ErrRegrant = errors.New("inactive scopes would be granted again")
)

// What a ResourceNotFoundError's Resource or an InvalidParameterError's
// Reason can hold, read from the service's message so that callers need
// not compare strings.
const (
	// ResourceUserPool: the user pool does not exist ("User pool <id> does
	// not exist.").
	ResourceUserPool = "user pool"
	// ResourceServer: the resource server does not exist ("Resource server
	// <identifier> does not exist.").
	ResourceServer = "resource server"
	// ResourceAppClient: the app client does not exist ("User pool client
	// <id> does not exist.").
	ResourceAppClient = "app client"
	// ReasonAlreadyExists: a Create named an identifier that is taken
	// ("<identifier> already exists in user pool <pool>.").
	ReasonAlreadyExists = "already exists"
)

// The error codes Cognito answers for the resource-server and app-client
// operations that this package has a type for, as they appear in the "__type" of an error response (or the X-Amzn-ErrorType
// header) once the SDK has stripped a namespace ("aws.cognito#") and a
// suffix (":..."). Like the SDK, this package compares them without regard
// to case.
const (
	CodeInvalidParameter    = "InvalidParameterException"
	CodeNotFound            = "ResourceNotFoundException"
	CodeNotAuthorized       = "NotAuthorizedException"
	CodeTooManyRequests     = "TooManyRequestsException"
	CodeInternalError       = "InternalErrorException"
	CodeOperationNotEnabled = "OperationNotEnabledException"
	CodeLimitExceeded       = "LimitExceededException"
	// The app-client operations (CreateUserPoolClient, UpdateUserPoolClient)
	// answer these too.
	CodeScopeDoesNotExist      = "ScopeDoesNotExistException"
	CodeInvalidOAuthFlow       = "InvalidOAuthFlowException"
	CodeConcurrentModification = "ConcurrentModificationException"
)

// ServiceError is an error answered by Cognito. It is returned as is for an
// error code this package has no type for, and is embedded in every typed
// service error, so errors.As with a *ServiceError matches all of them.
type ServiceError struct {
	// Operation is the SDK operation name, such as "DescribeResourceServer".
	Operation string
	// Code is the error code, such as "ResourceNotFoundException".
	Code string
	// Message is the service's message.
	Message string
	// RequestID is the value of X-Amzn-Requestid, empty if none came back.
	RequestID string
	// StatusCode is the HTTP status code, 0 if unknown.
	StatusCode int
	// Err is the error the SDK returned; it is kept in the chain so that
	// errors.As into the SDK's own types (such as
	// *types.ResourceNotFoundException or *smithy.OperationError) still works.
	Err error
}

// Error returns "cognito <Operation>: <Code> (status <StatusCode>, request id
// <RequestID>): <Message>", leaving out each part that is empty or zero.
func (e *ServiceError) Error() string {
	var b strings.Builder
	b.WriteString("cognito")
	if e.Operation != "" {
		b.WriteString(" ")
		b.WriteString(e.Operation)
	}
	b.WriteString(": ")
	b.WriteString(e.Code)
	if e.StatusCode != 0 || e.RequestID != "" {
		b.WriteString(" (")
		if e.StatusCode != 0 {
			fmt.Fprintf(&b, "status %d", e.StatusCode)
		}
		if e.RequestID != "" {
			if e.StatusCode != 0 {
				b.WriteString(", ")
			}
			b.WriteString("request id ")
			b.WriteString(e.RequestID)
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the SDK's error, Err.
func (e *ServiceError) Unwrap() error { return e.Err }

// ErrorCode returns Code; with ErrorMessage and ErrorFault it makes every
// service error of this package a smithy.APIError.
func (e *ServiceError) ErrorCode() string { return e.Code }

// ErrorMessage returns Message.
func (e *ServiceError) ErrorMessage() string { return e.Message }

// ErrorFault reports whether the service or the caller is at fault:
// smithy.FaultServer for InternalErrorException or a 5xx status,
// smithy.FaultClient for another 4xx status, smithy.FaultUnknown otherwise.
func (e *ServiceError) ErrorFault() smithy.ErrorFault {
	switch {
	case e.Code == CodeInternalError || e.StatusCode >= 500:
		return smithy.FaultServer
	case e.StatusCode >= 400:
		return smithy.FaultClient
	}
	return smithy.FaultUnknown
}

// asService implements the As method of every typed error: a **ServiceError
// target gets the embedded ServiceError.
func asService(s *ServiceError, target any) bool {
	if p, ok := target.(**ServiceError); ok {
		*p = s
		return true
	}
	return false
}

// InvalidParameterError is Cognito's InvalidParameterException: a
// parameter broke a rule the service checks, or (on Create) the identifier
// already exists in the pool.
type InvalidParameterError struct {
	ServiceError
	// ReasonCode is the exception's ReasonCode, empty if none came back.
	ReasonCode string
	// Reason is ReasonAlreadyExists when the message says a Create named an
	// identifier that is taken, and empty otherwise.
	Reason string
}

// Is reports whether target is ErrInvalidParameter, or ErrAlreadyExists
// when Reason is ReasonAlreadyExists.
func (e *InvalidParameterError) Is(target error) bool {
	return target == ErrInvalidParameter || (target == ErrAlreadyExists && e.Reason == ReasonAlreadyExists)
}

// As sets a **ServiceError target to the embedded ServiceError.
func (e *InvalidParameterError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// ResourceNotFoundError is Cognito's ResourceNotFoundException: the user pool,
// the resource server or the app client does not exist.
type ResourceNotFoundError struct {
	ServiceError
	// Resource is what does not exist, read from the message:
	// ResourceUserPool, ResourceServer or ResourceAppClient; empty when the
	// message says none of them.
	Resource string
}

// Is reports whether target is ErrNotFound.
func (e *ResourceNotFoundError) Is(target error) bool { return target == ErrNotFound }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *ResourceNotFoundError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// NotAuthorizedError is Cognito's NotAuthorizedException: the caller's
// credentials do not allow the operation.
type NotAuthorizedError struct{ ServiceError }

// Is reports whether target is ErrNotAuthorized.
func (e *NotAuthorizedError) Is(target error) bool { return target == ErrNotAuthorized }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *NotAuthorizedError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// TooManyRequestsError is Cognito's TooManyRequestsException: a request rate
// quota was exceeded. It is retryable.
type TooManyRequestsError struct{ ServiceError }

// Is reports whether target is ErrTooManyRequests.
func (e *TooManyRequestsError) Is(target error) bool { return target == ErrTooManyRequests }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *TooManyRequestsError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// InternalError is Cognito's InternalErrorException (HTTP 500). It is
// retryable.
type InternalError struct{ ServiceError }

// Is reports whether target is ErrInternalError.
func (e *InternalError) Is(target error) bool { return target == ErrInternalError }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *InternalError) As(target any) bool { return e != nil && asService(&e.ServiceError, target) }

// OperationNotEnabledError is Cognito's OperationNotEnabledException: the
// operation is not enabled for the user pool or account.
type OperationNotEnabledError struct{ ServiceError }

// Is reports whether target is ErrOperationNotEnabled.
func (e *OperationNotEnabledError) Is(target error) bool { return target == ErrOperationNotEnabled }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *OperationNotEnabledError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// LimitExceededError is Cognito's LimitExceededException: a quota, such as
// the number of resource servers per user pool, is used up. It is not
// retryable: retrying cannot succeed until something is deleted.
type LimitExceededError struct{ ServiceError }

// Is reports whether target is ErrLimitExceeded.
func (e *LimitExceededError) Is(target error) bool { return target == ErrLimitExceeded }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *LimitExceededError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// ScopeDoesNotExistError is Cognito's ScopeDoesNotExistException ("Invalid
// scope requested: <scope>"): CreateUserPoolClient or UpdateUserPoolClient
// named, in AllowedOAuthScopes, a scope that is neither a standard scope nor
// defined by a resource server of the pool.
type ScopeDoesNotExistError struct {
	ServiceError
	// Scopes lists the scopes the message names, in its order; nil when it
	// names none.
	Scopes []string
}

// Is reports whether target is ErrScopeDoesNotExist.
func (e *ScopeDoesNotExistError) Is(target error) bool { return target == ErrScopeDoesNotExist }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *ScopeDoesNotExistError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// InvalidOAuthFlowError is Cognito's InvalidOAuthFlowException: an app
// client's OAuth flows, scopes and secret break one of Cognito's rules (for
// example, client_credentials with another flow, or without a secret).
type InvalidOAuthFlowError struct{ ServiceError }

// Is reports whether target is ErrInvalidOAuthFlow.
func (e *InvalidOAuthFlowError) Is(target error) bool { return target == ErrInvalidOAuthFlow }

// As sets a **ServiceError target to the embedded ServiceError.
func (e *InvalidOAuthFlowError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// ConcurrentModificationError is Cognito's ConcurrentModificationException:
// the request was rejected because another change of the same resource
// (such as an UpdateUserPoolClient of the same app client) was under way.
// It is not retryable as it stands: the request was built from a state that
// the other change is replacing, so sending it again could undo that
// change. Read the resource again and rebuild the request from what it
// holds then, as appclient's read-modify-write does.
type ConcurrentModificationError struct{ ServiceError }

// Is reports whether target is ErrConcurrentModification.
func (e *ConcurrentModificationError) Is(target error) bool {
	return target == ErrConcurrentModification
}

// As sets a **ServiceError target to the embedded ServiceError.
func (e *ConcurrentModificationError) As(target any) bool {
	return e != nil && asService(&e.ServiceError, target)
}

// From maps an error returned by the SDK's Cognito client to this package's
// types: a known code to its typed error (Code spelled as the Code*
// constant), an unknown code to a *ServiceError that keeps the code as the
// SDK gave it. The result wraps err, so errors.As into the SDK's own types
// still works. Operation comes from the SDK's *smithy.OperationError,
// StatusCode and RequestID from its HTTP response error, when err has them.
// An error that did not come from the service (a cancelled context, a
// network failure, a client-side validation error) and nil come back
// unchanged, and so does an error that already holds one of this package's
// service errors. From sends nothing.
func From(err error) error {
	if err == nil {
		return nil
	}
	var mine *ServiceError
	if errors.As(err, &mine) {
		return err
	}
	var api smithy.APIError
	if !errors.As(err, &api) || isNil(api) {
		return err
	}
	s := ServiceError{Code: canonical(api.ErrorCode()), Message: api.ErrorMessage(), Err: err}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		s.Operation = op.Operation()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		s.StatusCode = re.HTTPStatusCode()
		s.RequestID = re.ServiceRequestID()
	}
	switch s.Code {
	case CodeInvalidParameter:
		e := &InvalidParameterError{ServiceError: s}
		var ip *types.InvalidParameterException
		if errors.As(err, &ip) && ip.ReasonCode != nil {
			e.ReasonCode = *ip.ReasonCode
		}
		if strings.Contains(s.Message, " already exists in user pool ") {
			e.Reason = ReasonAlreadyExists
		}
		return e
	case CodeNotFound:
		return &ResourceNotFoundError{ServiceError: s, Resource: notFoundResource(s.Message)}
	case CodeNotAuthorized:
		return &NotAuthorizedError{s}
	case CodeTooManyRequests:
		return &TooManyRequestsError{s}
	case CodeInternalError:
		return &InternalError{s}
	case CodeOperationNotEnabled:
		return &OperationNotEnabledError{s}
	case CodeLimitExceeded:
		return &LimitExceededError{s}
	case CodeScopeDoesNotExist:
		return &ScopeDoesNotExistError{ServiceError: s, Scopes: invalidScopes(s.Message)}
	case CodeInvalidOAuthFlow:
		return &InvalidOAuthFlowError{s}
	case CodeConcurrentModification:
		return &ConcurrentModificationError{s}
	}
	return &s
}

// notFoundResource reads what a ResourceNotFoundException's message says
// does not exist.
func notFoundResource(msg string) string {
	switch {
	case !strings.HasSuffix(strings.TrimSuffix(msg, "."), " does not exist"):
		return ""
	case strings.HasPrefix(msg, "User pool client "):
		return ResourceAppClient
	case strings.HasPrefix(msg, "User pool "):
		return ResourceUserPool
	case strings.HasPrefix(msg, "Resource server "):
		return ResourceServer
	}
	return ""
}

// invalidScopes reads the scopes a ScopeDoesNotExistException's message
// ("Invalid scope requested: <scope>, <scope>") names.
func invalidScopes(msg string) []string {
	_, list, ok := strings.Cut(msg, "Invalid scope requested: ")
	if !ok || list == "" {
		return nil
	}
	return strings.Split(list, ", ")
}

// codes lists the codes this package has a type for.
var codes = [...]string{
	CodeInvalidParameter, CodeNotFound, CodeNotAuthorized, CodeTooManyRequests,
	CodeInternalError, CodeOperationNotEnabled, CodeLimitExceeded,
	CodeScopeDoesNotExist, CodeInvalidOAuthFlow, CodeConcurrentModification,
}

// canonical returns the Code* constant that equals code without regard to
// case, as the SDK matches codes, or code itself if none does.
func canonical(code string) string {
	for _, c := range codes {
		if strings.EqualFold(code, c) {
			return c
		}
	}
	return code
}

// is reports whether err matches sentinel, or carries a service error with
// the given code anywhere in its tree (a raw SDK error included).
func is(err, sentinel error, code string) bool {
	return err != nil && (errors.Is(err, sentinel) || hasCode(err, code))
}

// hasCode reports whether any error in err's tree is a smithy.APIError, or
// converts to one through an As method, whose code equals code without
// regard to case. It visits the tree as errors.Is does, every branch of an
// errors.Join or of a multi-%w fmt.Errorf included, where errors.As would
// stop at the first APIError, whatever its code.
func hasCode(err error, code string) bool {
	for err != nil {
		if api, ok := err.(smithy.APIError); ok && !isNil(api) && strings.EqualFold(api.ErrorCode(), code) {
			return true
		}
		if x, ok := err.(interface{ As(any) bool }); ok {
			var api smithy.APIError
			if x.As(&api) && !isNil(api) && strings.EqualFold(api.ErrorCode(), code) {
				return true
			}
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if hasCode(e, code) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// IsInvalidParameter reports whether err is, or wraps, an
// InvalidParameterException, mapped or raw from the SDK.
func IsInvalidParameter(err error) bool { return is(err, ErrInvalidParameter, CodeInvalidParameter) }

// IsNotFound reports whether err is, or wraps, a ResourceNotFoundException,
// mapped or raw from the SDK.
func IsNotFound(err error) bool { return is(err, ErrNotFound, CodeNotFound) }

// IsUserPoolNotFound reports whether err is, or wraps, a
// ResourceNotFoundException that says the user pool does not exist.
func IsUserPoolNotFound(err error) bool { return notFound(err, ResourceUserPool) }

// IsAppClientNotFound reports whether err is, or wraps, a
// ResourceNotFoundException that says the app client does not exist (its
// user pool does).
func IsAppClientNotFound(err error) bool { return notFound(err, ResourceAppClient) }

// IsResourceServerNotFound reports whether err is, or wraps, a
// ResourceNotFoundException that says the resource server does not exist
// (its user pool does).
func IsResourceServerNotFound(err error) bool { return notFound(err, ResourceServer) }

func notFound(err error, resource string) bool {
	var nf *ResourceNotFoundError
	if errors.As(err, &nf) {
		return nf.Resource == resource
	}
	var raw *types.ResourceNotFoundException
	return errors.As(err, &raw) && notFoundResource(raw.ErrorMessage()) == resource
}

// IsAlreadyExists reports whether err is, or wraps, an
// InvalidParameterException that says a Create named an identifier that is
// taken, mapped or raw from the SDK.
func IsAlreadyExists(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrAlreadyExists) {
		return true
	}
	var raw *types.InvalidParameterException
	return errors.As(err, &raw) && strings.Contains(raw.ErrorMessage(), " already exists in user pool ")
}

// IsNotAuthorized reports whether err is, or wraps, a NotAuthorizedException,
// mapped or raw from the SDK.
func IsNotAuthorized(err error) bool { return is(err, ErrNotAuthorized, CodeNotAuthorized) }

// IsTooManyRequests reports whether err is, or wraps, a
// TooManyRequestsException, mapped or raw from the SDK.
func IsTooManyRequests(err error) bool { return is(err, ErrTooManyRequests, CodeTooManyRequests) }

// IsInternalError reports whether err is, or wraps, an
// InternalErrorException, mapped or raw from the SDK.
func IsInternalError(err error) bool { return is(err, ErrInternalError, CodeInternalError) }

// IsOperationNotEnabled reports whether err is, or wraps, an
// OperationNotEnabledException, mapped or raw from the SDK.
func IsOperationNotEnabled(err error) bool {
	return is(err, ErrOperationNotEnabled, CodeOperationNotEnabled)
}

// IsLimitExceeded reports whether err is, or wraps, a LimitExceededException,
// mapped or raw from the SDK.
func IsLimitExceeded(err error) bool { return is(err, ErrLimitExceeded, CodeLimitExceeded) }

// IsScopeDoesNotExist reports whether err is, or wraps, a
// ScopeDoesNotExistException, mapped or raw from the SDK, or another of
// scopekeeper's errors that matches ErrScopeDoesNotExist (such as a scope
// found missing before anything was sent).
func IsScopeDoesNotExist(err error) bool {
	return is(err, ErrScopeDoesNotExist, CodeScopeDoesNotExist)
}

// IsInvalidOAuthFlow reports whether err is, or wraps, an
// InvalidOAuthFlowException, mapped or raw from the SDK.
func IsInvalidOAuthFlow(err error) bool { return is(err, ErrInvalidOAuthFlow, CodeInvalidOAuthFlow) }

// IsConcurrentModification reports whether err is, or wraps, a
// ConcurrentModificationException, mapped or raw from the SDK.
func IsConcurrentModification(err error) bool {
	return is(err, ErrConcurrentModification, CodeConcurrentModification)
}

// IsValidation reports whether err is, or wraps, a client-side
// ValidationError or FieldError: the input was refused before anything
// was sent.
func IsValidation(err error) bool { return err != nil && errors.Is(err, ErrValidation) }

// IsUnsafeUpdate reports whether err is, or wraps, an UnsafeUpdateError.
func IsUnsafeUpdate(err error) bool { return err != nil && errors.Is(err, ErrUnsafeUpdate) }

// IsConflict reports whether err is, or wraps, a ConflictError.
func IsConflict(err error) bool { return err != nil && errors.Is(err, ErrConflict) }

// IsLockLost reports whether err is, or wraps, a LockLostError.
func IsLockLost(err error) bool { return err != nil && errors.Is(err, ErrLockLost) }

// IsDanglingGrants reports whether err is, or wraps, a GrantsError for
// scopes that app clients allow.
func IsDanglingGrants(err error) bool { return err != nil && errors.Is(err, ErrDanglingGrants) }

// IsRegrant reports whether err is, or wraps, a GrantsError for inactive
// scopes that would be granted again.
func IsRegrant(err error) bool { return err != nil && errors.Is(err, ErrRegrant) }

// IsInvalidResponse reports whether err is, or wraps, an
// InvalidResponseError.
func IsInvalidResponse(err error) bool { return err != nil && errors.Is(err, ErrInvalidResponse) }

// IsRetryable reports whether the call that returned err may succeed if
// made again unchanged: true for TooManyRequests and InternalError, false
// for everything else, LimitExceeded (a quota, not a throttle) and
// ConcurrentModification (see [ConcurrentModificationError]) included.
func IsRetryable(err error) bool { return IsTooManyRequests(err) || IsInternalError(err) }

// isNil reports whether api is nil or a nil pointer, such as a
// (*smithy.GenericAPIError)(nil) in an error chain, whose methods would
// dereference it.
func isNil(api smithy.APIError) bool {
	if api == nil {
		return true
	}
	v := reflect.ValueOf(api)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
