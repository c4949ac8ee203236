package dynamolock_test

import (
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/dynamolock"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/resourceserver/lockertest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	ddb, _, table := newTable(t)
	// The sub-tests run at once against one dynalite: a lease of a second
	// leaves the holders of Exclusion, whose renewals dynalite answers
	// late on a busy machine, seven heartbeats of room.
	const lease = time.Second
	lockertest.Run(t, lockertest.Config{
		New:      func(t *testing.T) resourceserver.Locker { return newLocker(t, ddb, table, lease) },
		Lease:    lease,
		Parallel: true, // each sub-test waits out leases: 3 s at once instead of 8 s
		Stall: func(t *testing.T, l resourceserver.Lock) {
			if !dynamolock.Stall(l) {
				t.Fatalf("lock %T is not a dynamolock lock", l)
			}
		},
	})
}
