package log

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Tuning of the Raft machinery around the consensus itself.
const (
	// applyTimeout bounds how long Append waits for Raft to take a command.
	applyTimeout = 10 * time.Second
	// transportTimeout bounds one Raft RPC's I/O, and transportPool is how
	// many idle connections per server the transport keeps.
	transportTimeout = 10 * time.Second
	transportPool    = 5
	// retainSnapshots is how many snapshots stay on disk.
	retainSnapshots = 1
	// leaderPoll is how often WaitForLeader looks.
	leaderPoll = 10 * time.Millisecond
	// bootstrapTimeout bounds how long a bootstrapping server waits to
	// lead its new cluster of one.
	bootstrapTimeout = 30 * time.Second
	// raftLogCache is how many of the latest entries Raft keeps in memory
	// in front of its log (raft.LogCache). The leader's replication reads
	// each entry back right after storing it; from the log, that read
	// waits for the lock that the next StoreLogs holds through its fsync,
	// so followers got batch N only once the leader had synced batch
	// N+1. From the cache it waits for nothing. At most this many entries
	// are held (a MaxAppendEntries' worth), each at most a message.
	raftLogCache = 64
)

// DistributedLog is a log replicated by Raft over a cluster of servers.
// Appends go to the leader, which replicates them; every server applies the
// committed records to its own [Log], from which Read reads. It is safe for
// concurrent use. Create one with [NewDistributedLog] and stop it with
// [DistributedLog.Close].
//
// # Durability
//
// An append is acknowledged once a majority of the servers hold it on
// disk: each server syncs Raft's log before it tells the leader it has the
// entries, one fsync per batch of entries Raft hands it (a group commit),
// whatever Config.SyncEvery says. Raft's log checksums every record. Raft's
// stable store (raft-boltdb) syncs every write, and its snapshots are
// synced before they count. The applied log is rebuilt from those when a
// server starts, so it is never synced.
//
// A server whose Raft log ends in a torn or damaged record (a crash in the
// middle of a write) drops that record when it starts, and gets it back
// from the leader. Damage anywhere else in Raft's log stops
// [NewDistributedLog] with an error wrapping [ErrCorrupt], a
// [*CorruptError] naming the file and the byte: the server must not serve
// or replicate records it cannot read; empty its data directory to have it
// join again from scratch.
//
// # Retention
//
// Config.Retention bounds the applied log, each server applying it on its
// own (see [Retention]); snapshots hold only the records retained, and
// Raft deletes its own entries once a snapshot holds them.
type DistributedLog struct {
	config  Config
	log     *Log      // the records, as the FSM applied them
	fsm     *fsm      // applies Raft's commands to log
	raftLog *logStore // Raft's own log of commands
	stable  *raftboltdb.BoltStore
	raft    *raft.Raft
}

// NewDistributedLog opens the distributed log in dataDir and starts its Raft
// on config.Raft.StreamLayer. With config.Raft.Bootstrap on a server that has
// no Raft state yet, it starts a new cluster of one and returns once this
// server leads it; other servers wait to be joined ([DistributedLog.Join]).
// A restarted server finds its cluster in dataDir and returns at once. If it returns an error, nothing it started
// is left running.
func NewDistributedLog(dataDir string, config Config) (*DistributedLog, error) {
	l := &DistributedLog{config: config}
	if err := l.setupLog(dataDir); err != nil {
		return nil, err
	}
	if err := l.setupRaft(dataDir); err != nil {
		err = fmt.Errorf("start raft: %w", err)
		if l.raft == nil && l.config.Raft.StreamLayer != nil {
			// Raft's transport closes the stream layer; without Raft,
			// nothing else would. A transport that Raft refused closed it
			// already.
			if cerr := l.config.Raft.StreamLayer.Close(); !errors.Is(cerr, net.ErrClosed) {
				err = errors.Join(err, cerr)
			}
		}
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

// setupLog opens the log the FSM applies to, in dataDir/log, empty: Raft
// applies every command after its latest snapshot again when it starts,
// so the log is rebuilt from the snapshot and Raft's log instead of kept,
// which would hold every record twice. For the same reason it never syncs,
// whatever Config.SyncEvery says: a crash loses nothing of it that Raft's
// log does not hold, and syncing it would cost one sync per record on top
// of Raft's one per batch of entries.
func (l *DistributedLog) setupLog(dataDir string) error {
	dir := filepath.Join(dataDir, "log")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear the applied log: %w", err)
	}
	applied := l.config
	applied.SyncEvery = 0
	var err error
	if l.log, err = NewLog(dir, applied); err != nil {
		return err
	}
	l.fsm = &fsm{log: l.log, maxProducers: l.config.MaxProducers}
	return nil
}

// setupRaft opens Raft's log, stable store and snapshots in dataDir/raft,
// and starts Raft.
func (l *DistributedLog) setupRaft(dataDir string) error {
	raftConfig, err := l.config.raftConfig()
	if err != nil {
		return err
	}
	dir := filepath.Join(dataDir, "raft")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if l.raftLog, err = newLogStore(filepath.Join(dir, "log"), l.config); err != nil {
		return err
	}
	// Raft reads its entries back when it starts, and panics on one it
	// cannot read: find damage first, and say where it is.
	if err := l.raftLog.log.check(); err != nil {
		return err
	}
	// The stable store holds the current term and this server's vote: a
	// server that forgot its vote in a crash could vote twice in one term.
	// NoSync stays off, so that bbolt syncs every write before it returns.
	if l.stable, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(dir, "stable"), NoSync: false}); err != nil {
		return err
	}
	// Raft's FileSnapshotStore syncs a snapshot's file, its metadata and
	// their directory before the snapshot counts.
	snapshots, err := raft.NewFileSnapshotStoreWithLogger(dir, retainSnapshots, raftConfig.Logger.Named("snapshots"))
	if err != nil {
		return err
	}
	transport := raft.NewNetworkTransportWithLogger(l.config.Raft.StreamLayer, transportPool, transportTimeout, raftConfig.Logger.Named("transport"))
	cached, err := raft.NewLogCache(raftLogCache, l.raftLog)
	if err != nil {
		return errors.Join(err, transport.Close())
	}
	if l.raft, err = raft.NewRaft(raftConfig, l.fsm, cached, l.stable, snapshots, transport); err != nil {
		return errors.Join(err, transport.Close())
	}
	if !l.config.Raft.Bootstrap {
		return nil
	}
	hasState, err := raft.HasExistingState(l.raftLog, l.stable, snapshots)
	if err != nil || hasState {
		return err // a restarted server finds its cluster in its state
	}
	addr, err := l.config.advertiseAddr()
	if err != nil {
		return err
	}
	err = l.raft.BootstrapCluster(raft.Configuration{
		Servers: []raft.Server{{ID: raftConfig.LocalID, Address: addr}},
	}).Error()
	if err != nil {
		return err
	}
	// A cluster of one elects its server at once. Wait for it, so that the
	// new cluster takes appends and joins as soon as NewDistributedLog
	// returns: a join asked of a cluster with no leader is refused.
	return l.WaitForLeader(bootstrapTimeout)
}

// Append replicates record and returns the offset every server gives it.
// Only the leader takes appends: elsewhere it returns a [*NotLeaderError]
// naming the leader, if known. An error may come after Raft committed the
// record (a timeout, a lost leadership); the record may then be in the log.
func (l *DistributedLog) Append(record *api.Record) (uint64, error) {
	return l.AppendFrom("", 0, record)
}

// AppendFrom is [DistributedLog.Append] made idempotent: record is the
// one with sequence of the producer producerID, and if the log has
// appended that one already (the producer is retrying after a lost answer
// or a leader change), it appends nothing and returns the offset of the
// first append. Sequences need not be consecutive nor arrive in order;
// the log remembers the latest [DedupWindow] of each producer, and returns
// an error wrapping [ErrSequenceTooOld] for one older than those, and
// [ErrProducerIDTooLong] for an ID longer than [MaxProducerIDBytes]. An
// empty producerID makes it Append. What the log remembers is replicated,
// kept in snapshots and rebuilt when Raft replays its log. It remembers
// Config.MaxProducers producers and forgets the least recently used: a
// retry from a producer it forgot is appended again.
func (l *DistributedLog) AppendFrom(producerID string, sequence uint64, record *api.Record) (uint64, error) {
	if len(producerID) > MaxProducerIDBytes {
		return 0, ErrProducerIDTooLong
	}
	res, err := l.apply(AppendRequestType, &api.ProduceRequest{Record: record, ProducerId: producerID, Sequence: sequence})
	if err != nil {
		return 0, err
	}
	return res.(*api.ProduceResponse).GetOffset(), nil
}

// apply replicates one command and returns what the FSM's Apply returned.
func (l *DistributedLog) apply(reqType RequestType, req proto.Message) (any, error) {
	cmd, err := proto.MarshalOptions{}.MarshalAppend([]byte{byte(reqType)}, req)
	if err != nil {
		return nil, fmt.Errorf("marshal command: %w", err)
	}
	future := l.raft.Apply(cmd, applyTimeout)
	if err := future.Error(); err != nil {
		// A leader that is handing over (see TransferLeadership) refuses
		// appends before they reach its log: for the client, that is a
		// server that is not the leader.
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) || errors.Is(err, raft.ErrLeadershipTransferInProgress) {
			addr, id := l.raft.LeaderWithID()
			return nil, &NotLeaderError{LeaderID: string(id), LeaderAddr: string(addr), Err: err}
		}
		return nil, err
	}
	res := future.Response()
	if err, ok := res.(error); ok {
		return nil, err
	}
	return res, nil
}

// Read returns the record at offset off from this server's log. A follower
// may not have applied the latest records yet: reads are fast but may lag.
// It returns [ErrOffsetOutOfRange] for an offset the log does not hold:
// past the end, or below [DistributedLog.LowestOffset] once retention
// dropped it.
func (l *DistributedLog) Read(off uint64) (*api.Record, error) {
	return l.log.Read(off)
}

// ReadBatch returns consecutive records from offset off on from this
// server's log, as [Log.ReadBatch] does; like Read, it may lag on a
// follower.
func (l *DistributedLog) ReadBatch(off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	return l.log.ReadBatch(off, maxRecords, maxValueBytes)
}

// ReadBatchEncoded hands the records [DistributedLog.ReadBatch] would
// return to each in their protobuf encoding, as [Log.ReadBatchEncoded]
// does; like Read, it may lag on a follower.
func (l *DistributedLog) ReadBatchEncoded(off uint64, maxRecords, maxValueBytes int, each func(encoded []byte)) (int, error) {
	return l.log.ReadBatchEncoded(off, maxRecords, maxValueBytes, each)
}

// LowestOffset returns the offset of the first record this server holds.
// It rises as Config.Retention drops old segments, and may differ a little
// between servers (see [Retention]).
func (l *DistributedLog) LowestOffset() (uint64, error) {
	return l.log.LowestOffset()
}

// NextAppend returns a channel that is closed when the next record is
// applied to this server's log, whether it came through this server or
// through Raft from the leader. Take it before reading, not after.
func (l *DistributedLog) NextAppend() <-chan struct{} {
	return l.fsm.appended.wait()
}

// Join adds the server id, whose Raft listens at addr, to the cluster as a
// voter. Only the leader can: elsewhere it returns raft.ErrNotLeader. It is
// idempotent: joining a member again with the same address does nothing,
// and with another address (the server moved) replaces the old one.
func (l *DistributedLog) Join(id, addr string) error {
	configFuture := l.raft.GetConfiguration()
	if err := configFuture.Error(); err != nil {
		return err
	}
	serverID, serverAddr := raft.ServerID(id), raft.ServerAddress(addr)
	for _, srv := range configFuture.Configuration().Servers {
		if srv.ID == serverID && srv.Address == serverAddr {
			return nil // already a member
		}
		if srv.ID == serverID || srv.Address == serverAddr {
			// A stale entry: the server moved, or another took its address.
			if err := l.raft.RemoveServer(srv.ID, 0, 0).Error(); err != nil {
				return fmt.Errorf("remove stale server %s at %s: %w", srv.ID, srv.Address, err)
			}
		}
	}
	return l.raft.AddVoter(serverID, serverAddr, 0, 0).Error()
}

// Leave removes the server id from the cluster. Only the leader can:
// elsewhere it returns raft.ErrNotLeader.
func (l *DistributedLog) Leave(id string) error {
	return l.raft.RemoveServer(raft.ServerID(id), 0, 0).Error()
}

// WaitForLeader waits until the cluster has a leader, as this server sees
// it, and returns an error after timeout.
func (l *DistributedLog) WaitForLeader(timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(leaderPoll)
	defer poll.Stop()
	for {
		if addr, _ := l.raft.LeaderWithID(); addr != "" {
			return nil
		}
		select {
		case <-deadline.C:
			return fmt.Errorf("no leader after %s", timeout)
		case <-poll.C:
		}
	}
}

// Close shuts Raft down and closes the logs and the stable store. The
// stream layer is closed with Raft's transport. The log cannot be used
// afterwards.
func (l *DistributedLog) Close() error {
	var errs []error
	if l.raft != nil {
		errs = append(errs, l.raft.Shutdown().Error())
	}
	if l.stable != nil {
		errs = append(errs, l.stable.Close())
	}
	if l.raftLog != nil {
		errs = append(errs, l.raftLog.Close())
	}
	if l.log != nil {
		errs = append(errs, l.log.Close())
	}
	return errors.Join(errs...)
}
