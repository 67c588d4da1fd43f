package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	"github.com/soheilhy/cmux"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"

	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/server"
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

	ln         net.Listener // the port, shared by Raft and gRPC
	mux        cmux.CMux    // splits ln between raftLn and grpcLn
	raftLn     net.Listener
	grpcLn     net.Listener
	muxing     chan error // receives the mux's Serve result
	log        *log.DistributedLog
	server     *grpc.Server
	serving    chan error // receives Serve's result
	membership *discovery.Membership
	reconciler *reconciler // keeps Raft's configuration on Serf's members

	// The plaintext health port (health.go); nil without HealthAddr.
	health        *health.Server
	healthServer  *grpc.Server
	healthServing chan error // receives the health server's Serve result

	http httpPort // the plaintext metrics and status port (http.go)

	shutdownOnce sync.Once
	shutdownErr  error // Shutdown's result, set once
}

// New starts an agent: it listens on config.RPCPort for both Raft and gRPC,
// opens the replicated log in config.DataDir, serves it over gRPC, and joins
// the cluster. If it returns an error, nothing it started is left running.
func New(config Config) (*Agent, error) {
	if err := config.validate(); err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	logger := config.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	a := &Agent{Config: config, logger: logger.Named(config.NodeName)}
	// The order matters: Raft and gRPC need the port's listeners, the
	// server needs the log, the membership tells the log whom to
	// replicate to, and the reconciler needs both. The HTTP port listens
	// early, for the server's metrics and the membership's tag, and
	// serves once everything runs. The health port comes last: it says
	// SERVING once everything runs.
	for _, setup := range []func() error{a.setupMux, a.listenHTTP, a.setupLog, a.setupServer, a.setupMembership, a.setupReconciler, a.serveHTTP, a.setupHealth} {
		if err := setup(); err != nil {
			return nil, errors.Join(fmt.Errorf("new agent %s: %w", config.NodeName, err), a.Shutdown())
		}
	}
	return a, nil
}

// setupMux listens on RPCAddr, records in RPCPort the port it got, and
// splits the port's connections between Raft and gRPC by their first byte.
func (a *Agent) setupMux() error {
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", rpcAddr)
	if err != nil {
		return fmt.Errorf("listen for raft and gRPC: %w", err)
	}
	a.RPCPort = ln.Addr().(*net.TCPAddr).Port
	a.ln = ln
	a.mux = cmux.New(ln)
	a.mux.SetReadTimeout(a.sniffTimeout())
	// Both matchers are registered before Serve, which reads the list
	// without a lock. A connection neither matches is closed (see
	// sniff.go).
	a.raftLn = closedAsNetClosed{a.mux.Match(isRaft)}
	a.grpcLn = a.mux.Match(isTLS)
	a.muxing = make(chan error, 1)
	go func() { a.muxing <- a.mux.Serve() }()
	return nil
}

// isRaft matches the connections the stream layer dials: they start with
// log.RaftRPC. gRPC's start with a TLS handshake, 0x16.
func isRaft(r io.Reader) bool {
	mark := make([]byte, 1)
	if _, err := io.ReadFull(r, mark); err != nil {
		return false
	}
	return bytes.Equal(mark, []byte{log.RaftRPC})
}

// setupLog starts the replicated log in DataDir, its Raft on the port's
// Raft connections.
func (a *Agent) setupLog() error {
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	peerNames, err := a.peerNames()
	if err != nil {
		return err
	}
	// The Raft side of the port accepts the other servers only: a client
	// of the CA, even root, must not append to Raft's log or vote.
	raftTLS := config.AcceptOnly(a.ServerTLSConfig, peerNames...)
	logConfig := log.Config{Retention: a.Retention}
	logConfig.Raft.StreamLayer = log.NewStreamLayer(a.raftLn, raftTLS, a.PeerTLSConfig)
	logConfig.Raft.StreamLayer.HandshakeTimeout = a.HandshakeTimeout
	logConfig.Raft.LocalID = raft.ServerID(a.NodeName)
	logConfig.Raft.Logger = log.NewRaftLogger(a.logger.Named("raft"))
	logConfig.Raft.BindAddr = rpcAddr
	logConfig.Raft.Bootstrap = a.Bootstrap
	setRaftTiming(&logConfig, a.RaftMultiplier)
	a.log, err = log.NewDistributedLog(a.DataDir, logConfig)
	return err
}

// setupServer serves the log over gRPC on the port's other connections.
func (a *Agent) setupServer() error {
	authorizer, err := auth.New(a.ACLModelFile, a.ACLPolicyFile)
	if err != nil {
		return err
	}
	// One place builds the server's configuration: the log, the ACL and
	// chapter 6's observability: the logger, the meter and the tracer
	// providers.
	serverConfig := &server.Config{
		CommitLog:      a.log,
		Authorizer:     authorizer,
		Logger:         a.logger,
		GetServerer:    a.log,
		MeterProvider:  a.MeterProvider,
		TracerProvider: a.TracerProvider,
		// Zero takes the server's default.
		HandshakeTimeout: a.HandshakeTimeout,
	}
	srv, err := server.NewGRPCServer(serverConfig, grpc.Creds(credentials.NewTLS(a.ServerTLSConfig)))
	if err != nil {
		return err
	}
	a.server = srv
	a.serving = make(chan error, 1)
	go func() { a.serving <- srv.Serve(a.grpcLn) }()
	return nil
}

// setupMembership joins the cluster with the replicated log as the handler:
// on the leader, every agent that joins becomes a voter and every agent
// that leaves stops being one.
func (a *Agent) setupMembership() error {
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	a.membership, err = discovery.New(raftMembers{a.log}, discovery.Config{
		NodeName:         a.NodeName,
		BindAddr:         a.BindAddr,
		Tags:             a.tags(rpcAddr),
		StartJoinAddrs:   a.StartJoinAddrs,
		DisableRetryJoin: a.DisableRetryJoin,
		EncryptKey:       a.EncryptKey,
		Logger:           a.logger,
	})
	if err != nil {
		return err
	}
	a.BindAddr = a.membership.BindAddr
	return nil
}

// setupReconciler starts making Raft's configuration follow the
// membership, whenever this agent leads (see reconcile.go).
func (a *Agent) setupReconciler() error {
	a.reconciler = startReconciler(a.log, a.membership.Members, a.NodeName, a.logger)
	return nil
}

// Shutdown stops the agent, in an order that loses nothing and keeps the
// cluster available: the health port reports NOT_SERVING; the HTTP port
// closes; the reconciler
// stops; a leader hands the leadership over, so the others need not wait
// for an election timeout; the agent leaves the cluster (the new leader
// then removes it from Raft's configuration); the gRPC server stops,
// letting calls in flight finish for up to GracePeriod; Raft shuts down
// and the log closes; the ports close. It returns every error it met; a
// failed handover is only logged, since the others then elect a leader
// anyway. It is safe to call more than once; later calls return the first
// one's result.
func (a *Agent) Shutdown() error {
	a.shutdownOnce.Do(func() {
		a.drainHealth()
		var errs []error
		// The status port goes first: it reads the log and the
		// membership, and the other nodes' pages show this one down.
		if a.http.ln != nil {
			errs = append(errs, a.stopHTTP())
		}
		// The reconciler stops first: a leaving agent must not act on
		// what its own leave does to the membership.
		if a.reconciler != nil {
			a.reconciler.close()
		}
		if a.log != nil {
			if err := a.log.TransferLeadership(); err != nil {
				a.logger.Warn("hand the leadership over before shutting down", zap.Error(err))
			}
		}
		if a.membership != nil {
			errs = append(errs, a.membership.Leave())
		}
		if a.server != nil {
			errs = append(errs, a.stopServer())
		}
		if a.log != nil {
			errs = append(errs, a.log.Close())
		}
		if a.ln != nil {
			errs = append(errs, a.stopMux())
		}
		if a.healthServer != nil {
			errs = append(errs, a.stopHealth())
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

// stopMux closes the port and waits for the mux to stop. Stopping the gRPC
// server may have closed the port already (cmux's listeners close the one
// they share), so a closed port is the expected end, not an error.
func (a *Agent) stopMux() error {
	a.mux.Close()
	if a.muxing == nil {
		return a.ln.Close() // the mux never served
	}
	if err := a.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	if err := <-a.muxing; !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}
