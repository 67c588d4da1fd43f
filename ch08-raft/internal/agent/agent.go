package agent

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/ch08-raft/api/v1"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/auth"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/discovery"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/log"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/server"
)

// GracePeriod is how long Shutdown lets the gRPC calls in flight finish
// before it cuts them off. A ConsumeStream ends only when its client goes
// away, so without a bound a single follower could hold Shutdown forever.
const GracePeriod = 5 * time.Second

// Agent is one running server of the cluster. Create it with [New] and stop
// it with [Agent.Shutdown].
type Agent struct {
	// Config is the configuration New was given, with BindAddr and RPCPort
	// holding the addresses the agent actually listens on.
	Config
	logger *zap.Logger

	log        *log.Log
	server     *grpc.Server
	serving    chan error // receives Serve's result
	localConn  *grpc.ClientConn
	replicator *log.Replicator
	membership *discovery.Membership

	shutdownOnce sync.Once
	shutdownErr  error // Shutdown's result, set once
}

// New starts an agent: it opens the log in config.DataDir, serves it over
// gRPC on config.RPCPort, and joins the cluster, replicating the other
// agents' records. If it returns an error, nothing it started is left
// running.
func New(config Config) (*Agent, error) {
	if err := config.validate(); err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	logger := config.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	a := &Agent{Config: config, logger: logger.Named(config.NodeName)}
	// The order matters: the server needs the log, and the other agents may
	// replicate from this one as soon as it joins, so the server must be
	// serving before the membership starts.
	for _, setup := range []func() error{a.setupLog, a.setupServer, a.setupMembership} {
		if err := setup(); err != nil {
			return nil, errors.Join(fmt.Errorf("new agent %s: %w", config.NodeName, err), a.Shutdown())
		}
	}
	return a, nil
}

// setupLog opens the log in DataDir/log.
func (a *Agent) setupLog() error {
	var err error
	a.log, err = log.NewLog(filepath.Join(a.DataDir, "log"), log.Config{})
	return err
}

// setupServer starts the gRPC server on RPCAddr, and records in RPCPort the
// port it got.
func (a *Agent) setupServer() error {
	authorizer, err := auth.New(a.ACLModelFile, a.ACLPolicyFile)
	if err != nil {
		return err
	}
	// One place builds the server's configuration, so that observability
	// (a logger, tracer and meter providers) can be handed over here.
	serverConfig := &server.Config{
		CommitLog:  a.log,
		Authorizer: authorizer,
	}
	srv, err := server.NewGRPCServer(serverConfig, grpc.Creds(credentials.NewTLS(a.ServerTLSConfig)))
	if err != nil {
		return err
	}
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", rpcAddr)
	if err != nil {
		return fmt.Errorf("listen for gRPC: %w", err)
	}
	a.RPCPort = ln.Addr().(*net.TCPAddr).Port
	a.server = srv
	a.serving = make(chan error, 1)
	go func() { a.serving <- srv.Serve(ln) }()
	return nil
}

// setupMembership starts the replicator, writing into this agent's own
// server, and joins the cluster with the replicator as the handler: every
// agent that joins is replicated from, every agent that leaves no longer.
func (a *Agent) setupMembership() error {
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	peer := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(a.PeerTLSConfig))}
	// The copies go through the server, not straight into the log, so that
	// they pass the ACL and wake the server's ConsumeStreams like any other
	// record.
	a.localConn, err = grpc.NewClient(rpcAddr, peer...)
	if err != nil {
		return fmt.Errorf("connect to own server: %w", err)
	}
	a.replicator = &log.Replicator{
		DialOptions: peer,
		LocalServer: api.NewLogClient(a.localConn),
		Logger:      a.logger,
	}
	a.membership, err = discovery.New(a.replicator, discovery.Config{
		NodeName:       a.NodeName,
		BindAddr:       a.BindAddr,
		Tags:           map[string]string{discovery.RPCAddrTag: rpcAddr},
		StartJoinAddrs: a.StartJoinAddrs,
		Logger:         a.logger,
	})
	if err != nil {
		return err
	}
	a.BindAddr = a.membership.BindAddr
	return nil
}

// Shutdown stops the agent, in an order that loses nothing: it leaves the
// cluster (so the others stop replicating from it), stops its replicator,
// stops the gRPC server (letting calls in flight finish, for up to
// GracePeriod), and closes the log. It returns every error it met. It is
// safe to call more than once; later calls return the first one's result.
func (a *Agent) Shutdown() error {
	a.shutdownOnce.Do(func() {
		var errs []error
		if a.membership != nil {
			errs = append(errs, a.membership.Leave())
		}
		if a.replicator != nil {
			errs = append(errs, a.replicator.Close())
		}
		if a.localConn != nil {
			errs = append(errs, a.localConn.Close())
		}
		if a.server != nil {
			errs = append(errs, a.stopServer())
		}
		if a.log != nil {
			errs = append(errs, a.log.Close())
		}
		a.shutdownErr = errors.Join(errs...)
	})
	return a.shutdownErr
}

// stopServer stops the gRPC server gracefully, or at once after
// GracePeriod, and returns Serve's error.
func (a *Agent) stopServer() error {
	stopped := make(chan struct{})
	go func() {
		a.server.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(GracePeriod)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		a.logger.Warn("calls still in flight after the grace period: stopping the server now")
		a.server.Stop()
		<-stopped
	}
	return <-a.serving
}
