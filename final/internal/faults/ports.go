//go:build unix

package faults

import (
	"errors"
	"fmt"
	"net"
)

// The ports of a node in a network of its own: no other program there can
// hold them.
const (
	netRPCPort  = "8400"
	netBindPort = "8401"
)

// nodeAddrs returns the RPC and Serf addresses of n nodes, node by node:
// free ports of 127.0.0.1 without a network, the nodes' own addresses in
// one.
func nodeAddrs(n int, network *Network) ([]string, error) {
	if network == nil {
		return freeAddrs(2 * n)
	}
	var addrs []string
	for i := range n {
		host := network.NodeAddr(i).String()
		addrs = append(addrs, net.JoinHostPort(host, netRPCPort), net.JoinHostPort(host, netBindPort))
	}
	return addrs, nil
}

// freeAddrs returns n addresses of 127.0.0.1 whose ports are free for TCP
// and UDP (Serf needs both), all different. Each is held until all are
// chosen, then released for the nodes to take.
func freeAddrs(n int) ([]string, error) {
	var held []func()
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	var addrs []string
	for len(addrs) < n {
		addr, release, err := freeAddr()
		if err != nil {
			return nil, err
		}
		held = append(held, release)
		addrs = append(addrs, addr)
	}
	return addrs, nil
}

// freeAddr returns an address free for TCP and UDP, held until release.
func freeAddr() (addr string, release func(), err error) {
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, fmt.Errorf("find a free port: %w", err)
		}
		addr := ln.Addr().String()
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			_ = ln.Close() // its UDP port is taken: try another
			continue
		}
		return addr, func() { _ = ln.Close(); _ = pc.Close() }, nil // released for a node to bind
	}
	return "", nil, errors.New("find a free port: 100 tries found none free for both TCP and UDP")
}
