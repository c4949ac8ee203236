// Package leaselock is an in-memory lock with a lease, as a network lock
// has: a holder's heartbeat renews it, and a lock not renewed for a lease
// is lost to the next waiter. It stands in for a network lock in tests
// (package resourceserver/lockertest exports it) and backs the deprecated
// lease of resourceserver.NewMemoryLocker.
//
// It reads time only through the time package, so that tests run it in
// virtual time inside a testing/synctest bubble.
package leaselock
