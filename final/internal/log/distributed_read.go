package log

import (
	"errors"

	"github.com/hashicorp/raft"
)

// WaitLinearizable returns nil once a read of this server's log sees every
// record whose append was acknowledged before the call: only on the
// leader, and only after it has confirmed that it still leads. Elsewhere,
// or when the leadership is lost meanwhile, it returns a [*NotLeaderError]
// whose Err is raft.ErrNotLeader (a read changes nothing, so there is no
// "may be in the log" to report). A read that follows a nil return, with
// [DistributedLog.Read], is linearizable.
//
// It commits a Raft barrier and waits until this server has applied it.
// Committing an entry proves that a majority still follows this leader,
// so no newer leader can have acknowledged appends this server has not
// seen; and applying it means every entry before it, all acknowledged
// appends included, is in the log Read reads. The cost is one Raft entry
// per call: a write to every server's Raft log (with a sync when the log
// syncs) and one replication round trip, shared with whatever else the
// leader sends in the same round. The cheaper read index (raft's
// VerifyLeader, which only exchanges heartbeats, then waiting for the
// commit index to be applied) is correct only once a leader has committed
// an entry of its own term (Raft paper §6.4, §8), which hashicorp/raft
// does not tell: a new leader's commit index can still miss appends its
// predecessor acknowledged. The barrier has no such gap.
func (l *DistributedLog) WaitLinearizable() error {
	err := l.raft.Barrier(applyTimeout).Error()
	if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
		addr, id := l.raft.LeaderWithID()
		return &NotLeaderError{LeaderID: string(id), LeaderAddr: string(addr), Err: raft.ErrNotLeader}
	}
	return err
}
