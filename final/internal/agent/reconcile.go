package agent

import (
	"errors"
	"time"

	"github.com/hashicorp/raft"
	"github.com/hashicorp/serf/serf"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// reconcileInterval is how often the leader compares Raft's configuration
// with Serf's members when nothing prompts it. Leader changes prompt it at
// once; the interval catches a change that failed (a timeout on a loaded
// machine) and was not asked again.
const reconcileInterval = 10 * time.Second

// reconciler makes Raft's configuration follow Serf's members, on the
// leader. Serf tells every agent of a join or a leave once, and
// raftMembers acts on it only on the agent that leads at that moment: a
// join that arrives while there is no leader (an election, a restart) is
// refused with raft.ErrNotLeader and would be lost. The reconciler does
// not rely on the events: whenever this agent becomes leader, and every
// reconcileInterval while it leads, it adds every alive member missing
// from Raft's configuration and removes every member that left or failed.
type reconciler struct {
	log     *log.DistributedLog
	members func() []serf.Member // Serf's members, this agent included
	local   string               // this agent's name, never removed
	logger  *zap.Logger
	stop    chan struct{} // closed by close to end run
	done    chan struct{} // closed when run returns
}

// startReconciler starts reconciling l with members until close.
func startReconciler(l *log.DistributedLog, members func() []serf.Member, local string, logger *zap.Logger) *reconciler {
	r := &reconciler{
		log:     l,
		members: members,
		local:   local,
		logger:  logger.Named("reconcile"),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go r.run()
	return r
}

// run reconciles at once (a bootstrapped agent leads already), on every
// leader change, and every reconcileInterval, until close.
func (r *reconciler) run() {
	defer close(r.done)
	changes, stopObserving := r.log.LeaderChanges()
	defer stopObserving()
	ticker := time.NewTicker(reconcileInterval)
	defer ticker.Stop()
	for {
		r.reconcile()
		select {
		case <-changes:
		case <-ticker.C:
		case <-r.stop:
			return
		}
	}
}

// reconcile makes Raft's configuration match Serf's members, if this agent
// leads. A member Serf does not know is left alone: Serf may not have
// heard of it yet, as after a restart.
func (r *reconciler) reconcile() {
	if !r.log.IsLeader() {
		return
	}
	servers, err := r.log.GetServers()
	if err != nil {
		r.logger.Warn("read raft's configuration", zap.Error(err))
		return
	}
	inRaft := make(map[string]string, len(servers)) // address by ID
	for _, s := range servers {
		inRaft[s.GetId()] = s.GetRpcAddr()
	}
	for _, member := range r.members() {
		addr, ours := member.Tags[discovery.RPCAddrTag]
		if member.Name == r.local || !ours {
			continue
		}
		raftAddr, known := inRaft[member.Name]
		var err error
		switch member.Status {
		case serf.StatusAlive:
			if raftAddr != addr {
				r.logger.Info("adding a member raft missed", zap.String("member", member.Name), zap.String("addr", addr))
				err = r.log.Join(member.Name, addr)
			}
		case serf.StatusLeft, serf.StatusFailed:
			if known {
				r.logger.Info("removing a member that is gone", zap.String("member", member.Name), zap.Stringer("status", member.Status))
				err = r.log.Leave(member.Name)
			}
		}
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
			return // the next leader reconciles
		}
		if err != nil {
			r.logger.Warn("reconcile member", zap.String("member", member.Name), zap.Error(err))
		}
	}
}

// close stops the reconciler and waits for a reconciliation in progress.
func (r *reconciler) close() {
	close(r.stop)
	<-r.done
}
