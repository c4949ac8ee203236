package resourceserver

import "github.com/scopekeeper/scopekeeper/internal/engine"

// HeldKeys returns how many resource servers c has changes queued or
// running for, so tests can check that unused entries are removed.
func HeldKeys(c *Client) int { return c.engine.Keys() }

// Queued returns how many changes wait in c's queue for pool/id, not
// counting the batch in progress.
func Queued(c *Client, pool, id string) int {
	return c.engine.Queued(engine.Key{Pool: pool, ID: id})
}
