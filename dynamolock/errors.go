package dynamolock

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

var (
	// ErrHeld matches a *HeldError: another owner holds the lock.
	ErrHeld = errors.New("lock held by another owner")
	// ErrThrottled matches an *Error whose DynamoDB request was throttled
	// (ProvisionedThroughputExceededException, ThrottlingException or
	// RequestLimitExceeded) after the SDK's own retries.
	ErrThrottled = errors.New("throttled")
)

// OptionError reports an Options field that New refuses. Nothing was sent.
type OptionError struct {
	// Option names the field, such as "Heartbeat".
	Option string
	// Value is the refused value, as %v prints it.
	Value string
	// Rule says what the field must be, such as "must be below Lease/2 (5s)".
	Rule string
}

// Error returns "dynamolock: Options.<Option> <Value>: <Rule>".
func (e *OptionError) Error() string {
	return fmt.Sprintf("dynamolock: Options.%s %s: %s", e.Option, e.Value, e.Rule)
}

// HeldError reports that TryLock found the lock held by another owner.
type HeldError struct {
	// Key is the lock's key.
	Key string
	// Owner is the holder's owner name, as its record gives it; empty if
	// the record was gone when it was read.
	Owner string
}

// Error returns "dynamolock: <Key> held by <Owner>".
func (e *HeldError) Error() string {
	return fmt.Sprintf("dynamolock: %s held by %q", e.Key, e.Owner)
}

// Is reports whether target is ErrHeld.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Error reports a DynamoDB request that failed, or a key that cannot be
// stored. The SDK's error stays in the chain, so errors.As finds its
// *smithy.OperationError and the service's exception types.
type Error struct {
	// Op is the DynamoDB operation, such as "PutItem", or "Lock" or
	// "TryLock" for a key that cannot be stored.
	Op string
	// Table and Key name the lock.
	Table, Key string
	// Err is the cause.
	Err error
}

// Error returns "dynamolock: <Op> <Table>/<Key>: <Err>".
func (e *Error) Error() string {
	return fmt.Sprintf("dynamolock: %s %s/%s: %v", e.Op, e.Table, e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrThrottled and the cause is a throttle.
func (e *Error) Is(target error) bool { return target == ErrThrottled && isThrottle(e.Err) }

// IsThrottled reports whether err is, or wraps, a throttled DynamoDB request.
func IsThrottled(err error) bool { return err != nil && errors.Is(err, ErrThrottled) }

// IsHeld reports whether err is, or wraps, a *HeldError.
func IsHeld(err error) bool { return err != nil && errors.Is(err, ErrHeld) }

// throttleCodes are the error codes DynamoDB throttles with.
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
}

func isThrottle(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && throttleCodes[ae.ErrorCode()]
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
