package agent

import (
	"errors"

	"github.com/hashicorp/serf/serf"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
)

// watchLeadership runs until stop is closed: each time this agent becomes
// the leader, it reconciles Raft's configuration with Serf's members.
//
// Serf tells every agent of a join or a leave, but only the leader can
// act on it (raftMembers), and an event that arrives while there is no
// leader, or just before this agent took over, is dropped. The most
// common case is the old leader's own leave: it hands the leadership over
// and then leaves, and its successor may hear of the leave before it
// leads. Serf records the member's new status before it tells anyone, so
// looking at the members once leading catches every event missed before.
func (a *Agent) watchLeadership(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case leading := <-a.log.LeadershipChanges():
			if !leading {
				continue
			}
			if err := a.reconcile(); err != nil {
				a.logger.Warn("reconcile Raft's servers with Serf's members", zap.Error(err))
			}
		}
	}
}

// reconcile makes Raft's configuration follow Serf's members: an alive
// member that is not a Raft server joins, and a Raft server whose member
// left or failed is removed. Members Serf does not know are left alone.
// Only the leader can; elsewhere it does nothing.
func (a *Agent) reconcile() error {
	servers, err := a.log.GetServers()
	if err != nil {
		return err
	}
	inRaft := map[string]string{}
	for _, srv := range servers {
		inRaft[srv.GetId()] = srv.GetRpcAddr()
	}
	handler := raftMembers{a.log}
	var errs []error
	for _, member := range a.membership.Members() {
		if member.Name == a.NodeName {
			continue
		}
		addr, isServer := inRaft[member.Name]
		switch member.Status {
		case serf.StatusAlive:
			if rpcAddr := member.Tags[discovery.RPCAddrTag]; !isServer || addr != rpcAddr {
				errs = append(errs, handler.Join(member.Name, rpcAddr))
			}
		case serf.StatusLeft, serf.StatusFailed:
			if isServer {
				errs = append(errs, handler.Leave(member.Name))
			}
		}
	}
	return errors.Join(errs...)
}
