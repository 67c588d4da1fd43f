package server

import (
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// readError turns an error from CommitLog.Read of offset into the error
// the call ends with. A client learns what it can act on, and nothing of
// the server's disk: api.ErrOffsetOutOfRange goes as it is (code
// OutOfRange), unless the offset is below the log's lowest, which gets
// [notRetainedStatus] (OutOfRange too, naming the lowest); a closed log (log.ErrClosed) becomes [errShuttingDown];
// damaged bytes (log.ErrCorrupt) become DataLoss naming the offset;
// anything else becomes Internal. The full error, with the file
// paths the log puts in it, goes to the server's logger only.
func (s *grpcServer) readError(offset uint64, err error) error {
	var outOfRange api.ErrOffsetOutOfRange
	if errors.As(err, &outOfRange) {
		if lowest, ok := s.lowestOffset(); ok && offset < lowest {
			return notRetainedStatus(offset, lowest)
		}
		return err
	}
	if errors.Is(err, log.ErrClosed) {
		return errShuttingDown
	}
	s.logger.Error("read failed", zap.Uint64("offset", offset), zap.Error(err))
	if errors.Is(err, log.ErrCorrupt) {
		return status.Errorf(codes.DataLoss, "the record at offset %d is damaged on the server", offset)
	}
	return status.Errorf(codes.Internal, "the server could not read offset %d", offset)
}

// appendError turns an error from CommitLog.Append into the error the call
// ends with: [errShuttingDown] for a closed log (log.ErrClosed),
// [notLeaderStatus] for a server that is not the leader
// ([*log.NotLeaderError]), otherwise code Internal, without the log's words,
// which go to the server's logger.
func (s *grpcServer) appendError(err error) error {
	if errors.Is(err, log.ErrClosed) {
		return errShuttingDown
	}
	var notLeader *log.NotLeaderError
	if errors.As(err, &notLeader) {
		return notLeaderStatus(notLeader)
	}
	switch {
	case errors.Is(err, errNoProducers), errors.Is(err, errNoBatches):
		return err
	case errors.Is(err, log.ErrBatchEmpty), errors.Is(err, log.ErrBatchTooLarge):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, log.ErrSequenceTooOld):
		return status.Errorf(codes.FailedPrecondition, "%v: the record may be in the log already; send it with a new sequence only if a duplicate is acceptable", err)
	case errors.Is(err, log.ErrProducerIDTooLong):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	s.logger.Error("append failed", zap.Error(err))
	return status.Error(codes.Internal, "the server could not append the record")
}

// errNoProducers is what a produce with a producer_id ends with on a
// server whose log cannot deduplicate ([ProducerLog]): appending without
// it would break the promise the client relies on.
var errNoProducers = status.Error(codes.Unimplemented, "this server's log does not support idempotent produce: send no producer_id")

// errShuttingDown is what a call that reaches a closed log ends with. A
// server closes its log when it shuts down, and a call can still arrive
// then: Unavailable tells the client that the call may work if it tries
// again, later or on another server. It is not logged as a failure: nothing
// went wrong.
var errShuttingDown = status.Error(codes.Unavailable, "the server is shutting down")

// ErrorInfo of a produce that reached a server that is not the leader: the
// Reason a client can switch on, and the Metadata keys that name the
// leader when the server knows it.
const (
	errorDomain          = "proglog"
	reasonNotLeader      = "NOT_LEADER"
	reasonLeadershipLost = "LEADERSHIP_LOST"
	metadataLeaderID     = "leader_id"
	metadataLeaderAddr   = "leader_addr"
)

// notLeaderStatus is what a produce that reached a server that is not the
// leader ends with: code Unavailable, so that a client retries on the code
// (not on the message), after finding the leader again; a message naming
// the leader, if known; and an ErrorInfo detail with the reason and the
// leader's ID and address for a client that wants to go there directly.
// A lost leadership (the append was under way when the server stopped
// leading) has its own reason: the record may be committed, so only a
// produce the log can recognise again is safe to retry.
func notLeaderStatus(e *log.NotLeaderError) error {
	reason, msg := reasonNotLeader, "this server is not the leader"
	if errors.Is(e.Err, raft.ErrLeadershipLost) {
		reason, msg = reasonLeadershipLost, "this server lost the leadership while appending: the record may be in the log"
	}
	info := &errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}
	if e.LeaderID == "" {
		msg += "; no leader is known yet (an election may be under way)"
	} else {
		msg += fmt.Sprintf("; the leader is %s at %s", e.LeaderID, e.LeaderAddr)
		info.Metadata = map[string]string{metadataLeaderID: e.LeaderID, metadataLeaderAddr: e.LeaderAddr}
	}
	st := status.New(codes.Unavailable, msg)
	withInfo, err := st.WithDetails(info)
	if err != nil {
		// WithDetails fails only if the detail cannot be marshalled, which
		// an ErrorInfo always can: the code and message still say it all.
		return st.Err()
	}
	return withInfo.Err()
}
