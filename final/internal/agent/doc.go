// Package agent runs one server of the cluster: it ties together the
// replicated log (internal/log's DistributedLog), the gRPC service on it
// (internal/server), and the membership that finds the other servers
// (internal/discovery) and tells Raft about them.
//
// Raft and gRPC share one port: the agent reads the first byte of each
// connection and hands Raft's, which start with log.RaftRPC, to Raft, and
// every other to gRPC. Agents talk to each other over mutual TLS: each
// serves with Config.ServerTLSConfig and dials the others' Raft with
// Config.PeerTLSConfig, presenting a server identity: the Raft side of the
// port accepts only Config.PeerNames, so a client certificate, even
// root's, cannot open a Raft connection.
//
// With Config.HTTPAddr, an agent also serves operators over plain HTTP:
// metrics for Prometheus, and its status and its cluster's as JSON and as
// a live page (internal/status). It tells the other agents where, in the
// Serf tag HTTPAddrTag.
//
// # Usage
//
//	a, err := agent.New(agent.Config{
//		NodeName: "node-1", DataDir: dir, Bootstrap: true,
//		BindAddr: "127.0.0.1:8401", RPCPort: 8400,
//		ServerTLSConfig: serverTLS, PeerTLSConfig: peerTLS,
//		ACLModelFile: "model.conf", ACLPolicyFile: "policy.csv",
//		HTTPAddr: "127.0.0.1:8402", // optional: open http://127.0.0.1:8402/status
//	})
//	if err != nil {
//		return err
//	}
//	defer a.Shutdown()
package agent
