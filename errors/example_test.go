package errors_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// ExampleFrom calls DescribeResourceServer with the real SDK client against
// a local server that answers as Cognito does for a missing resource server,
// and maps the SDK's error.
func ExampleFrom() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "6f1c1e0a-0000-4000-8000-000000000001")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ResourceNotFoundException","message":"Resource server https://api.example.com does not exist."}`)
	}))
	defer srv.Close()

	client := cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	_, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
		UserPoolId: aws.String("us-east-1_AbCdEf123"),
		Identifier: aws.String("https://api.example.com"),
	})
	err = rserrors.From(err)

	fmt.Println("not found:", rserrors.IsNotFound(err))
	fmt.Println("retryable:", rserrors.IsRetryable(err))
	var nf *rserrors.ResourceNotFoundError
	if errors.As(err, &nf) {
		fmt.Println("operation:", nf.Operation)
		fmt.Println("code:", nf.Code)
		fmt.Println("message:", nf.Message)
		fmt.Println("request id:", nf.RequestID)
		fmt.Println("status:", nf.StatusCode)
	}
	// The SDK's own exception is still in the chain.
	var sdk *types.ResourceNotFoundException
	fmt.Println("SDK exception:", errors.As(err, &sdk))
	fmt.Println(err)
	// Output:
	// not found: true
	// retryable: false
	// operation: DescribeResourceServer
	// code: ResourceNotFoundException
	// message: Resource server https://api.example.com does not exist.
	// request id: 6f1c1e0a-0000-4000-8000-000000000001
	// status: 400
	// SDK exception: true
	// cognito DescribeResourceServer: ResourceNotFoundException (status 400, request id 6f1c1e0a-0000-4000-8000-000000000001): Resource server https://api.example.com does not exist.
}

// ExampleScopeDoesNotExistError grants an app client a scope that no
// resource server defines, with the real SDK client against a local server
// that answers as Cognito does, and reads the scope from the mapped error.
func ExampleScopeDoesNotExistError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ScopeDoesNotExistException","message":"Invalid scope requested: https://api.example.com/orders.read"}`)
	}))
	defer srv.Close()

	client := cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	_, err := client.UpdateUserPoolClient(context.Background(), &cip.UpdateUserPoolClientInput{
		UserPoolId:         aws.String("us-east-1_AbCdEf123"),
		ClientId:           aws.String("1example23456789"),
		AllowedOAuthScopes: []string{"https://api.example.com/orders.read"},
	})
	err = rserrors.From(err)

	fmt.Println(rserrors.IsScopeDoesNotExist(err), errors.Is(err, rserrors.ErrScopeDoesNotExist))
	var sd *rserrors.ScopeDoesNotExistError
	if errors.As(err, &sd) {
		fmt.Println(sd.Operation, sd.Scopes)
	}
	fmt.Println(err)
	// Output:
	// true true
	// UpdateUserPoolClient [https://api.example.com/orders.read]
	// cognito UpdateUserPoolClient: ScopeDoesNotExistException (status 400): Invalid scope requested: https://api.example.com/orders.read
}

// ExampleIsNotFound shows that the predicate works on the SDK's raw error as
// well as on the mapped one, wrapped or not, while the sentinel matches the
// mapped error only.
func ExampleIsNotFound() {
	raw := fmt.Errorf("describe api: %w", &types.ResourceNotFoundException{
		Message: aws.String("User pool us-east-1_AbCdEf123 does not exist."),
	})
	mapped := rserrors.From(raw)

	fmt.Println(rserrors.IsNotFound(raw), rserrors.IsNotFound(mapped))
	fmt.Println(errors.Is(raw, rserrors.ErrNotFound), errors.Is(mapped, rserrors.ErrNotFound))
	fmt.Println(rserrors.IsNotFound(errors.New("something else")))
	// Output:
	// true true
	// false true
	// false
}

// ExampleValidationError lists every rule an input broke.
func ExampleValidationError() {
	var err error = &rserrors.ValidationError{
		Operation: "UpdateResourceServer",
		Violations: []*rserrors.FieldError{
			rserrors.NewFieldError("Name", rserrors.RuleRequired, "is required", ""),
			rserrors.NewFieldError("Scopes[1].ScopeName", rserrors.RulePattern,
				`must match [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`, "orders/read"),
			rserrors.NewFieldError("Scopes[2].ScopeDescription", rserrors.RuleLength,
				"length must be 1 to 256, got 300", strings.Repeat("x", 300)),
		},
	}

	var ve *rserrors.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s [%s] value %q\n", v.Field, v.Rule, v.Value)
		}
	}
	fmt.Println(rserrors.IsValidation(err), errors.Is(err, rserrors.ErrValidation))
	fmt.Println(err)
	// Output:
	// Name [required] value ""
	// Scopes[1].ScopeName [pattern] value "orders/read"
	// Scopes[2].ScopeDescription [length] value "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
	// true true
	// validation failed for UpdateResourceServer: 3 violations: Name: is required (value ""); Scopes[1].ScopeName: must match [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+ (value "orders/read"); Scopes[2].ScopeDescription: length must be 1 to 256, got 300 (value "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...")
}

// ExampleIsRetryable shows which errors are worth retrying unchanged: a
// throttle or an internal error, not a used-up quota.
func ExampleIsRetryable() {
	errs := []struct {
		name string
		err  error
	}{
		{"TooManyRequests (raw SDK error)", &types.TooManyRequestsException{}},
		{"InternalError (mapped)", rserrors.From(&types.InternalErrorException{})},
		{"LimitExceeded", rserrors.From(&types.LimitExceededException{})},
		{"ResourceNotFound", rserrors.From(&types.ResourceNotFoundException{})},
		{"ConcurrentModification", rserrors.From(&types.ConcurrentModificationException{})},
		{"context canceled", context.Canceled},
	}
	for _, e := range errs {
		fmt.Printf("%s: %v\n", e.name, rserrors.IsRetryable(e.err))
	}
	// Output:
	// TooManyRequests (raw SDK error): true
	// InternalError (mapped): true
	// LimitExceeded: false
	// ResourceNotFound: false
	// ConcurrentModification: false
	// context canceled: false
}

// ExampleShorten shows how a FieldError keeps a bad value: at most 64 code
// points, never cut inside a character, invalid bytes shown as U+FFFD.
func ExampleShorten() {
	fmt.Println(rserrors.Shorten("api"))
	fmt.Println(rserrors.Shorten(strings.Repeat("é", 70)))
	fmt.Printf("%+q\n", rserrors.Shorten("a\xff\xfeb"))
	// Output:
	// api
	// éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé...
	// "a\ufffd\ufffdb"
}

// ExampleUnsafeUpdateError shows the error an update gets when it would
// have dropped the name or scopes the caller did not ask to remove.
func ExampleUnsafeUpdateError() {
	err := fmt.Errorf("resourceserver: Update: %w", &rserrors.UnsafeUpdateError{
		UserPoolID:  "us-east-1_AbCdEf123",
		Identifier:  "https://api.example.com",
		MissingName: true,
		Lost:        []string{"orders.read", "orders.write"},
	})
	fmt.Println(rserrors.IsUnsafeUpdate(err), errors.Is(err, rserrors.ErrUnsafeUpdate))
	fmt.Println(err)
	// Output:
	// true true
	// resourceserver: Update: unsafe update of us-east-1_AbCdEf123/https://api.example.com refused: the name is empty; it would delete 2 scope(s) not named for removal: orders.read, orders.write
}

// ExampleConflictError shows the error a read-modify-write gets when
// concurrent writers kept overwriting its change.
func ExampleConflictError() {
	err := &rserrors.ConflictError{UserPoolID: "us-east-1_AbCdEf123", Identifier: "https://api.example.com", Attempts: 3}
	fmt.Println(rserrors.IsConflict(err), rserrors.IsRetryable(err))
	fmt.Println(err)
	// Output:
	// true false
	// conflict on us-east-1_AbCdEf123/https://api.example.com: change overwritten by a concurrent writer after 3 attempt(s)
}
