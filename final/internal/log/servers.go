package log

import (
	"fmt"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// GetServers returns the servers of the cluster's Raft configuration, as
// this server knows it, each with the address its Raft and gRPC share, and
// the one this server believes is the leader marked. During an election no
// server is marked. Any server can answer: followers know the
// configuration and the leader too.
func (l *DistributedLog) GetServers() ([]*api.Server, error) {
	future := l.raft.GetConfiguration()
	if err := future.Error(); err != nil {
		return nil, fmt.Errorf("raft configuration: %w", err)
	}
	// Compare IDs, not addresses: a server's ID names it for good, while
	// its address may be written in more than one way.
	_, leaderID := l.raft.LeaderWithID()
	var servers []*api.Server
	for _, srv := range future.Configuration().Servers {
		servers = append(servers, &api.Server{
			Id:       string(srv.ID),
			RpcAddr:  string(srv.Address),
			IsLeader: srv.ID == leaderID,
		})
	}
	return servers, nil
}
