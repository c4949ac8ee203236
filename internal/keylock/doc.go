// Package keylock provides mutexes by key: a [Set] holds one mutex per
// key, made when the key is first locked and forgotten when nobody holds
// or waits for it, and waiting for one honours a context.
//
// resourceserver, appclient and dynamolock serialize their own work on one
// resource server, app client or lock key with it:
//
//	var locks keylock.Set
//	unlock, err := locks.Lock(ctx, pool+"/"+id)
//	if err != nil {
//		return err // ctx.Err()
//	}
//	defer unlock()
package keylock
