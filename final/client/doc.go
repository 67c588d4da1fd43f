// Package client is a Go client of a proglog cluster. It finds the cluster
// from the address of any one server, sends each call where it can be
// served (produces to the leader, consumes to the followers), and rides
// out a leader change: a call that fails with codes.Unavailable is tried
// again, with a bounded exponential backoff, until it works or its time is
// up.
//
// # Usage
//
//	c, err := client.New(ctx, client.Config{Addr: "127.0.0.1:8400", TLS: tlsConfig})
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	off, err := c.Produce(ctx, []byte("hello"))
//	if err != nil {
//		return err
//	}
//	for record, err := range c.Follow(ctx, off) {
//		// record.Offset, record.Value; stop with break
//	}
package client
