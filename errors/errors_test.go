package errors_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// reply is one HTTP response the fake Cognito endpoint gives.
type reply struct {
	status    int
	body      string
	errorType string // X-Amzn-ErrorType header, if not empty
	requestID string // X-Amzn-Requestid header, if not empty
}

// newClient returns a real SDK client whose every call is answered with r
// by a local server, and the server, closed when the test ends.
func newClient(t testing.TB, r reply) (*cip.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.errorType != "" {
			w.Header().Set("X-Amzn-ErrorType", r.errorType)
		}
		if r.requestID != "" {
			w.Header().Set("X-Amzn-Requestid", r.requestID)
		}
		w.WriteHeader(r.status)
		fmt.Fprint(w, r.body)
	}))
	t.Cleanup(srv.Close)
	return clientFor(srv.URL), srv
}

// clientFor returns a real SDK client for the endpoint url, with static
// credentials and a single attempt per call.
func clientFor(url string) *cip.Client {
	return cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
}

// call makes the operation op ("DescribeResourceServer",
// "CreateResourceServer", "DescribeUserPoolClient" or "UpdateUserPoolClient")
// with c and returns the SDK's error.
func call(ctx context.Context, t testing.TB, c *cip.Client, op string) error {
	t.Helper()
	var err error
	switch op {
	case "DescribeResourceServer":
		_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
			UserPoolId: aws.String("us-east-1_AbCdEf123"),
			Identifier: aws.String("https://api.example.com"),
		})
	case "CreateResourceServer":
		_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: aws.String("us-east-1_AbCdEf123"),
			Identifier: aws.String("https://api.example.com"),
			Name:       aws.String("api"),
		})
	case "DescribeUserPoolClient":
		_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
			UserPoolId: aws.String("us-east-1_AbCdEf123"),
			ClientId:   aws.String("1example23456789"),
		})
	case "UpdateUserPoolClient":
		_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId:         aws.String("us-east-1_AbCdEf123"),
			ClientId:           aws.String("1example23456789"),
			AllowedOAuthScopes: []string{"https://api.example.com/read"},
		})
	default:
		t.Fatalf("call: unknown operation %q", op)
	}
	if err == nil {
		t.Fatalf("%s succeeded, want an error", op)
	}
	return err
}

// sentinels lists every sentinel of the package.
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrInvalidParameter", rserrors.ErrInvalidParameter},
	{"ErrNotFound", rserrors.ErrNotFound},
	{"ErrNotAuthorized", rserrors.ErrNotAuthorized},
	{"ErrTooManyRequests", rserrors.ErrTooManyRequests},
	{"ErrInternalError", rserrors.ErrInternalError},
	{"ErrOperationNotEnabled", rserrors.ErrOperationNotEnabled},
	{"ErrLimitExceeded", rserrors.ErrLimitExceeded},
	{"ErrScopeDoesNotExist", rserrors.ErrScopeDoesNotExist},
	{"ErrInvalidOAuthFlow", rserrors.ErrInvalidOAuthFlow},
	{"ErrConcurrentModification", rserrors.ErrConcurrentModification},
	{"ErrValidation", rserrors.ErrValidation},
	{"ErrUnsafeUpdate", rserrors.ErrUnsafeUpdate},
	{"ErrConflict", rserrors.ErrConflict},
}

// predicate is a predicate of the package and its name.
type predicate struct {
	name string
	fn   func(error) bool
}

// servicePredicates lists the predicates of one error code each.
var servicePredicates = []predicate{
	{"IsInvalidParameter", rserrors.IsInvalidParameter},
	{"IsNotFound", rserrors.IsNotFound},
	{"IsNotAuthorized", rserrors.IsNotAuthorized},
	{"IsTooManyRequests", rserrors.IsTooManyRequests},
	{"IsInternalError", rserrors.IsInternalError},
	{"IsOperationNotEnabled", rserrors.IsOperationNotEnabled},
	{"IsLimitExceeded", rserrors.IsLimitExceeded},
	{"IsScopeDoesNotExist", rserrors.IsScopeDoesNotExist},
	{"IsInvalidOAuthFlow", rserrors.IsInvalidOAuthFlow},
	{"IsConcurrentModification", rserrors.IsConcurrentModification},
}

// predicates lists every predicate of the package but IsRetryable and those
// that refine another (IsAlreadyExists, Is*NotFound but IsNotFound).
var predicates = append(slices.Clone(servicePredicates), []predicate{
	{"IsValidation", rserrors.IsValidation},
	{"IsUnsafeUpdate", rserrors.IsUnsafeUpdate},
	{"IsConflict", rserrors.IsConflict},
}...)

// sdkAs returns a function reporting whether errors.As finds the SDK error
// type *T in an error.
func sdkAs[T any, PT interface {
	*T
	error
}]() func(error) bool {
	return func(err error) bool {
		var target PT
		return errors.As(err, &target) && target != nil
	}
}

func TestFromServiceErrors(t *testing.T) {
	t.Parallel()
	const msg = "Resource server https://api.example.com does not exist."
	tests := []struct {
		name  string
		op    string
		reply reply

		wantType   error                 // a nil pointer of the type From must return
		want       rserrors.ServiceError // Err is not compared
		wantReason string                // InvalidParameterError.ReasonCode
		wantScopes []string              // ScopeDoesNotExistError.Scopes
		sentinel   string                // the one sentinel that matches, "" for none
		predicate  string                // the one predicate that is true, "" for none
		retryable  bool
		fault      smithy.ErrorFault
		sdkType    func(error) bool // errors.As into the SDK's own type
	}{
		{
			name:     "InvalidParameter",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"InvalidParameterException","message":"1 validation error detected"}`, "", "req-ip"},
			wantType: (*rserrors.InvalidParameterError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeInvalidParameter,
				Message: "1 validation error detected", RequestID: "req-ip", StatusCode: 400},
			sentinel: "ErrInvalidParameter", predicate: "IsInvalidParameter", fault: smithy.FaultClient,
			sdkType: sdkAs[types.InvalidParameterException](),
		},
		{
			name:     "InvalidParameter with ReasonCode",
			op:       "CreateResourceServer",
			reply:    reply{400, `{"__type":"InvalidParameterException","message":"already exists","reasonCode":"EXAMPLE_REASON"}`, "", "req-ip2"},
			wantType: (*rserrors.InvalidParameterError)(nil),
			want: rserrors.ServiceError{Operation: "CreateResourceServer", Code: rserrors.CodeInvalidParameter,
				Message: "already exists", RequestID: "req-ip2", StatusCode: 400},
			wantReason: "EXAMPLE_REASON",
			sentinel:   "ErrInvalidParameter", predicate: "IsInvalidParameter", fault: smithy.FaultClient,
			sdkType: sdkAs[types.InvalidParameterException](),
		},
		{
			name:     "ResourceNotFound",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"ResourceNotFoundException","message":"` + msg + `"}`, "", "req-nf"},
			wantType: (*rserrors.ResourceNotFoundError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotFound,
				Message: msg, RequestID: "req-nf", StatusCode: 400},
			sentinel: "ErrNotFound", predicate: "IsNotFound", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ResourceNotFoundException](),
		},
		{
			name:     "NotAuthorized",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"NotAuthorizedException","message":"denied"}`, "", "req-na"},
			wantType: (*rserrors.NotAuthorizedError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotAuthorized,
				Message: "denied", RequestID: "req-na", StatusCode: 400},
			sentinel: "ErrNotAuthorized", predicate: "IsNotAuthorized", fault: smithy.FaultClient,
			sdkType: sdkAs[types.NotAuthorizedException](),
		},
		{
			name:     "TooManyRequests",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`, "", "req-tm"},
			wantType: (*rserrors.TooManyRequestsError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeTooManyRequests,
				Message: "Rate exceeded", RequestID: "req-tm", StatusCode: 400},
			sentinel: "ErrTooManyRequests", predicate: "IsTooManyRequests", retryable: true, fault: smithy.FaultClient,
			sdkType: sdkAs[types.TooManyRequestsException](),
		},
		{
			name:     "InternalError",
			op:       "DescribeResourceServer",
			reply:    reply{500, `{"__type":"InternalErrorException","message":"internal"}`, "", "req-ie"},
			wantType: (*rserrors.InternalError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeInternalError,
				Message: "internal", RequestID: "req-ie", StatusCode: 500},
			sentinel: "ErrInternalError", predicate: "IsInternalError", retryable: true, fault: smithy.FaultServer,
			sdkType: sdkAs[types.InternalErrorException](),
		},
		{
			name:     "OperationNotEnabled",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"OperationNotEnabledException","message":"not enabled"}`, "", "req-one"},
			wantType: (*rserrors.OperationNotEnabledError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeOperationNotEnabled,
				Message: "not enabled", RequestID: "req-one", StatusCode: 400},
			sentinel: "ErrOperationNotEnabled", predicate: "IsOperationNotEnabled", fault: smithy.FaultClient,
			sdkType: sdkAs[types.OperationNotEnabledException](),
		},
		{
			name:     "LimitExceeded",
			op:       "CreateResourceServer",
			reply:    reply{400, `{"__type":"LimitExceededException","message":"quota"}`, "", "req-le"},
			wantType: (*rserrors.LimitExceededError)(nil),
			want: rserrors.ServiceError{Operation: "CreateResourceServer", Code: rserrors.CodeLimitExceeded,
				Message: "quota", RequestID: "req-le", StatusCode: 400},
			sentinel: "ErrLimitExceeded", predicate: "IsLimitExceeded", fault: smithy.FaultClient,
			sdkType: sdkAs[types.LimitExceededException](),
		},
		{
			// DescribeResourceServer's model has no LimitExceededException:
			// the SDK gives a *smithy.GenericAPIError, which still maps.
			name:     "LimitExceeded not modelled for the operation",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"LimitExceededException","message":"quota"}`, "", "req-le2"},
			wantType: (*rserrors.LimitExceededError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeLimitExceeded,
				Message: "quota", RequestID: "req-le2", StatusCode: 400},
			sentinel: "ErrLimitExceeded", predicate: "IsLimitExceeded", fault: smithy.FaultClient,
			sdkType: sdkAs[smithy.GenericAPIError](),
		},
		{
			// The SDK matches codes without regard to case; so does From,
			// which spells the code as the constant.
			name:     "LimitExceeded in lower case, not modelled",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"limitexceededexception","message":"quota"}`, "", "req-le3"},
			wantType: (*rserrors.LimitExceededError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeLimitExceeded,
				Message: "quota", RequestID: "req-le3", StatusCode: 400},
			sentinel: "ErrLimitExceeded", predicate: "IsLimitExceeded", fault: smithy.FaultClient,
			sdkType: sdkAs[smithy.GenericAPIError](),
		},
		{
			name:     "ScopeDoesNotExist",
			op:       "UpdateUserPoolClient",
			reply:    reply{400, `{"__type":"ScopeDoesNotExistException","message":"Invalid scope requested: https://api.example.com/read"}`, "", "req-sd"},
			wantType: (*rserrors.ScopeDoesNotExistError)(nil),
			want: rserrors.ServiceError{Operation: "UpdateUserPoolClient", Code: rserrors.CodeScopeDoesNotExist,
				Message: "Invalid scope requested: https://api.example.com/read", RequestID: "req-sd", StatusCode: 400},
			wantScopes: []string{"https://api.example.com/read"},
			sentinel:   "ErrScopeDoesNotExist", predicate: "IsScopeDoesNotExist", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ScopeDoesNotExistException](),
		},
		{
			// DescribeUserPoolClient's model has no ScopeDoesNotExistException.
			name:     "ScopeDoesNotExist not modelled for the operation",
			op:       "DescribeUserPoolClient",
			reply:    reply{400, `{"__type":"scopedoesnotexistexception","message":"Invalid scope requested: a/b, c/d"}`, "", "req-sd2"},
			wantType: (*rserrors.ScopeDoesNotExistError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeUserPoolClient", Code: rserrors.CodeScopeDoesNotExist,
				Message: "Invalid scope requested: a/b, c/d", RequestID: "req-sd2", StatusCode: 400},
			wantScopes: []string{"a/b", "c/d"},
			sentinel:   "ErrScopeDoesNotExist", predicate: "IsScopeDoesNotExist", fault: smithy.FaultClient,
			sdkType: sdkAs[smithy.GenericAPIError](),
		},
		{
			name:     "InvalidOAuthFlow",
			op:       "UpdateUserPoolClient",
			reply:    reply{400, `{"__type":"InvalidOAuthFlowException","message":"client_credentials flow can not be selected if client does not have a client secret."}`, "", "req-of"},
			wantType: (*rserrors.InvalidOAuthFlowError)(nil),
			want: rserrors.ServiceError{Operation: "UpdateUserPoolClient", Code: rserrors.CodeInvalidOAuthFlow,
				Message: "client_credentials flow can not be selected if client does not have a client secret.", RequestID: "req-of", StatusCode: 400},
			sentinel: "ErrInvalidOAuthFlow", predicate: "IsInvalidOAuthFlow", fault: smithy.FaultClient,
			sdkType: sdkAs[types.InvalidOAuthFlowException](),
		},
		{
			name:     "ConcurrentModification",
			op:       "UpdateUserPoolClient",
			reply:    reply{400, `{"__type":"ConcurrentModificationException","message":"busy"}`, "", "req-cm"},
			wantType: (*rserrors.ConcurrentModificationError)(nil),
			want: rserrors.ServiceError{Operation: "UpdateUserPoolClient", Code: rserrors.CodeConcurrentModification,
				Message: "busy", RequestID: "req-cm", StatusCode: 400},
			sentinel: "ErrConcurrentModification", predicate: "IsConcurrentModification", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ConcurrentModificationException](),
		},
		{
			name:     "ResourceNotFound in lower case",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"resourcenotfoundexception","message":"` + msg + `"}`, "", "req-nf2"},
			wantType: (*rserrors.ResourceNotFoundError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotFound,
				Message: msg, RequestID: "req-nf2", StatusCode: 400},
			sentinel: "ErrNotFound", predicate: "IsNotFound", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ResourceNotFoundException](),
		},
		{
			name:     "qualified code",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"aws.cognito#ResourceNotFoundException:extra","message":"` + msg + `"}`, "", "req-q"},
			wantType: (*rserrors.ResourceNotFoundError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotFound,
				Message: msg, RequestID: "req-q", StatusCode: 400},
			sentinel: "ErrNotFound", predicate: "IsNotFound", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ResourceNotFoundException](),
		},
		{
			// The header wins over the body's __type.
			name: "X-Amzn-ErrorType header",
			op:   "DescribeResourceServer",
			reply: reply{400, `{"__type":"InternalErrorException","message":"` + msg + `"}`,
				"ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.cognito/", "req-h"},
			wantType: (*rserrors.ResourceNotFoundError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotFound,
				Message: msg, RequestID: "req-h", StatusCode: 400},
			sentinel: "ErrNotFound", predicate: "IsNotFound", fault: smithy.FaultClient,
			sdkType: sdkAs[types.ResourceNotFoundException](),
		},
		{
			name:     "no request ID",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"NotAuthorizedException","message":"denied"}`, "", ""},
			wantType: (*rserrors.NotAuthorizedError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: rserrors.CodeNotAuthorized,
				Message: "denied", StatusCode: 400},
			sentinel: "ErrNotAuthorized", predicate: "IsNotAuthorized", fault: smithy.FaultClient,
			sdkType: sdkAs[types.NotAuthorizedException](),
		},
		{
			name:     "unknown code",
			op:       "DescribeResourceServer",
			reply:    reply{400, `{"__type":"SomethingNewException","message":"new"}`, "", "req-u"},
			wantType: (*rserrors.ServiceError)(nil),
			want: rserrors.ServiceError{Operation: "DescribeResourceServer", Code: "SomethingNewException",
				Message: "new", RequestID: "req-u", StatusCode: 400},
			fault:   smithy.FaultClient,
			sdkType: sdkAs[smithy.GenericAPIError](),
		},
		{
			// A 5xx with an unknown code is the server's fault but is not
			// one of the retryable kinds.
			name:     "unknown code with status 503",
			op:       "CreateResourceServer",
			reply:    reply{503, `{"__type":"ServiceUnavailable","message":"down"}`, "", "req-u2"},
			wantType: (*rserrors.ServiceError)(nil),
			want: rserrors.ServiceError{Operation: "CreateResourceServer", Code: "ServiceUnavailable",
				Message: "down", RequestID: "req-u2", StatusCode: 503},
			fault:   smithy.FaultServer,
			sdkType: sdkAs[smithy.GenericAPIError](),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, tc.reply)
			raw := call(t.Context(), t, c, tc.op)
			mapped := rserrors.From(raw)

			if got, want := reflect.TypeOf(mapped), reflect.TypeOf(tc.wantType); got != want {
				t.Fatalf("From(%v) has type %v, want %v", raw, got, want)
			}

			var se *rserrors.ServiceError
			if !errors.As(mapped, &se) {
				t.Fatalf("errors.As(From(%v), *ServiceError) = false, want true", raw)
			}
			if diff := cmp.Diff(tc.want, *se, cmpopts.IgnoreFields(rserrors.ServiceError{}, "Err")); diff != "" {
				t.Errorf("From(%v) fields mismatch (-want +got):\n%s", raw, diff)
			}
			if se.Err != raw {
				t.Errorf("From(%v).Err = %v, want the SDK's error itself", raw, se.Err)
			}
			if got := errors.Unwrap(mapped); got != raw {
				t.Errorf("errors.Unwrap(From(%v)) = %v, want the SDK's error itself", raw, got)
			}
			if ip := new(rserrors.InvalidParameterError); errors.As(mapped, &ip) && ip.ReasonCode != tc.wantReason {
				t.Errorf("From(%v).ReasonCode = %q, want %q", raw, ip.ReasonCode, tc.wantReason)
			}
			if sd := new(rserrors.ScopeDoesNotExistError); errors.As(mapped, &sd) {
				if diff := cmp.Diff(tc.wantScopes, sd.Scopes); diff != "" {
					t.Errorf("From(%v).Scopes (-want +got):\n%s", raw, diff)
				}
			}
			if got := se.ErrorFault(); got != tc.fault {
				t.Errorf("From(%v).ErrorFault() = %v, want %v", raw, got, tc.fault)
			}
			var api smithy.APIError
			if !errors.As(mapped, &api) || api.ErrorCode() != tc.want.Code || api.ErrorMessage() != tc.want.Message {
				t.Errorf("errors.As(From(%v), smithy.APIError) = %v, want code %q and message %q", raw, api, tc.want.Code, tc.want.Message)
			}

			// The SDK's own types stay reachable through the mapped error.
			for _, e := range []error{mapped, fmt.Errorf("wrap: %w", mapped)} {
				if !tc.sdkType(e) {
					t.Errorf("errors.As(%v) into the SDK's exception type = false, want true", e)
				}
				var op *smithy.OperationError
				if !errors.As(e, &op) || op.Operation() != tc.op || op.Service() != "Cognito Identity Provider" {
					t.Errorf("errors.As(%v, *smithy.OperationError) = %v, want operation %q", e, op, tc.op)
				}
			}

			forms := []struct {
				name string
				err  error
			}{
				{"raw", raw},
				{"wrapped raw", fmt.Errorf("wrap: %w", raw)},
				{"mapped", mapped},
				{"wrapped mapped", fmt.Errorf("wrap: %w", mapped)},
			}
			for _, f := range forms {
				for _, p := range predicates {
					if got, want := p.fn(f.err), p.name == tc.predicate; got != want {
						t.Errorf("%s(%s %v) = %v, want %v", p.name, f.name, f.err, got, want)
					}
				}
				if got := rserrors.IsRetryable(f.err); got != tc.retryable {
					t.Errorf("IsRetryable(%s %v) = %v, want %v", f.name, f.err, got, tc.retryable)
				}
			}
			// Sentinels match the mapped error only.
			for _, f := range forms {
				mappedForm := f.name == "mapped" || f.name == "wrapped mapped"
				for _, s := range sentinels {
					if got, want := errors.Is(f.err, s.err), mappedForm && s.name == tc.sentinel; got != want {
						t.Errorf("errors.Is(%s %v, %s) = %v, want %v", f.name, f.err, s.name, got, want)
					}
				}
			}

			// From leaves an already-mapped error alone.
			if got := rserrors.From(mapped); got != mapped {
				t.Errorf("From(From(err)) = %v, want the mapped error itself", got)
			}
			wrapped := fmt.Errorf("wrap: %w", mapped)
			if got := rserrors.From(wrapped); got != wrapped {
				t.Errorf("From(%v) = %v, want the same error", wrapped, got)
			}
		})
	}
}

// TestFromUnwrappedSDKError covers an SDK exception returned as is, without
// the client's wrapping, as a fake of the SDK client does.
func TestFromUnwrappedSDKError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		wantType error
		want     rserrors.ServiceError
		reason   string
		pred     func(error) bool
	}{
		{
			name:     "ResourceNotFoundException",
			err:      &types.ResourceNotFoundException{Message: aws.String("gone")},
			wantType: (*rserrors.ResourceNotFoundError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeNotFound, Message: "gone"},
			pred:     rserrors.IsNotFound,
		},
		{
			name:     "InvalidParameterException",
			err:      &types.InvalidParameterException{Message: aws.String("bad"), ReasonCode: aws.String("R")},
			wantType: (*rserrors.InvalidParameterError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeInvalidParameter, Message: "bad"},
			reason:   "R",
			pred:     rserrors.IsInvalidParameter,
		},
		{
			name:     "LimitExceededException without message",
			err:      &types.LimitExceededException{},
			wantType: (*rserrors.LimitExceededError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeLimitExceeded},
			pred:     rserrors.IsLimitExceeded,
		},
		{
			name:     "ScopeDoesNotExistException",
			err:      &types.ScopeDoesNotExistException{Message: aws.String("Invalid scope requested: a/b")},
			wantType: (*rserrors.ScopeDoesNotExistError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeScopeDoesNotExist, Message: "Invalid scope requested: a/b"},
			pred:     rserrors.IsScopeDoesNotExist,
		},
		{
			name:     "InvalidOAuthFlowException",
			err:      &types.InvalidOAuthFlowException{Message: aws.String("bad flow")},
			wantType: (*rserrors.InvalidOAuthFlowError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeInvalidOAuthFlow, Message: "bad flow"},
			pred:     rserrors.IsInvalidOAuthFlow,
		},
		{
			name:     "ConcurrentModificationException",
			err:      &types.ConcurrentModificationException{Message: aws.String("busy")},
			wantType: (*rserrors.ConcurrentModificationError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeConcurrentModification, Message: "busy"},
			pred:     rserrors.IsConcurrentModification,
		},
		{
			name:     "GenericAPIError",
			err:      &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "slow down"},
			wantType: (*rserrors.TooManyRequestsError)(nil),
			want:     rserrors.ServiceError{Code: rserrors.CodeTooManyRequests, Message: "slow down"},
			pred:     rserrors.IsTooManyRequests,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rserrors.From(tc.err)
			if reflect.TypeOf(got) != reflect.TypeOf(tc.wantType) {
				t.Fatalf("From(%v) has type %T, want %T", tc.err, got, tc.wantType)
			}
			var se *rserrors.ServiceError
			if !errors.As(got, &se) {
				t.Fatalf("errors.As(From(%v), *ServiceError) = false, want true", tc.err)
			}
			if diff := cmp.Diff(tc.want, *se, cmpopts.IgnoreFields(rserrors.ServiceError{}, "Err")); diff != "" {
				t.Errorf("From(%v) fields mismatch (-want +got):\n%s", tc.err, diff)
			}
			if se.Err != tc.err {
				t.Errorf("From(%v).Err = %v, want the SDK's error itself", tc.err, se.Err)
			}
			if ip := new(rserrors.InvalidParameterError); errors.As(got, &ip) && ip.ReasonCode != tc.reason {
				t.Errorf("From(%v).ReasonCode = %q, want %q", tc.err, ip.ReasonCode, tc.reason)
			}
			if !tc.pred(tc.err) || !tc.pred(got) {
				t.Errorf("predicate(%v) = false for the raw or the mapped error, want true for both", tc.err)
			}
		})
	}
}

// asAPIError is an error that is no smithy.APIError itself but converts to
// one through its As method, as errors.As allows.
type asAPIError struct{ api smithy.APIError }

func (e asAPIError) Error() string { return "converts to " + e.api.Error() }

func (e asAPIError) As(target any) bool {
	if p, ok := target.(*smithy.APIError); ok {
		*p = e.api
		return true
	}
	return false
}

// TestPredicatesErrorTree checks that the predicates look at every branch
// of a joined or multiply wrapped error, raw or mapped.
func TestPredicatesErrorTree(t *testing.T) {
	t.Parallel()
	throttle := &types.TooManyRequestsException{Message: aws.String("slow down")}
	notFound := &types.ResourceNotFoundException{Message: aws.String("gone")}
	tests := []struct {
		name string
		err  error
	}{
		{"errors.Join raw", errors.Join(throttle, notFound)},
		{"errors.Join mapped", errors.Join(rserrors.From(throttle), rserrors.From(notFound))},
		{"errors.Join mixed", errors.Join(rserrors.From(throttle), notFound)},
		{"fmt.Errorf two %w raw", fmt.Errorf("first: %w, second: %w", throttle, notFound)},
		{"nested", fmt.Errorf("outer: %w", errors.Join(errors.New("other"), fmt.Errorf("inner: %w", notFound), throttle))},
		{"As method", errors.Join(throttle, fmt.Errorf("wrap: %w", asAPIError{notFound}))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range predicates {
				want := p.name == "IsNotFound" || p.name == "IsTooManyRequests"
				if got := p.fn(tc.err); got != want {
					t.Errorf("%s(%v) = %v, want %v", p.name, tc.err, got, want)
				}
			}
			if !rserrors.IsRetryable(tc.err) {
				t.Errorf("IsRetryable(%v) = false, want true", tc.err)
			}
		})
	}
}

// TestFromNonServiceErrors checks that errors that did not come from the
// service pass through From unchanged and match no predicate.
func TestFromNonServiceErrors(t *testing.T) {
	t.Parallel()

	okClient, _ := newClient(t, reply{400, `{"__type":"ResourceNotFoundException","message":"gone"}`, "", "req"})

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel2()

	// A server that answers something the SDK cannot decode.
	garbled, _ := newClient(t, reply{400, `not json`, "", "req-g"})

	// A closed server: the connection is refused.
	closedClient, closed := newClient(t, reply{200, `{}`, "", ""})
	closed.Close()

	tests := []struct {
		name  string
		err   func(t *testing.T) error
		check func(error) bool // what must still hold of the error, nil for nothing
	}{
		{
			name:  "cancelled context",
			err:   func(t *testing.T) error { return call(cancelled, t, okClient, "DescribeResourceServer") },
			check: func(err error) bool { return errors.Is(err, context.Canceled) },
		},
		{
			name:  "expired deadline",
			err:   func(t *testing.T) error { return call(expired, t, okClient, "CreateResourceServer") },
			check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name: "connection refused",
			err:  func(t *testing.T) error { return call(t.Context(), t, closedClient, "DescribeResourceServer") },
			check: func(err error) bool {
				var op *net.OpError
				var sop *smithy.OperationError
				return errors.As(err, &op) && errors.As(err, &sop)
			},
		},
		{
			name: "undecodable response",
			err:  func(t *testing.T) error { return call(t.Context(), t, garbled, "DescribeResourceServer") },
			check: func(err error) bool {
				var de *smithy.DeserializationError
				return errors.As(err, &de)
			},
		},
		{
			name: "SDK parameter validation",
			err: func(t *testing.T) error {
				_, err := okClient.DescribeResourceServer(t.Context(), &cip.DescribeResourceServerInput{})
				return err
			},
			check: func(err error) bool {
				var ip smithy.InvalidParamsError
				return errors.As(err, &ip)
			},
		},
		{
			name: "plain error",
			err:  func(*testing.T) error { return errors.New("boom") },
		},
		{
			name: "client-side validation",
			err: func(*testing.T) error {
				return &rserrors.ValidationError{Violations: []*rserrors.FieldError{
					rserrors.NewFieldError("Name", rserrors.RuleRequired, "is required", ""),
				}}
			},
		},
		{
			name: "conflict",
			err: func(*testing.T) error {
				return &rserrors.ConflictError{UserPoolID: "us-east-1_X", Identifier: "api", Attempts: 3}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err(t)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if got := rserrors.From(err); got != err {
				t.Errorf("From(%v) = %v, want the same error", err, got)
			}
			if tc.check != nil && !tc.check(err) {
				t.Errorf("error %v (%T) is not what the test case expects", err, err)
			}
			var se *rserrors.ServiceError
			if errors.As(err, &se) {
				t.Errorf("errors.As(%v, *ServiceError) = true, want false", err)
			}
			for _, p := range servicePredicates {
				if p.fn(err) {
					t.Errorf("%s(%v) = true, want false", p.name, err)
				}
			}
			if rserrors.IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = true, want false", err)
			}
		})
	}
}

func TestNil(t *testing.T) {
	t.Parallel()
	if got := rserrors.From(nil); got != nil {
		t.Errorf("From(nil) = %v, want nil", got)
	}
	for _, p := range predicates {
		if p.fn(nil) {
			t.Errorf("%s(nil) = true, want false", p.name)
		}
	}
	if rserrors.IsRetryable(nil) {
		t.Error("IsRetryable(nil) = true, want false")
	}
}

func TestErrorFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  rserrors.ServiceError
		want smithy.ErrorFault
	}{
		{"internal error code without status", rserrors.ServiceError{Code: rserrors.CodeInternalError}, smithy.FaultServer},
		{"status 500", rserrors.ServiceError{Code: "X", StatusCode: 500}, smithy.FaultServer},
		{"status 400", rserrors.ServiceError{Code: rserrors.CodeNotFound, StatusCode: 400}, smithy.FaultClient},
		{"status 499", rserrors.ServiceError{Code: "X", StatusCode: 499}, smithy.FaultClient},
		{"no status", rserrors.ServiceError{Code: rserrors.CodeNotFound}, smithy.FaultUnknown},
		{"status 302", rserrors.ServiceError{Code: "X", StatusCode: 302}, smithy.FaultUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.ErrorFault(); got != tc.want {
				t.Errorf("%+v.ErrorFault() = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestServiceErrorInterfaces checks, at compile time and at run time, that
// every service error is a smithy.APIError and that errors.As into
// *ServiceError gives the embedded value.
func TestServiceErrorInterfaces(t *testing.T) {
	t.Parallel()
	base := rserrors.ServiceError{Operation: "DeleteResourceServer", Code: "C", Message: "m", RequestID: "r", StatusCode: 400}
	tests := []struct {
		name     string
		err      smithy.APIError
		embedded *rserrors.ServiceError
	}{
		{"ServiceError", &base, &base},
	}
	add := func(name string, err smithy.APIError, embedded *rserrors.ServiceError) {
		tests = append(tests, struct {
			name     string
			err      smithy.APIError
			embedded *rserrors.ServiceError
		}{name, err, embedded})
	}
	ip := &rserrors.InvalidParameterError{ServiceError: base}
	add("InvalidParameterError", ip, &ip.ServiceError)
	nf := &rserrors.ResourceNotFoundError{ServiceError: base}
	add("ResourceNotFoundError", nf, &nf.ServiceError)
	na := &rserrors.NotAuthorizedError{ServiceError: base}
	add("NotAuthorizedError", na, &na.ServiceError)
	tm := &rserrors.TooManyRequestsError{ServiceError: base}
	add("TooManyRequestsError", tm, &tm.ServiceError)
	ie := &rserrors.InternalError{ServiceError: base}
	add("InternalError", ie, &ie.ServiceError)
	one := &rserrors.OperationNotEnabledError{ServiceError: base}
	add("OperationNotEnabledError", one, &one.ServiceError)
	le := &rserrors.LimitExceededError{ServiceError: base}
	add("LimitExceededError", le, &le.ServiceError)
	sd := &rserrors.ScopeDoesNotExistError{ServiceError: base}
	add("ScopeDoesNotExistError", sd, &sd.ServiceError)
	of := &rserrors.InvalidOAuthFlowError{ServiceError: base}
	add("InvalidOAuthFlowError", of, &of.ServiceError)
	cm := &rserrors.ConcurrentModificationError{ServiceError: base}
	add("ConcurrentModificationError", cm, &cm.ServiceError)

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var se *rserrors.ServiceError
			if !errors.As(tc.err, &se) || se != tc.embedded {
				t.Errorf("errors.As(%v, *ServiceError) gave %p, want the embedded %p", tc.err, se, tc.embedded)
			}
			if tc.err.ErrorCode() != "C" || tc.err.ErrorMessage() != "m" {
				t.Errorf("%v: ErrorCode() = %q, ErrorMessage() = %q, want %q and %q", tc.err, tc.err.ErrorCode(), tc.err.ErrorMessage(), "C", "m")
			}
			// A target of another type is left alone.
			var other *rserrors.ValidationError
			if errors.As(tc.err, &other) {
				t.Errorf("errors.As(%v, *ValidationError) = true, want false", tc.err)
			}
		})
	}
}

// TestPredicatesOnBuiltErrors covers service errors built by hand, as a
// fake of the SDK client may return them, with no SDK error inside.
func TestPredicatesOnBuiltErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string // the one predicate that is true, "" for none
	}{
		{"ServiceError with a known code", &rserrors.ServiceError{Code: rserrors.CodeNotFound}, "IsNotFound"},
		{"ServiceError with a known code in upper case", &rserrors.ServiceError{Code: "TOOMANYREQUESTSEXCEPTION"}, "IsTooManyRequests"},
		{"ServiceError with an unknown code", &rserrors.ServiceError{Code: "Other"}, ""},
		{"typed error without a code", &rserrors.OperationNotEnabledError{}, "IsOperationNotEnabled"},
		{"ServiceError with an app-client code", &rserrors.ServiceError{Code: rserrors.CodeConcurrentModification}, "IsConcurrentModification"},
		{"app-client typed error without a code", &rserrors.ScopeDoesNotExistError{}, "IsScopeDoesNotExist"},
		{"GenericAPIError with an app-client code", &smithy.GenericAPIError{Code: "InvalidOAuthFlowException"}, "IsInvalidOAuthFlow"},
		{"%w of nil", fmt.Errorf("nothing: %w", nil), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range predicates {
				if got, want := p.fn(tc.err), p.name == tc.want; got != want {
					t.Errorf("%s(%v) = %v, want %v", p.name, tc.err, got, want)
				}
			}
		})
	}
}

// TestNilPointerErrors checks that a nil pointer to an SDK error type in a
// chain, which errors.As matches, makes nothing panic.
func TestNilPointerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{"nil GenericAPIError", (*smithy.GenericAPIError)(nil)},
		{"nil SDK exception", (*types.ResourceNotFoundException)(nil)},
		{"wrapped nil GenericAPIError", fmt.Errorf("wrap: %w", (*smithy.GenericAPIError)(nil))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := rserrors.From(tt.err); got != tt.err {
				t.Errorf("From(%s) = %v, want the same error back", tt.name, got)
			}
			if rserrors.IsNotFound(tt.err) && !errors.Is(tt.err, rserrors.ErrNotFound) {
				t.Errorf("IsNotFound(%s) = true without a code or sentinel", tt.name)
			}
			_ = rserrors.IsRetryable(tt.err)
			_ = rserrors.IsLimitExceeded(tt.err)
		})
	}
}

// TestNotFoundResource checks what a ResourceNotFoundError says does not
// exist, read from Cognito's message, and the predicates that refine
// IsNotFound, on the mapped error from the real SDK client and on the raw
// one.
func TestNotFoundResource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		op   string
		msg  string
		want string // Resource
	}{
		{"app client", "DescribeUserPoolClient", "User pool client 1example23456789 does not exist.", rserrors.ResourceAppClient},
		{"app client, update", "UpdateUserPoolClient", "User pool client 1example23456789 does not exist.", rserrors.ResourceAppClient},
		{"user pool", "DescribeUserPoolClient", "User pool us-east-1_AbCdEf123 does not exist.", rserrors.ResourceUserPool},
		{"resource server", "DescribeResourceServer", "Resource server https://api.example.com does not exist.", rserrors.ResourceServer},
		{"without the final period", "DescribeUserPoolClient", "User pool client 1example23456789 does not exist", rserrors.ResourceAppClient},
		{"something else", "DescribeUserPoolClient", "Identity provider Google does not exist.", ""},
		{"not a does-not-exist message", "DescribeUserPoolClient", "User pool client 1example23456789 is gone.", ""},
		{"empty message", "DescribeUserPoolClient", "", ""},
	}
	refiners := []struct {
		name     string
		fn       func(error) bool
		resource string
	}{
		{"IsUserPoolNotFound", rserrors.IsUserPoolNotFound, rserrors.ResourceUserPool},
		{"IsResourceServerNotFound", rserrors.IsResourceServerNotFound, rserrors.ResourceServer},
		{"IsAppClientNotFound", rserrors.IsAppClientNotFound, rserrors.ResourceAppClient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, reply{400, fmt.Sprintf(`{"__type":"ResourceNotFoundException","message":%q}`, tc.msg), "", "req"})
			raw := call(t.Context(), t, c, tc.op)
			mapped := rserrors.From(raw)
			var nf *rserrors.ResourceNotFoundError
			if !errors.As(mapped, &nf) {
				t.Fatalf("From(%v) = %T, want *ResourceNotFoundError", raw, mapped)
			}
			if nf.Resource != tc.want {
				t.Errorf("From(%v).Resource = %q, want %q", raw, nf.Resource, tc.want)
			}
			for _, e := range []error{raw, mapped, fmt.Errorf("wrap: %w", mapped), fmt.Errorf("wrap: %w", raw)} {
				if !rserrors.IsNotFound(e) {
					t.Errorf("IsNotFound(%v) = false, want true", e)
				}
				for _, r := range refiners {
					if got, want := r.fn(e), r.resource == tc.want; got != want {
						t.Errorf("%s(%v) = %v, want %v", r.name, e, got, want)
					}
				}
			}
		})
	}
	for _, r := range refiners {
		if r.fn(nil) || r.fn(errors.New("User pool client x does not exist.")) {
			t.Errorf("%s is true for nil or for an error that is no ResourceNotFoundException", r.name)
		}
	}
}

// TestScopeDoesNotExistScopes checks the scopes a ScopeDoesNotExistError
// reads from Cognito's message.
func TestScopeDoesNotExistScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  *string
		want []string
	}{
		{"one custom scope", aws.String("Invalid scope requested: https://api.example.com/orders.read"), []string{"https://api.example.com/orders.read"}},
		{"a standard scope", aws.String("Invalid scope requested: OpenID"), []string{"OpenID"}},
		{"two scopes", aws.String("Invalid scope requested: a/b, c/d"), []string{"a/b", "c/d"}},
		{"nothing after the colon", aws.String("Invalid scope requested: "), nil},
		{"another message", aws.String("scope not found"), nil},
		{"no message", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := &types.ScopeDoesNotExistException{Message: tc.msg}
			var sd *rserrors.ScopeDoesNotExistError
			if !errors.As(rserrors.From(raw), &sd) {
				t.Fatalf("From(%v) is no *ScopeDoesNotExistError", raw)
			}
			if diff := cmp.Diff(tc.want, sd.Scopes); diff != "" {
				t.Errorf("From(%v).Scopes (-want +got):\n%s", raw, diff)
			}
		})
	}
}
