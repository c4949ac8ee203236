// Package lockertest checks that a [resourceserver.Locker] keeps the
// contract a Client relies on, in the manner of testing/fstest.TestFS.
//
// Call [Run] from a test of the package that implements the Locker, with a
// [Config] that makes Lockers sharing one lock space (as processes share
// one lock table) and that can make a holder stop renewing its lease:
//
//	func TestConformance(t *testing.T) {
//		lockertest.Run(t, lockertest.Config{
//			New:   func(t *testing.T) resourceserver.Locker { return mylock.New(table) },
//			Lease: time.Second,
//			Stall: func(t *testing.T, l resourceserver.Lock) { l.(*mylock.Lock).StopHeartbeat() },
//		})
//	}
//
// A Locker on a fake of its service, with no network in between, sets
// [Config.VirtualTime]: the suite then runs in a testing/synctest bubble,
// in virtual time. A Locker on a real service sets [Config.Parallel], so
// that the sub-tests wait out their leases at once.
//
// [LeaseLocker] is a Locker in memory whose locks have a lease that a test
// can stop renewing ([LeaseLock.StopRenewing]), for testing code that must
// cope with a lost lock without a lock service.
//
// Run checks, each in its own sub-test on its own keys:
//
//   - Exclusion: many goroutines, over several Lockers, never hold one key
//     at once, and a held key does not block another.
//   - Context: a waiter returns its context's error once the context
//     ends, and holds nothing afterwards.
//   - Release: Unlock frees only its own holder; a second Unlock returns
//     nil and frees nobody, and an Unlock after a loss returns an error
//     matching rserrors.ErrLockLost and frees nobody.
//   - Lease: a renewing holder keeps its lock beyond its lease; a holder
//     that stops renewing loses it to a waiter after about a lease, not
//     before.
//   - Loss: the holder that stopped renewing sees Lost close, and its
//     Unlock returns a *rserrors.LockLostError for its key.
package lockertest
