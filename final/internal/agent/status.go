package agent

import (
	"net"
	"strconv"

	"github.com/hashicorp/raft"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/status"
)

var _ status.Source = (*Agent)(nil)

// Status implements status.Source: this agent's Raft role, indexes and
// log offsets, and the members as its Serf sees them, each marked a voter
// if Raft's configuration, as this agent knows it, says so. It shows no
// record. It returns an error once the agent is shutting down.
func (a *Agent) Status() (status.Node, error) {
	rs, err := a.log.Status()
	if err != nil {
		return status.Node{}, err
	}
	rpcAddr, err := a.RPCAddr()
	if err != nil {
		return status.Node{}, err
	}
	n := status.Node{
		ID:           a.NodeName,
		RPCAddr:      rpcAddr,
		HTTPAddr:     a.HTTPAddr,
		State:        rs.State,
		IsLeader:     rs.State == raft.Leader.String(),
		Leader:       status.Leader{ID: rs.LeaderID, Addr: rs.LeaderAddr},
		Term:         rs.Term,
		CommitIndex:  rs.CommitIndex,
		AppliedIndex: rs.AppliedIndex,
		LastLogIndex: rs.LastLogIndex,
		LowestOffset: rs.LowestOffset,
		NextOffset:   rs.NextOffset,
	}
	voters := make(map[string]bool, len(rs.Servers))
	for _, srv := range rs.Servers {
		voters[srv.ID] = srv.Voter
	}
	for _, m := range a.membership.Members() {
		n.Members = append(n.Members, status.Member{
			Name:     m.Name,
			Addr:     net.JoinHostPort(m.Addr.String(), strconv.Itoa(int(m.Port))),
			RPCAddr:  m.Tags[discovery.RPCAddrTag],
			HTTPAddr: m.Tags[HTTPAddrTag],
			Status:   m.Status.String(),
			Voter:    voters[m.Name],
		})
	}
	return n, nil
}
