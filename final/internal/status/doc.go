// Package status serves an operator's view of a node and of its cluster
// over plain HTTP: this node's role, Raft indexes and log offsets as JSON
// at /status.json, every member's at /cluster.json (gathered by this node
// from the others' /status.json), and a page at /status that shows the
// cluster and refreshes itself about once a second, for watching a
// failover on a projector. It is read-only and shows no record.
//
// The port is plaintext and asks for no certificate: serve it on an
// operator network, or reach it through a port-forward, never on an
// address clients of the log can reach.
//
// # Usage
//
//	handler := status.NewHandler(agent, prom.Handler()) // agent implements Source
//	defer handler.Close()
//	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
//	go srv.Serve(ln) // open http://<addr>/status
package status
