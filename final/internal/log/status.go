package log

import (
	"fmt"

	"github.com/hashicorp/raft"
)

// RaftStatus is what a server's Raft and log look like at one moment, for
// operators: its role, the leader it follows, how far its Raft log and its
// applied log have come, and the servers of the configuration it knows. It
// holds no record.
type RaftStatus struct {
	// State is Raft's role for this server: "Leader", "Follower",
	// "Candidate" or "Shutdown".
	State string
	// LeaderID and LeaderAddr name the leader this server knows of; both
	// are empty during an election.
	LeaderID, LeaderAddr string
	// Term is the Raft term this server is in.
	Term uint64
	// CommitIndex is the index of the last Raft entry this server knows to
	// be committed; AppliedIndex is the last one it applied to its log, and
	// LastLogIndex the last one in its Raft log, committed or not.
	CommitIndex, AppliedIndex, LastLogIndex uint64
	// LowestOffset is the offset of the first record this server's log
	// holds, and NextOffset the offset its next record will get: the log
	// holds NextOffset-LowestOffset records.
	LowestOffset, NextOffset uint64
	// Servers are the servers of the Raft configuration as this server
	// knows it, in its order.
	Servers []RaftServer
}

// RaftServer is one server of a Raft configuration.
type RaftServer struct {
	// ID names the server; Address is where its Raft listens.
	ID, Address string
	// Voter says whether it votes and counts for the majority (rather than
	// only receiving the log).
	Voter bool
}

// Status returns this server's [RaftStatus]. Any server can answer, and
// it does not wait on the leader. The figures are read one after another,
// not at one instant: on a busy server, AppliedIndex may be a little
// ahead of the CommitIndex read before it. It returns an error once the
// log is closed.
func (l *DistributedLog) Status() (RaftStatus, error) {
	future := l.raft.GetConfiguration()
	if err := future.Error(); err != nil {
		return RaftStatus{}, fmt.Errorf("status: raft configuration: %w", err)
	}
	leaderAddr, leaderID := l.raft.LeaderWithID()
	s := RaftStatus{
		State:        l.raft.State().String(),
		LeaderID:     string(leaderID),
		LeaderAddr:   string(leaderAddr),
		Term:         l.raft.CurrentTerm(),
		CommitIndex:  l.raft.CommitIndex(),
		AppliedIndex: l.raft.AppliedIndex(),
		LastLogIndex: l.raft.LastIndex(),
	}
	for _, srv := range future.Configuration().Servers {
		s.Servers = append(s.Servers, RaftServer{
			ID:      string(srv.ID),
			Address: string(srv.Address),
			Voter:   srv.Suffrage == raft.Voter,
		})
	}
	var err error
	if s.LowestOffset, err = l.log.LowestOffset(); err != nil {
		return RaftStatus{}, fmt.Errorf("status: %w", err)
	}
	if s.NextOffset, err = l.log.NextOffset(); err != nil {
		return RaftStatus{}, fmt.Errorf("status: %w", err)
	}
	return s, nil
}

// NextOffset returns the offset the next record appended will get: one
// past the last record's, or the log's lowest offset when it holds no
// record. Unlike [Log.HighestOffset], it tells an empty log from a log of
// one record. It returns [ErrClosed] once the log is closed.
func (l *Log) NextOffset() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	return l.activeSegment.nextOffset, nil
}
