package cluster

import "context"

// Start creates a cluster outside of a test, for `make cluster` and demos, logging progress
// through logf. The caller deletes it with Delete.
func Start(logf func(string, ...any)) (*Cluster, error) {
	return start(logf, Options{})
}

// Delete stops every component of the cluster and removes its files.
func (c *Cluster) Delete(ctx context.Context) error {
	return c.delete(ctx)
}
