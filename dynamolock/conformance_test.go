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
	const lease = 500 * time.Millisecond
	lockertest.Run(t, lockertest.Config{
		New:   func(t *testing.T) resourceserver.Locker { return newLocker(t, ddb, table, lease) },
		Lease: lease,
		Stall: func(t *testing.T, l resourceserver.Lock) {
			if !dynamolock.Stall(l) {
				t.Fatalf("lock %T is not a dynamolock lock", l)
			}
		},
	})
}
