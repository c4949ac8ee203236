package resourceserver

// HeldKeys returns how many keys c's in-process lock holds or waits for,
// so tests can check that unused entries are removed.
func HeldKeys(c *Client) int { return c.keys.len() }
