package lockertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/resourceserver/lockertest"
)

// A conformance test for a Locker, here the lease locker in memory, which
// runs in virtual time. Every call of New must return a Locker on the same
// lock space; Stall stops a holder's heartbeat.
func Example() {
	testLocker := func(t *testing.T) {
		const lease = 300 * time.Millisecond
		shared := lockertest.NewLeaseLocker(lease)
		lockertest.Run(t, lockertest.Config{
			New:         func(*testing.T) resourceserver.Locker { return shared },
			Lease:       lease,
			Stall:       shared.Stall,
			VirtualTime: true,
		})
	}
	_ = testLocker // func TestLocker(t *testing.T) { testLocker(t) }
}

// A lease locker behaves as a network lock does: a holder that stops
// renewing (here through StopRenewing, as a paused process would) loses
// the lock to the next waiter, and its Unlock says so.
func ExampleLeaseLocker() {
	ctx := context.Background()
	locker := lockertest.NewLeaseLocker(50 * time.Millisecond)
	const key = "cognito-idp/us-east-1_Example/https://api.example.com"
	held, err := locker.Lock(ctx, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	held.(*lockertest.LeaseLock).StopRenewing()

	// Another holder takes over once the lease has run out.
	next, err := locker.Lock(ctx, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	<-held.Lost()
	err = held.Unlock(ctx)
	fmt.Println(rserrors.IsLockLost(err), err)
	fmt.Println(next.Unlock(ctx))
	// Output:
	// true lock cognito-idp/us-east-1_Example/https://api.example.com lost: lease expired
	// <nil>
}
