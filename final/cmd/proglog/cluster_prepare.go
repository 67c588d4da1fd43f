package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
)

// prepareCluster readies opts.dir for a run and returns the state to run:
// with --fresh it deletes the directory first; it writes the certificates
// if they are not there; it reuses the nodes and ports of cluster.json if
// there is one, and picks free ports otherwise. It refuses a directory
// whose cluster is running, and ports that another process holds.
func prepareCluster(opts clusterOptions) (clusterState, error) {
	dir := opts.dir
	if old, err := dir.readState(); err == nil && old.SupervisorPID != 0 && processAlive(old.SupervisorPID) {
		return clusterState{}, fmt.Errorf("a cluster is already running in %s (process %d): stop it with Ctrl-C in its terminal, or choose another --dir", dir, old.SupervisorPID)
	}
	if opts.fresh {
		if err := os.RemoveAll(string(dir)); err != nil {
			return clusterState{}, fmt.Errorf("--fresh: delete %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(string(dir), 0o700); err != nil {
		return clusterState{}, fmt.Errorf("make the cluster's directory: %w", err)
	}
	if _, err := os.Stat(dir.configDir()); errors.Is(err, os.ErrNotExist) {
		if err := gencert(dir.configDir(), nil); err != nil {
			return clusterState{}, err
		}
	}
	state, err := dir.readState()
	switch {
	case errors.Is(err, os.ErrNotExist):
		state, err = newClusterState(opts.nodes)
		if err != nil {
			return clusterState{}, err
		}
	case err != nil:
		return clusterState{}, err
	case len(state.Nodes) != opts.nodes:
		return clusterState{}, fmt.Errorf("%s holds a cluster of %d nodes, not %d: run with --nodes %d, or start over with --fresh", dir, len(state.Nodes), opts.nodes, len(state.Nodes))
	default:
		if err := checkPortsFree(state); err != nil {
			return clusterState{}, err
		}
	}
	state.SupervisorPID = os.Getpid()
	if err := dir.writeState(state); err != nil {
		return clusterState{}, err
	}
	return state, nil
}

// newClusterState names n nodes and gives each three free ports of
// 127.0.0.1: gRPC and Raft, Serf (TCP and UDP), and HTTP (status page and metrics).
func newClusterState(n int) (clusterState, error) {
	// Hold every port until all are chosen, so that no two are the same.
	var held []func()
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	freePort := func() (string, error) {
		for range 100 {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return "", fmt.Errorf("find a free port: %w", err)
			}
			addr := ln.Addr().String()
			// Serf wants UDP on its port too; any port may need it.
			pc, err := net.ListenPacket("udp", addr)
			if err != nil {
				_ = ln.Close() // not the port we want
				continue
			}
			held = append(held, func() { _ = ln.Close(); _ = pc.Close() }) // freed to be used
			return addr, nil
		}
		return "", errors.New("find a free port: 100 tries found none free for both TCP and UDP")
	}
	var state clusterState
	for i := 1; i <= n; i++ {
		node := nodeState{Name: "node-" + strconv.Itoa(i)}
		var err error
		for _, addr := range []*string{&node.RPCAddr, &node.BindAddr, &node.HTTPAddr} {
			if *addr, err = freePort(); err != nil {
				return clusterState{}, err
			}
		}
		state.Nodes = append(state.Nodes, node)
	}
	return state, nil
}

// checkPortsFree returns an error naming the first port of state that
// another process holds.
func checkPortsFree(state clusterState) error {
	for _, node := range state.Nodes {
		for _, port := range []struct{ what, addr string }{
			{"gRPC and Raft", node.RPCAddr}, {"Serf", node.BindAddr}, {"HTTP", node.HTTPAddr},
		} {
			ln, err := net.Listen("tcp", port.addr)
			if err != nil {
				return fmt.Errorf("%s's %s port %s is in use (%w): stop what holds it (a node of an earlier run? see the PIDs in cluster.json), or start over on new ports with --fresh", node.Name, port.what, port.addr, err)
			}
			_ = ln.Close() // only a test
		}
	}
	return nil
}

// portOf returns the port of addr, host:port.
func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr // cluster.json was written by newClusterState: it is host:port
	}
	return port
}
