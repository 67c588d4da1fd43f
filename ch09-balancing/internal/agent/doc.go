// Package agent runs one server of the cluster: it ties together the log
// (internal/log), the gRPC service on it (internal/server), the membership
// that finds the other servers (internal/discovery) and the replicator
// that copies their records here.
//
// Agents talk to each other over mutual TLS: each serves with
// Config.ServerTLSConfig and connects to the others, and to itself, with
// Config.PeerTLSConfig, whose certificate the ACL must let produce and
// consume.
//
// # Usage
//
//	a, err := agent.New(agent.Config{
//		NodeName: "node-1", DataDir: dir,
//		BindAddr: "127.0.0.1:8401", RPCPort: 8400,
//		StartJoinAddrs:  []string{"127.0.0.1:8301"},
//		ServerTLSConfig: serverTLS, PeerTLSConfig: peerTLS,
//		ACLModelFile: "model.conf", ACLPolicyFile: "policy.csv",
//	})
//	if err != nil {
//		return err
//	}
//	defer a.Shutdown()
package agent
