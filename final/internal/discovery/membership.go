package discovery

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/serf/serf"
	"go.uber.org/zap"
)

// Membership is this server's place in a cluster: a running Serf agent
// that reports the other members to a [Handler]. Create it with [New] and
// end it with [Membership.Leave]. Its methods are safe for concurrent use.
type Membership struct {
	// Config is the configuration New was given, with BindAddr holding the
	// address Serf actually listens on.
	Config
	handler Handler
	logger  *zap.Logger
	serf    *serf.Serf
	// joinAddrs are StartJoinAddrs without this member's own address.
	joinAddrs []string
	// events is Serf's EventCh. readEvents empties it at once and queue
	// absorbs bursts; its buffer is for after Leave (see eventsBuffer).
	events chan serf.Event
	queue  *eventQueue
	// done is closed by Leave to stop readEvents and dispatch.
	done chan struct{}
	// leaving is closed first thing in Leave, to stop retryJoin before
	// Serf leaves (a join then would only fail).
	leaving chan struct{}
	// running counts readEvents, dispatch and retryJoin, for Leave to
	// wait on.
	running sync.WaitGroup

	leaveOnce sync.Once
	leaveErr  error // Leave's result, set once
}

// eventsBuffer is the room in Membership.events. Serf forwards events to
// it from a goroutine of its own that reads from a queue of 1024 events and
// may go on forwarding what is queued after Shutdown, when readEvents has
// stopped. A buffer larger than that queue lets it finish and exit instead
// of blocking forever on a channel nobody reads.
const eventsBuffer = 2048

// reconnectInterval is how often Serf tries to reach a member it marked
// failed (one of them, picked at random, per interval). An attempt is one
// push/pull exchange; waiting longer leaves the cluster a server short.
const reconnectInterval = 2 * time.Second

// New starts a Serf agent on config.BindAddr with config's name and tags,
// joins the cluster through config.StartJoinAddrs (if any), and reports the
// other members to handler from then on. If no member answers the join,
// the member runs on its own and keeps trying in the background, unless
// config.DisableRetryJoin makes that an error. If New returns an error,
// nothing it started is left running.
func New(handler Handler, config Config) (*Membership, error) {
	if handler == nil {
		return nil, errors.New("new membership: the handler is nil")
	}
	if err := config.validate(); err != nil {
		return nil, fmt.Errorf("new membership: %w", err)
	}
	logger := config.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	m := &Membership{
		Config:  config,
		handler: handler,
		logger:  logger.Named("membership"),
		events:  make(chan serf.Event, eventsBuffer),
		queue:   newEventQueue(),
		done:    make(chan struct{}),
		leaving: make(chan struct{}),
	}
	// Serf sends the first event (this member joining) from Create, so the
	// reader must run before it.
	m.running.Add(2)
	go m.readEvents()
	go m.dispatch()
	if err := m.setupSerf(); err != nil {
		close(m.done)
		m.running.Wait()
		return nil, fmt.Errorf("new membership %s: %w", config.NodeName, err)
	}
	return m, nil
}

// setupSerf creates the Serf agent, records the address it listens on in
// m.BindAddr, and joins the cluster. On error it leaves no agent running.
func (m *Membership) setupSerf() error {
	config, err := m.serfConfig()
	if err != nil {
		return err
	}
	m.serf, err = serf.Create(config)
	if err != nil {
		return fmt.Errorf("create serf: %w", err)
	}
	local := m.serf.LocalMember()
	configured := m.BindAddr
	m.BindAddr = net.JoinHostPort(local.Addr.String(), strconv.Itoa(int(local.Port)))
	m.joinAddrs = othersAddrs(m.StartJoinAddrs, configured, m.BindAddr)
	if len(m.joinAddrs) == 0 {
		return nil
	}
	errs := m.join(m.joinAddrs)
	switch {
	case errs == nil:
		m.logger.Info("joined the cluster", zap.Strings("addrs", m.joinAddrs))
	case m.DisableRetryJoin:
		return errors.Join(fmt.Errorf("join %v: %w", m.joinAddrs, errors.Join(errs...)), m.serf.Shutdown())
	default:
		firstWait, _ := m.retryJoinWaits()
		m.logJoinFailure(errs, 1, firstWait)
		m.running.Add(1)
		go m.retryJoin()
	}
	return nil
}

// serfConfig returns the configuration of m's Serf agent.
func (m *Membership) serfConfig() (*serf.Config, error) {
	addr, err := net.ResolveTCPAddr("tcp", m.BindAddr)
	if err != nil {
		return nil, fmt.Errorf("resolve bind address: %w", err)
	}
	config := serf.DefaultConfig()
	config.Init()
	config.NodeName = m.NodeName
	config.Tags = m.Tags
	config.EventCh = m.events
	config.MemberlistConfig.BindAddr = addr.IP.String()
	config.MemberlistConfig.BindPort = addr.Port
	// With a key, memberlist encrypts what it sends and, since it then
	// verifies what comes in too, drops what is not encrypted with it.
	config.MemberlistConfig.SecretKey = m.EncryptKey
	// A member Serf marks failed is removed from Raft (see readEvents's
	// handler) and comes back only when Serf sees it again, which for a
	// member cut off by the network waits for Serf's next attempt to
	// reach it: every 30 s by default, so a cluster took up to that long
	// to heal after a partition of a few seconds.
	config.ReconnectInterval = reconnectInterval
	// memberlist refuses a Logger next to a LogOutput; Serf prefers the
	// Logger. Both go to m.logger.
	config.LogOutput, config.MemberlistConfig.LogOutput = nil, nil
	config.Logger = leveledStdLog(m.logger.Named("serf"))
	config.MemberlistConfig.Logger = leveledStdLog(m.logger.Named("memberlist"))
	return config, nil
}

// readEvents takes Serf's events off m.events until Leave, and queues them
// for dispatch. It never calls the handler: Serf hands its events over
// from one goroutine, which also answers Serf's internal queries (name
// conflicts, encryption keys). Until this goroutine takes an event, that
// one waits and answers nothing; after 1024 more events, gossip itself
// waits, since Serf sends them while holding its member lock.
func (m *Membership) readEvents() {
	defer m.running.Done()
	for {
		select {
		case e := <-m.events:
			m.queue.push(e)
		case <-m.done:
			return
		}
	}
}

// dispatch hands the queued events to the handler, one at a time and in
// order, until Leave.
func (m *Membership) dispatch() {
	defer m.running.Done()
	for {
		e, ok := m.queue.pop(m.done)
		if !ok {
			return
		}
		m.handle(e)
	}
}

// handle tells the handler about the other members in e: a join, or a
// leave for a member that left or failed. Other events, and this member's
// own, are ignored.
func (m *Membership) handle(e serf.Event) {
	event, ok := e.(serf.MemberEvent)
	if !ok {
		return
	}
	for _, member := range event.Members {
		if m.isLocal(member) {
			continue
		}
		switch event.Type {
		case serf.EventMemberJoin:
			if err := m.handler.Join(member.Name, member.Tags[RPCAddrTag]); err != nil {
				m.logger.Error("handler failed on join", zap.String("member", member.Name), zap.Error(err))
			}
		case serf.EventMemberLeave, serf.EventMemberFailed:
			if err := m.handler.Leave(member.Name); err != nil {
				m.logger.Error("handler failed on leave", zap.String("member", member.Name), zap.Error(err))
			}
		}
	}
}

// isLocal reports whether member is this member.
func (m *Membership) isLocal(member serf.Member) bool {
	return member.Name == m.NodeName
}

// Members returns every member Serf knows of, this one included, with its
// status: alive, leaving, left or failed. The slice is the caller's.
func (m *Membership) Members() []serf.Member {
	return m.serf.Members()
}

// Leave tells the cluster that this member is leaving, then stops Serf
// (closing its sockets and goroutines) and the handler's goroutines: when it
// returns, nothing of the Membership runs and the handler is not called
// again. It waits for a handler call in progress, and for a join that
// retryJoin has in flight. Calling it again returns the first call's
// result.
func (m *Membership) Leave() error {
	m.leaveOnce.Do(func() {
		close(m.leaving)
		// serf.Leave only says goodbye; without Shutdown, memberlist keeps
		// its listeners and goroutines for the life of the process.
		leaveErr := m.serf.Leave()
		shutdownErr := m.serf.Shutdown()
		close(m.done)
		m.running.Wait()
		m.leaveErr = errors.Join(leaveErr, shutdownErr)
	})
	return m.leaveErr
}
