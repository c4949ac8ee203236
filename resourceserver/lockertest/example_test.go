package lockertest_test

import (
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/resourceserver/lockertest"
)

// A conformance test for a Locker, here the memory locker with a lease.
// Every call of New must return a Locker on the same lock space; Stall
// stops a holder's heartbeat.
func Example() {
	testLocker := func(t *testing.T) {
		const lease = 300 * time.Millisecond
		shared := resourceserver.NewMemoryLocker(func(o *resourceserver.MemoryLockerOptions) { o.Lease = lease })
		lockertest.Run(t, lockertest.Config{
			New:   func(*testing.T) resourceserver.Locker { return shared },
			Lease: lease,
			Stall: func(t *testing.T, l resourceserver.Lock) {
				l.(interface{ StopRenewing() }).StopRenewing()
			},
		})
	}
	_ = testLocker // func TestLocker(t *testing.T) { testLocker(t) }
}
