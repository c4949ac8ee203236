package resourceserver

// HeldKeys returns how many resource servers c has changes queued or
// running for, so tests can check that unused entries are removed.
func HeldKeys(c *Client) int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queues)
}
