// Package errors defines the errors scopekeeper returns: typed errors for the
// exceptions Amazon Cognito answers to the resource-server operations
// (CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
// DeleteResourceServer, ListResourceServers) and the app-client ones
// (DescribeUserPoolClient, ListUserPoolClients, UpdateUserPoolClient), and
// client-side errors for input refused before anything was sent.
//
// The package shadows the standard library's errors package, as
// Kubernetes' k8s.io/apimachinery/pkg/api/errors does, so import it under
// another name:
//
//	import rserrors "github.com/scopekeeper/scopekeeper/errors"
//
// Its predicates (rserrors.IsNotFound and the like) mean a caller rarely
// needs both packages in one file.
//
// # Service errors
//
// [From] maps an error from the SDK's Cognito client
// (github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider) to one of
// the types below. Each embeds [ServiceError], which holds the operation
// name, the error code, the message, the request ID (X-Amzn-Requestid) and
// the HTTP status code, and unwraps to the SDK's error, so errors.As into
// *types.ResourceNotFoundException or *smithy.OperationError keeps working.
// errors.As into a *ServiceError matches every one of them.
//
//	code                             type                          sentinel                   predicate                 retryable
//	InvalidParameterException        *InvalidParameterError        ErrInvalidParameter        IsInvalidParameter        no
//	ResourceNotFoundException        *ResourceNotFoundError        ErrNotFound                IsNotFound                no
//	NotAuthorizedException           *NotAuthorizedError           ErrNotAuthorized           IsNotAuthorized           no
//	TooManyRequestsException         *TooManyRequestsError         ErrTooManyRequests         IsTooManyRequests         yes
//	InternalErrorException           *InternalError                ErrInternalError           IsInternalError           yes
//	OperationNotEnabledException     *OperationNotEnabledError     ErrOperationNotEnabled     IsOperationNotEnabled     no
//	LimitExceededException           *LimitExceededError           ErrLimitExceeded           IsLimitExceeded           no
//	ScopeDoesNotExistException       *ScopeDoesNotExistError       ErrScopeDoesNotExist       IsScopeDoesNotExist       no
//	InvalidOAuthFlowException        *InvalidOAuthFlowError        ErrInvalidOAuthFlow        IsInvalidOAuthFlow        no
//	ConcurrentModificationException  *ConcurrentModificationError  ErrConcurrentModification  IsConcurrentModification  no
//	any other code                   *ServiceError                 none                       none                      no
//
// InvalidParameterError also carries the exception's ReasonCode,
// ResourceNotFoundError what does not exist (user pool, resource server or
// app client: [IsUserPoolNotFound], [IsResourceServerNotFound],
// [IsAppClientNotFound]), and ScopeDoesNotExistError the scopes the message
// names. LimitExceeded is a quota (such as the number of resource servers in
// a user pool), not a throttle: retrying cannot succeed, so [IsRetryable] is
// false for it, although the SDK's standard retryer treats it as throttling.
// ConcurrentModification is not retryable either, nor retried by the SDK:
// the request rests on a state another change is replacing, and must be
// rebuilt from a fresh read ([ConcurrentModificationError]).
//
// An error that did not come from the service, such as context.Canceled, a
// refused connection or a client-side error, passes through From unchanged.
//
// The predicates are true for a mapped error and for a raw SDK error of
// their kind alike, anywhere in the error's tree (wrapped with fmt.Errorf
// and %w, or joined with errors.Join), so they can be used on what the SDK
// returned without calling From first. The sentinels match the mapped types
// only.
//
// # Client-side errors
//
// A [ValidationError] lists every [FieldError] an input caused (field path,
// [Rule], detail and the offending value, shortened by [Shorten]), and
// unwraps to them; both match [ErrValidation] and [IsValidation]. An
// [UnsafeUpdateError] ([ErrUnsafeUpdate], [IsUnsafeUpdate]) is an update
// of a resource server or an app client refused because it would have
// dropped or reset what the caller did not ask to change; a
// [ConflictError] ([ErrConflict], [IsConflict]) is a read-modify-write
// that concurrent writers kept overwriting; a [GrantsError]
// ([IsDanglingGrants], [IsRegrant]) is a change refused for the app
// clients that hold its scopes, of one resource server or of a whole plan.
//
// Each concept has one type here: [OpError] is the error of every method
// of resourceserver.Client and appclient.Client, whose own OpError (and
// appclient.UnsafeUpdateError, reconcile.ImpactError) are deprecated
// aliases, so errors.As works with either name.
//
// # Usage
//
//	out, err := client.DescribeResourceServer(ctx, in)
//	if err != nil {
//		err = rserrors.From(err)
//		switch {
//		case rserrors.IsNotFound(err):
//			// the user pool or the resource server does not exist
//		case rserrors.IsRetryable(err):
//			// back off and try again
//		}
//		var se *rserrors.ServiceError
//		if errors.As(err, &se) {
//			log.Printf("cognito %s failed: %s (request id %s)", se.Operation, se.Code, se.RequestID)
//		}
//		return err
//	}
package errors
