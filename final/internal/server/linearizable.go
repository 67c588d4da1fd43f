package server

import (
	"errors"

	"github.com/hashicorp/raft"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/proglog-workshop/proglog/final/internal/log"
)

// LinearizableLog is a CommitLog that can make a read linearizable:
// internal/log's DistributedLog is one. The server uses it for
// ConsumeRequests with linearizable set; with a CommitLog that is not
// one, they end with code Unimplemented rather than with a read that only
// looks linearizable.
type LinearizableLog interface {
	// WaitLinearizable returns nil once a read of the log sees every
	// record whose append was acknowledged before the call, and a
	// *log.NotLeaderError on a server that cannot promise it because it
	// does not lead.
	WaitLinearizable() error
}

// errNoLinearizableReads is what a linearizable read ends with on a server
// whose log cannot confirm one ([LinearizableLog]).
var errNoLinearizableReads = status.Error(codes.Unimplemented, "this server's log cannot confirm a linearizable read: send linearizable false")

// waitLinearizable returns nil once the server may answer a linearizable
// read from its log, or the status the call ends with: [notLeaderStatus]
// on a server that is not the leader, so that the client retries on the
// leader; [errShuttingDown]; or Internal.
func (s *grpcServer) waitLinearizable() error {
	l, ok := underlying(s.log.CommitLog).(LinearizableLog)
	if !ok {
		return errNoLinearizableReads
	}
	err := l.WaitLinearizable()
	var notLeader *log.NotLeaderError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notLeader):
		return notLeaderStatus(notLeader)
	case errors.Is(err, raft.ErrRaftShutdown), errors.Is(err, log.ErrClosed):
		return errShuttingDown
	}
	s.logger.Error("linearizable read check failed", zap.Error(err))
	return status.Error(codes.Internal, "the server could not confirm a linearizable read")
}
