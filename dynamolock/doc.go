// Package dynamolock is a [resourceserver.Locker] whose locks live in a
// DynamoDB table, so that several processes, on one machine or many, can
// take turns changing the same Cognito resource server.
//
// A lock is an item {key, owner, rvn, lease_ms} held under a lease: the
// holder renews it every heartbeat with a conditional write of a new
// record version number (rvn), and a waiter takes it over only after it
// has seen the same rvn for a whole lease, so a holder that crashed or
// was cut off frees its lock after about a lease and no clocks need to
// agree. This is the algorithm of Amazon's DynamoDB lock client; the
// details are on [Locker.Lock].
//
// # Using the package
//
//	ddb := dynamodb.NewFromConfig(cfg)
//	if err := dynamolock.CreateTable(ctx, ddb, "scopekeeper-locks"); err != nil { ... } // once
//	locker, err := dynamolock.New(ddb, func(o *dynamolock.Options) { o.Table = "scopekeeper-locks" })
//	if err != nil { ... } // an *OptionError
//	c := resourceserver.New(cip, func(o *resourceserver.Options) { o.Locker = locker })
//
// A Client then holds the lock around each read-modify-write, stops the
// change when the lock is lost, and does not send its Update after the
// loss (an error matching rserrors.ErrLockLost).
//
// # What no lock can do here
//
// Cognito has no conditional write. A process paused after its last check
// of the lock and before its Update reaches Cognito can still land a
// stale Update after another process took the lock over; keep the
// Client's verification on to catch that.
//
// # Errors
//
// Bad options give an *[OptionError]; a failed DynamoDB request an
// *[Error] that keeps the SDK's error and matches [ErrThrottled] for a
// throttle; [Locker.TryLock] on a held lock a *[HeldError] matching
// [ErrHeld]; a lost lease a *rserrors.LockLostError.
package dynamolock
