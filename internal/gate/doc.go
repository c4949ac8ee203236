// Package gate stops the writes of a unit of work that have not been sent
// yet, and tells whether one was: an interrupted apply lets the writes in
// flight finish but starts no new one, including a write already under
// way in its own code and waiting for its pacing slot.
//
// A Gate rides in a context ([With]). The SDK calls that carry it ask it
// before each write is sent ([Gate.Check], and [Gate.AfterClose] while they
// wait for a slot) and mark it when one is ([Gate.MarkSent]). Reads are never
// stopped: a write in flight must still be verified.
package gate
