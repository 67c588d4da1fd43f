package server

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// GetServerer is what GetServers needs from a cluster: internal/log's
// *DistributedLog is one. It must be safe for concurrent use.
type GetServerer interface {
	// GetServers returns the cluster's servers as this server knows them,
	// with the leader marked, or an error if it cannot tell.
	GetServers() ([]*api.Server, error)
}

// GetServers implements api.LogServer: it answers with the cluster's
// servers from the Config's GetServerer, Unimplemented when there is none.
// An error of the GetServerer goes to the client as Unavailable: asking
// another server, or this one again, may succeed.
func (s *grpcServer) GetServers(ctx context.Context, req *api.GetServersRequest) (*api.GetServersResponse, error) {
	if s.servers == nil {
		return nil, status.Error(codes.Unimplemented, "this server is not part of a cluster")
	}
	servers, err := s.servers.GetServers()
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "get servers: %v", err)
	}
	return &api.GetServersResponse{Servers: servers}, nil
}
