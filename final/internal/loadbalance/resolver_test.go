package loadbalance

import (
	"maps"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/serviceconfig"
	"google.golang.org/grpc/status"
)

// recorder is the client connection of the resolver tests: it keeps what
// the resolver reports to it. It embeds resolver.ClientConn, as gRPC
// requires of implementations outside gRPC, and implements the methods a
// resolver calls; any other would panic on the nil interface.
type recorder struct {
	resolver.ClientConn

	mu            sync.Mutex // guards the fields below
	states        []resolver.State
	errs          []error
	serviceConfig string // the JSON the resolver asked to parse
}

func (r *recorder) UpdateState(s resolver.State) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
	return nil
}

func (r *recorder) ReportError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *recorder) ParseServiceConfig(js string) *serviceconfig.ParseResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.serviceConfig = js
	return &serviceconfig.ParseResult{}
}

// lastState returns the last state the resolver reported, and whether it
// reported one.
func (r *recorder) lastState() (resolver.State, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.states) == 0 {
		return resolver.State{}, false
	}
	return r.states[len(r.states)-1], true
}

// lastError returns the last error the resolver reported, or nil.
func (r *recorder) lastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs[len(r.errs)-1]
}

// leaders returns the address of every server a state reports, mapped to
// whether the state marks it the leader.
func leaders(s resolver.State) map[string]bool {
	got := map[string]bool{}
	for _, addr := range s.Addresses {
		got[addr.Addr] = isLeader(addr)
	}
	return got
}

// want returns what leaders should return for c with leader i.
func (c *testCluster) want(leader int) map[string]bool {
	want := map[string]bool{}
	for j, s := range c.servers {
		want[s.addr] = j == leader
	}
	return want
}

// buildResolver builds a resolver, with the builder registered with gRPC,
// for the target "proglog:///addr", reporting to rec, with the
// credentials of creds. It is closed when the test ends.
func buildResolver(t *testing.T, addr string, rec *recorder, creds credentials.TransportCredentials) resolver.Resolver {
	t.Helper()
	target, err := url.Parse(Name + ":///" + addr)
	require.NoError(t, err)
	builder := resolver.Get(Name)
	require.NotNil(t, builder, "importing the package must register the resolver for the scheme %q", Name)
	r, err := builder.Build(resolver.Target{URL: *target}, rec, resolver.BuildOptions{DialCreds: creds})
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r
}

// rootCreds returns the credentials of the root client of c.
func rootCreds(t *testing.T, c *testCluster) credentials.TransportCredentials {
	t.Helper()
	return credentials.NewTLS(clientTLS(t, c.certs, c.certs.RootClientCertFile, c.certs.RootClientKeyFile))
}

// waitForLeader waits until the last state rec got reports the servers of
// c with server i as the leader, and fails with msg if it does not.
func waitForLeader(t *testing.T, rec *recorder, c *testCluster, i int, msg string) {
	t.Helper()
	var got map[string]bool
	reported := func() bool {
		state, ok := rec.lastState()
		got = leaders(state)
		return ok && maps.Equal(got, c.want(i))
	}
	if !waitFor(reported) {
		require.Equal(t, c.want(i), got, "%s (last error reported: %v)", msg, rec.lastError())
	}
}

func TestResolverReportsServers(t *testing.T) {
	c := startCluster(t, 3)
	c.setLeader(1)
	rec := &recorder{}
	buildResolver(t, c.servers[0].addr, rec, rootCreds(t, c))

	var state resolver.State
	require.True(t, waitFor(func() bool {
		var ok bool
		state, ok = rec.lastState()
		return ok
	}), "the resolver reported no state (last error reported: %v)", rec.lastError())
	require.Len(t, state.Addresses, 3, "the resolver must report every server GetServers names")
	require.Equal(t, c.want(1), leaders(state), "the leader's address must carry the is_leader attribute, and only the leader's")
	require.JSONEq(t, `{"loadBalancingConfig":[{"proglog":{}}]}`, rec.serviceConfig,
		"the resolver's service config must choose the proglog balancer")
	require.NotNil(t, state.ServiceConfig, "the resolver must report its service config with the servers")
}

func TestResolverResolvesAgain(t *testing.T) {
	c := startCluster(t, 3)
	rec := &recorder{}
	r := buildResolver(t, c.servers[0].addr, rec, rootCreds(t, c))
	waitForLeader(t, rec, c, 0, "the resolver must report the servers with server 0 as the leader")

	c.setLeader(2)
	r.ResolveNow(resolver.ResolveNowOptions{})
	waitForLeader(t, rec, c, 2, "ResolveNow must make the resolver ask the servers again")
}

func TestResolverAsksAnotherServer(t *testing.T) {
	c := startCluster(t, 3)
	rec := &recorder{}
	r := buildResolver(t, c.servers[0].addr, rec, rootCreds(t, c))
	waitForLeader(t, rec, c, 0, "the resolver must report the servers with server 0 as the leader")

	// The server the client dialled, the leader, goes away; server 1 takes
	// over.
	c.servers[0].stop()
	c.setLeader(1)
	r.ResolveNow(resolver.ResolveNowOptions{})
	waitForLeader(t, rec, c, 1, "when the server the client dialled is gone, the resolver must ask the others it knows")
}

func TestResolverReportsErrors(t *testing.T) {
	c := startCluster(t, 1)
	t.Run("a client the ACL refuses gets PermissionDenied", func(t *testing.T) {
		rec := &recorder{}
		nobody := credentials.NewTLS(clientTLS(t, c.certs, c.certs.NobodyClientCertFile, c.certs.NobodyClientKeyFile))
		buildResolver(t, c.servers[0].addr, rec, nobody)
		require.True(t, waitFor(func() bool { return rec.lastError() != nil }), "the resolver must report the error GetServers returned with ReportError")
		require.Equal(t, codes.PermissionDenied, status.Code(rec.lastError()), "the reported error must wrap GetServers' status: %v", rec.lastError())
		_, ok := rec.lastState()
		require.False(t, ok, "the resolver reported servers it could not get")
	})
	t.Run("no server at the address is Unavailable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close()) // nothing listens there now
		rec := &recorder{}
		buildResolver(t, addr, rec, rootCreds(t, c))
		require.True(t, waitFor(func() bool { return rec.lastError() != nil }), "the resolver must report that it reached no server with ReportError")
		require.Equal(t, codes.Unavailable, status.Code(rec.lastError()), "%v", rec.lastError())
	})
	t.Run("Build refuses a connection without credentials", func(t *testing.T) {
		target, err := url.Parse(Name + ":///" + c.servers[0].addr)
		require.NoError(t, err)
		_, err = resolver.Get(Name).Build(resolver.Target{URL: *target}, &recorder{}, resolver.BuildOptions{})
		require.ErrorContains(t, err, "grpc.WithTransportCredentials")
	})
	t.Run("Build refuses a target without an address", func(t *testing.T) {
		target, err := url.Parse(Name + ":///")
		require.NoError(t, err)
		_, err = resolver.Get(Name).Build(resolver.Target{URL: *target}, &recorder{}, resolver.BuildOptions{DialCreds: rootCreds(t, c)})
		require.ErrorContains(t, err, "names no server")
	})
}

// TestResolversShareNothing builds two resolvers, as two client
// connections of one process do, for two clusters: each must report its
// own cluster, and re-resolve on its own.
func TestResolversShareNothing(t *testing.T) {
	a, b := startCluster(t, 2), startCluster(t, 2)
	b.setLeader(1)
	recA, recB := &recorder{}, &recorder{}
	resolverA := buildResolver(t, a.servers[0].addr, recA, rootCreds(t, a))
	buildResolver(t, b.servers[0].addr, recB, rootCreds(t, b))
	waitForLeader(t, recA, a, 0, "each client connection must have its own resolver: A's must report A's servers")
	waitForLeader(t, recB, b, 1, "each client connection must have its own resolver: B's must report B's servers")

	a.setLeader(1)
	resolverA.ResolveNow(resolver.ResolveNowOptions{})
	waitForLeader(t, recA, a, 1, "each client connection must have its own resolver: A's ResolveNow must reach A's")
	recB.mu.Lock()
	defer recB.mu.Unlock()
	for _, state := range recB.states {
		for addr := range leaders(state) {
			require.True(t, slices.ContainsFunc(b.servers, func(s *testServer) bool { return s.addr == addr }),
				"each client connection must have its own resolver: B's reported %s, a server of A", addr)
		}
	}
}
