package validate

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"
)

// MiddlewareID is the ID of the Initialize-step middleware that
// WithValidation adds to each operation's stack.
const MiddlewareID = "scopekeeper.Validation"

// sdkValidationID is the ID of the SDK's own Initialize-step middleware
// that checks required members (validators.go in cognitoidentityprovider).
const sdkValidationID = "OperationInputValidation"

// WithValidation makes a Cognito client check the input of
// CreateResourceServer, UpdateResourceServer, DescribeResourceServer,
// DeleteResourceServer and ListResourceServers against every rule of this
// package before anything is sent. It is an option for cip.New,
// cip.NewFromConfig or a single call:
//
//	client := cip.NewFromConfig(cfg, validate.WithValidation)
//
// An input that breaks a rule stops the call before the SDK's own check
// of required members and before any HTTP request: the call returns the
// *rserrors.ValidationError of the matching function of this package,
// wrapped by the SDK in a *smithy.OperationError, so errors.As finds it
// and rserrors.IsValidation reports true. The input of every other
// operation passes through unchecked. Adding it more than once, to the
// client and to a call, is harmless: the stack gets one copy.
func WithValidation(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, addValidation)
}

// addValidation puts the validation middleware just before the SDK's
// required-member check, so its fuller report comes first, or at the end
// of the Initialize step for an operation that has no such check.
func addValidation(stack *middleware.Stack) error {
	if _, ok := stack.Initialize.Get(MiddlewareID); ok {
		return nil
	}
	if _, ok := stack.Initialize.Get(sdkValidationID); ok {
		return stack.Initialize.Insert(validation{}, sdkValidationID, middleware.Before)
	}
	return stack.Initialize.Add(validation{}, middleware.After)
}

// validation is the Initialize-step middleware added by WithValidation.
type validation struct{}

// ID returns MiddlewareID.
func (validation) ID() string { return MiddlewareID }

// HandleInitialize checks the input of the five resource-server
// operations and stops the call with the violations; any other input
// goes on unchanged.
func (validation) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	out middleware.InitializeOutput, metadata middleware.Metadata, err error,
) {
	switch p := in.Parameters.(type) {
	case *cip.CreateResourceServerInput:
		err = CreateResourceServerInput(p)
	case *cip.UpdateResourceServerInput:
		err = UpdateResourceServerInput(p)
	case *cip.DescribeResourceServerInput:
		err = DescribeResourceServerInput(p)
	case *cip.DeleteResourceServerInput:
		err = DeleteResourceServerInput(p)
	case *cip.ListResourceServersInput:
		err = ListResourceServersInput(p)
	}
	if err != nil {
		return out, metadata, err
	}
	return next.HandleInitialize(ctx, in)
}
