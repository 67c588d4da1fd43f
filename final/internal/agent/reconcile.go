package agent

import (
	"time"

	"github.com/hashicorp/serf/serf"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
)

// reconcileInterval is how often the leader compares the members Serf
// sees with the servers of Raft's configuration.
const reconcileInterval = time.Second

// setupReconcile starts the loop that makes every live member a voter; see
// [Agent.reconcile].
func (a *Agent) setupReconcile() error {
	a.stopReconcile = make(chan struct{})
	a.reconciling = make(chan struct{})
	go func() {
		defer close(a.reconciling)
		ticker := time.NewTicker(reconcileInterval)
		defer ticker.Stop()
		for {
			select {
			case <-a.stopReconcile:
				return
			case <-ticker.C:
				a.reconcile()
			}
		}
	}()
	return nil
}

// reconcile adds to Raft's configuration, if this agent leads, every
// member that Serf sees alive and the configuration lacks. Serf reports a
// join once, to every member: if none of them led at that moment (the
// cluster was electing a leader, as it does when its nodes restart
// together), the join was dropped, and without this loop the member would
// never become a voter.
func (a *Agent) reconcile() {
	servers, err := a.log.GetServers()
	if err != nil {
		return // Raft is shutting down; the next tick, if any, tries again
	}
	voters := make(map[string]bool, len(servers))
	leads := false
	for _, s := range servers {
		voters[s.GetId()] = true
		leads = leads || (s.GetId() == a.NodeName && s.GetIsLeader())
	}
	if !leads {
		return
	}
	for _, member := range a.membership.Members() {
		if member.Status != serf.StatusAlive || voters[member.Name] {
			continue
		}
		addr := member.Tags[discovery.RPCAddrTag]
		a.logger.Info("adding a member that Raft lacks", zap.String("member", member.Name), zap.String("rpc_addr", addr))
		if err := ignoreNotLeader(a.log.Join(member.Name, addr)); err != nil {
			a.logger.Warn("add a member that Raft lacks", zap.String("member", member.Name), zap.Error(err))
		}
	}
}

// stopReconciling stops the loop of setupReconcile and waits for it.
func (a *Agent) stopReconciling() {
	close(a.stopReconcile)
	<-a.reconciling
}
