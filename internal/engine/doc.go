// Package engine is the one read-modify-write of scopekeeper and the one
// path every SDK call takes, shared by packages resourceserver, appclient
// and reconcile.
//
// [Send] is the call path: pace, send, time the wire, map the error.
// [Engine] is the read-modify-write, generic over a resource kind that
// supplies a [Kind]: read the state, apply a change, write the full state;
// the engine queues and coalesces the changes of one resource, takes the
// Locker only when there is something to write, checks before the write,
// verifies after it, and writes again or backs off. [Log] writes one record
// in the attribute vocabulary of the API ([AttrPool], [AttrIdentifier],
// [AttrClientID]).
package engine
