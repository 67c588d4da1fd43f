package loadbalance

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// getServers asks the cluster for its servers: the leader of the last
// answer, the server that gave it, the one the client dialled, then the
// others of the last answer, until one answers. Asking the leader first
// tells at once whether it is still there. It returns the first answer, or every server's error.
// The servers that failed to answer are in r.unanswered until the next
// call.
func (r *Resolver) getServers(ctx context.Context) ([]*api.Server, error) {
	var errs []error
	r.unanswered = r.unanswered[:0]
	for _, addr := range r.candidates() {
		servers, err := r.ask(ctx, addr)
		if err == nil {
			r.remember(addr, servers)
			return servers, nil
		}
		r.unanswered = append(r.unanswered, addr)
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		if ctx.Err() != nil {
			break // closed: asking the others would fail the same way
		}
	}
	return nil, fmt.Errorf("get servers: %w", errors.Join(errs...))
}

// settled reports whether servers, the last answer of getServers, can be
// relied on until gRPC asks to resolve again: one server is the leader, and
// it is not one that just failed to answer. A leader that does not answer
// has most likely stopped, and the others have not noticed yet: an
// election is coming, and with it a new leader worth asking for soon.
func (r *Resolver) settled(servers []*api.Server) bool {
	for _, srv := range servers {
		if srv.GetIsLeader() {
			return !slices.Contains(r.unanswered, srv.GetRpcAddr())
		}
	}
	return false
}

// candidates returns the addresses to ask, in order, each once.
func (r *Resolver) candidates() []string {
	var addrs []string
	for _, addr := range append([]string{r.leader, r.answered, r.target}, r.known...) {
		if addr != "" && !slices.Contains(addrs, addr) {
			addrs = append(addrs, addr)
		}
	}
	return addrs
}

// ask calls GetServers on the server at addr, over a connection kept for
// the next time.
func (r *Resolver) ask(ctx context.Context, addr string) ([]*api.Server, error) {
	conn, ok := r.conns[addr]
	if !ok {
		var err error
		// A plain address: the default scheme (dns) resolves it. This
		// connection does not balance; it talks to this server only.
		conn, err = grpc.NewClient(addr, r.dialOpts...)
		if err != nil {
			return nil, err
		}
		r.conns[addr] = conn
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	res, err := api.NewLogClient(conn).GetServers(ctx, &api.GetServersRequest{})
	if err != nil {
		return nil, err
	}
	return res.GetServers(), nil
}

// remember records that the server at addr answered with servers, and
// closes the connections to the servers that are gone from the cluster.
func (r *Resolver) remember(addr string, servers []*api.Server) {
	r.answered, r.leader = addr, ""
	r.known = r.known[:0]
	for _, srv := range servers {
		r.known = append(r.known, srv.GetRpcAddr())
		if srv.GetIsLeader() {
			r.leader = srv.GetRpcAddr()
		}
	}
	for a, conn := range r.conns {
		if a != addr && a != r.target && !slices.Contains(r.known, a) {
			_ = conn.Close() // only GetServers used it, and its call is over
			delete(r.conns, a)
		}
	}
}

// closeConns closes every connection to the servers.
func (r *Resolver) closeConns() {
	for addr, conn := range r.conns {
		_ = conn.Close() // nothing is in flight: run has stopped asking
		delete(r.conns, addr)
	}
}
