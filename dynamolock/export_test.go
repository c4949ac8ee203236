package dynamolock

import "github.com/scopekeeper/scopekeeper/resourceserver"

// Stall stops the renewals of l, a lock from a Locker, as a paused
// process would stop them; it reports false for another kind of lock.
func Stall(l resourceserver.Lock) bool {
	k, ok := l.(*lease)
	if ok {
		k.stall()
	}
	return ok
}
