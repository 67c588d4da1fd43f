// Package discovery finds the other servers of a cluster and tells the
// application when one joins or leaves.
//
// A [Membership] runs a Serf agent: the servers gossip over TCP and UDP,
// notice each other's arrival, graceful departure and failure, and share
// small key/value tags. The tag [RPCAddrTag] carries the address of a
// server's gRPC service, so that the application can connect to it. The
// application receives the changes through a [Handler] it implements.
//
// # Usage
//
//	m, err := discovery.New(replicator, discovery.Config{
//		NodeName:       "node-1",
//		BindAddr:       "127.0.0.1:8401",
//		Tags:           map[string]string{discovery.RPCAddrTag: "127.0.0.1:8400"},
//		StartJoinAddrs: []string{"127.0.0.1:8301"},
//	})
//	if err != nil {
//		return err
//	}
//	defer m.Leave()
package discovery
