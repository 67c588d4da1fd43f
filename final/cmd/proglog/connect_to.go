package main

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// connectToHelp explains --connect-to in the client commands' --help.
const connectToHelp = `ADVERTISED=REACHABLE pairs of host:port, comma-separated (node-1:8400=127.0.0.1:8400): dial each server the cluster advertises at ADVERTISED at REACHABLE instead`

// parseConnectTo reads the --connect-to list into a map from an advertised
// host:port to the host:port to dial in its place.
func parseConnectTo(list []string) (map[string]string, error) {
	routes := make(map[string]string, len(list))
	for _, item := range list {
		from, to, found := strings.Cut(item, "=")
		if !found {
			return nil, fmt.Errorf("--connect-to %q: want ADVERTISED=REACHABLE, two host:port joined by '=' (node-1:8400=127.0.0.1:8400)", item)
		}
		for _, addr := range []string{from, to} {
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return nil, fmt.Errorf("--connect-to %q: %q is not host:port: %w", item, addr, err)
			}
		}
		routes[from] = to
	}
	return routes, nil
}

// dialVia returns a dialer that dials, for each address in routes, the
// address it maps to, and any other address as it is. It changes only
// where the bytes go: gRPC checks every server's certificate against the
// host of --addr, whichever server it reaches (gencert's server
// certificate is valid for 127.0.0.1 and localhost).
func dialVia(routes map[string]string) func(ctx context.Context, addr string) (net.Conn, error) {
	var dialer net.Dialer
	return func(ctx context.Context, addr string) (net.Conn, error) {
		if to, ok := routes[addr]; ok {
			addr = to
		}
		return dialer.DialContext(ctx, "tcp", addr)
	}
}
