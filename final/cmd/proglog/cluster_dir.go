package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// clusterDir is the directory of a local cluster that "proglog cluster"
// runs:
//
//	config/        what gencert writes: certificates, ACL, gossip key
//	node-1/ ...    each node's data directory
//	cluster.json   the nodes' names, addresses and process IDs
type clusterDir string

// defaultClusterDir is where "proglog cluster" keeps its cluster when not
// told otherwise: under the user's cache directory (~/.cache/proglog/cluster
// on Linux, ~/Library/Caches/proglog/cluster on macOS), outside any
// repository, and kept from one run to the next. Without a cache
// directory, ./.proglog-cluster.
func defaultClusterDir() string {
	cache, err := os.UserCacheDir()
	if err != nil {
		return ".proglog-cluster"
	}
	return filepath.Join(cache, "proglog", "cluster")
}

// configDir is where the certificates, the ACL and the gossip key are.
func (d clusterDir) configDir() string { return filepath.Join(string(d), "config") }

// nodeDir is the data directory of the node named name.
func (d clusterDir) nodeDir(name string) string { return filepath.Join(string(d), name) }

// stateFile is cluster.json.
func (d clusterDir) stateFile() string { return filepath.Join(string(d), "cluster.json") }

// clusterState is what cluster.json holds: enough for the client commands
// to find a node, for tests and scripts to find a node's process, and for
// the next run of "proglog cluster" to start the nodes on the same ports,
// which Raft's configuration remembers.
type clusterState struct {
	// SupervisorPID is the process ID of the "proglog cluster" that runs
	// the nodes; 0 when none does.
	SupervisorPID int `json:"supervisor_pid"`
	// Nodes are the nodes, in the order they are started.
	Nodes []nodeState `json:"nodes"`
}

// nodeState is one node of cluster.json.
type nodeState struct {
	// Name is the node's name, node-1 to node-N.
	Name string `json:"name"`
	// PID is the process ID of the node's "proglog serve"; 0 when it is
	// not running.
	PID int `json:"pid"`
	// RPCAddr is the address of its gRPC and Raft port.
	RPCAddr string `json:"rpc_addr"`
	// BindAddr is the address of its Serf.
	BindAddr string `json:"bind_addr"`
	// HTTPAddr is the address of its HTTP port: the status page and
	// Prometheus's /metrics.
	HTTPAddr string `json:"http_addr"`
}

// readState reads cluster.json.
func (d clusterDir) readState() (clusterState, error) {
	data, err := os.ReadFile(d.stateFile())
	if errors.Is(err, os.ErrNotExist) {
		return clusterState{}, fmt.Errorf("%w: start a cluster there with \"proglog cluster --dir %s\"", err, d)
	}
	if err != nil {
		return clusterState{}, fmt.Errorf("read cluster state: %w", err)
	}
	var state clusterState
	if err := json.Unmarshal(data, &state); err != nil {
		return clusterState{}, fmt.Errorf("%s is damaged (%w): start over with \"proglog cluster --fresh\"", d.stateFile(), err)
	}
	return state, nil
}

// writeState replaces cluster.json with state, atomically: a reader sees
// the old file or the new one, never half of one.
func (d clusterDir) writeState(state clusterState) error {
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return fmt.Errorf("encode cluster state: %w", err)
	}
	tmp := d.stateFile() + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write cluster state: %w", err)
	}
	if err := os.Rename(tmp, d.stateFile()); err != nil {
		return fmt.Errorf("write cluster state: %w", err)
	}
	return nil
}
