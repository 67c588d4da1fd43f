package loadbalance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/serviceconfig"
)

// isLeaderKey is the key of the attribute, on each address the resolver
// reports, that says whether the server is the leader (a bool). The
// picker reads it; the key's own type keeps other packages' attributes
// from colliding with it.
const isLeaderKey attributeKey = "is_leader"

// attributeKey is the type of the package's address attribute keys.
type attributeKey string

// isLeader reports whether the resolver marked addr as the leader's.
func isLeader(addr resolver.Address) bool {
	leader, _ := addr.Attributes.Value(isLeaderKey).(bool)
	return leader
}

// The resolver's timing.
const (
	// resolveTimeout bounds one GetServers call to one server.
	resolveTimeout = 5 * time.Second
	// retryMin and retryMax bound how long the resolver waits before it
	// asks again after a failure, or while the cluster has no leader (an
	// election is on): the wait starts at retryMin and doubles up to
	// retryMax, and starts over after an answer with a leader.
	retryMin = 20 * time.Millisecond
	retryMax = time.Second
)

// Resolver finds the servers of a proglog cluster for one gRPC client
// connection: it asks a server of the cluster for GetServers and reports
// every server's address to the connection, the leader's with the
// is_leader attribute, along with a service config that chooses the
// "proglog" balancer ([Picker]).
//
// It asks the server the target names ("proglog:///host:port") first;
// once it has an answer, it asks the servers it has learned about too, so
// it keeps working when the first server goes away. It asks again when
// gRPC calls ResolveNow (gRPC does when a connection to a server fails),
// and, with a backoff, while its last attempt failed or found no leader.
//
// The zero Resolver is the builder that register.go registers with gRPC:
// Build returns a new Resolver for each client connection, so connections
// share nothing.
type Resolver struct {
	clientConn    resolver.ClientConn
	target        string                     // the host:port the client dialled
	dialOpts      []grpc.DialOption          // how to reach a server: the client's credentials
	serviceConfig *serviceconfig.ParseResult // chooses the proglog balancer

	resolveNow chan struct{}      // holds one pending request to resolve again
	cancel     context.CancelFunc // stops run
	done       chan struct{}      // closed when run has returned

	// Only run's goroutine uses the fields below.
	conns      map[string]*grpc.ClientConn // to the servers asked, by address
	answered   string                      // the address of the last server that answered
	known      []string                    // the addresses of its answer
	leader     string                      // the leader's address in it, if any
	unanswered []string                    // the servers that failed to answer this time
}

var (
	_ resolver.Builder  = (*Resolver)(nil)
	_ resolver.Resolver = (*Resolver)(nil)
)

// Scheme implements resolver.Builder: targets "proglog:///host:port" use
// this resolver.
func (r *Resolver) Scheme() string {
	return Name
}

// Build implements resolver.Builder: it returns a new Resolver for cc, the
// client connection of target, and starts it. The Resolver asks the
// servers with the connection's own transport credentials, which must be
// set: the servers require mutual TLS.
func (r *Resolver) Build(target resolver.Target, cc resolver.ClientConn, opts resolver.BuildOptions) (resolver.Resolver, error) {
	addr := target.Endpoint()
	if addr == "" {
		return nil, fmt.Errorf("proglog resolver: target %q names no server: want %s:///host:port", target.URL.String(), Name)
	}
	if opts.DialCreds == nil {
		return nil, errors.New("proglog resolver: the connection has no transport credentials: dial with grpc.WithTransportCredentials, the servers require mutual TLS")
	}
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(opts.DialCreds)}
	if opts.Dialer != nil {
		dialOpts = append(dialOpts, grpc.WithContextDialer(opts.Dialer))
	}
	ctx, cancel := context.WithCancel(context.Background())
	res := &Resolver{
		clientConn:    cc,
		target:        addr,
		dialOpts:      dialOpts,
		serviceConfig: cc.ParseServiceConfig(fmt.Sprintf(`{"loadBalancingConfig":[{%q:{}}]}`, Name)),
		resolveNow:    make(chan struct{}, 1),
		cancel:        cancel,
		done:          make(chan struct{}),
		conns:         map[string]*grpc.ClientConn{},
	}
	go res.run(ctx)
	return res, nil
}

// ResolveNow implements resolver.Resolver: it asks run to resolve again. It
// does not wait, and requests that come while one is pending are one.
func (r *Resolver) ResolveNow(resolver.ResolveNowOptions) {
	select {
	case r.resolveNow <- struct{}{}:
	default: // one is pending already
	}
}

// Close implements resolver.Resolver: it stops the resolver and closes its
// connections to the servers, and returns when they are closed.
func (r *Resolver) Close() {
	r.cancel()
	<-r.done
}

// run resolves at once, then again on every ResolveNow, and after a
// backoff while the last attempt did not settle, until Close.
func (r *Resolver) run(ctx context.Context) {
	defer close(r.done)
	defer r.closeConns()
	wait := retryMin
	for {
		var retry <-chan time.Time // nil: wait for ResolveNow only
		if r.resolve(ctx) {
			wait = retryMin
		} else {
			retry = time.After(wait)
			wait = min(2*wait, retryMax)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.resolveNow:
		case <-retry:
		}
	}
}

// resolve asks the cluster for its servers and reports them to the client
// connection, or reports the error. It returns whether the result settled
// (see [Resolver.settled]); if not, run asks again after a backoff, since
// produces wait for a leader.
func (r *Resolver) resolve(ctx context.Context) bool {
	servers, err := r.getServers(ctx)
	if err != nil {
		r.clientConn.ReportError(err)
		return false
	}
	addrs := make([]resolver.Address, 0, len(servers))
	for _, srv := range servers {
		addrs = append(addrs, resolver.Address{
			Addr:       srv.GetRpcAddr(),
			Attributes: attributes.New(isLeaderKey, srv.GetIsLeader()).WithValue(resolverKey, r),
		})
	}
	// The balancer refuses a state without addresses: ask again then too.
	err = r.clientConn.UpdateState(resolver.State{Addresses: addrs, ServiceConfig: r.serviceConfig})
	return err == nil && r.settled(servers)
}
