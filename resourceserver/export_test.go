package resourceserver

// HeldKeys returns how many resource servers c has changes queued or
// running for, so tests can check that unused entries are removed.
func HeldKeys(c *Client) int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queues)
}

// Queued returns how many changes wait in c's queue for pool/id, not
// counting the batch in progress.
func Queued(c *Client, pool, id string) int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if q := c.queues[lockKey(pool, id)]; q != nil {
		return len(q.jobs)
	}
	return 0
}
