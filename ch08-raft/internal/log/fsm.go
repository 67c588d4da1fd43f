package log

import (
	"github.com/hashicorp/raft"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/exercise"
)

// RequestType is the first byte of every command in Raft's log: it says
// what the rest of the command is, so that commands other than appends can
// be added later without breaking the log's format.
type RequestType uint8

const (
	// AppendRequestType starts a command that appends a record: the rest of
	// the command is an api.ProduceRequest in protobuf.
	AppendRequestType RequestType = 0
)

var _ raft.FSM = (*fsm)(nil)

// fsm is the finite-state machine Raft replicates: a [Log] holding the
// records the clients produced. Raft calls Apply with each committed command,
// in log order, on every server, so every server's log ends up the same.
// Raft never calls Apply, Snapshot and Restore at the same time.
type fsm struct {
	log      *Log
	appended notifier // woken after every Apply and Restore
}

// Apply implements raft.FSM: it carries out one committed command. For an
// append it returns the *api.ProduceResponse with the record's offset, and
// an error for a command it cannot read or carry out. It wakes the waiters
// of [DistributedLog.NextAppend] either way.
func (f *fsm) Apply(entry *raft.Log) any {
	//exercise:8.1 begin: see README.md#81-the-fsm
	return exercise.NotDone("8.1")
	//exercise:8.1 end
}
