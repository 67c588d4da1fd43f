package log

import (
	"fmt"

	"github.com/hashicorp/raft"
)

// Config configures a [Log]. The zero value is ready to use: [NewLog] fills
// every zero size with its default, then checks the result.
//
// A [DistributedLog] reads Raft too; a Log ignores it.
type Config struct {
	// Raft configures the consensus of a [DistributedLog] (chapter 8).
	Raft struct {
		// Config is hashicorp/raft's configuration. LocalID is required;
		// every zero timeout or threshold takes raft.DefaultConfig's value.
		// A nil Logger discards Raft's logs; [NewRaftLogger] sends them to
		// a zap logger.
		raft.Config
		// StreamLayer carries Raft's connections between the servers.
		// Required.
		StreamLayer *StreamLayer
		// Bootstrap starts a new cluster with this server as its only
		// voter. Set it on the first server only, and only the first time.
		Bootstrap bool
		// BindAddr is the address the other servers reach this one's
		// Raft at; a bootstrapping server advertises it. Empty means the
		// stream layer's listening address, which must then be routable
		// (not 0.0.0.0 or ::).
		BindAddr string
	}
	// Segment bounds the size of each segment and says where a new log
	// starts.
	Segment struct {
		// MaxStoreBytes is the size in bytes at which a segment's store is
		// full. The record that reaches it is written whole, so a store can
		// exceed it by one record. Default 16 MiB.
		MaxStoreBytes uint64
		// MaxIndexBytes is the size in bytes of a segment's index file while
		// the segment is open. The index holds MaxIndexBytes/12 entries,
		// rounded down, one per record: a size that is not a multiple of 12
		// wastes the remainder and loses nothing. At least 12, at most
		// 12·2^32 (offsets in the index are 32 bits). Default 1.5 MiB, that
		// is 131072 entries.
		MaxIndexBytes uint64
		// InitialOffset is the offset of the first record of a log that has
		// none yet, or of a log after [Log.Reset]. Default 0.
		InitialOffset uint64
		// Checksum, when true, stores a CRC-32C with every record and checks
		// it when the record is read and when a segment is recovered after a
		// crash. It is part of the on-disk format: the log
		// records it in log.json, and [NewLog] refuses to open a directory
		// written with the other value ([ErrConfigMismatch]).
		Checksum bool
	}
	// SyncEvery is how many appends may go by between two syncs of the
	// active segment's store; a sync writes the store's
	// buffer to the file and fsyncs it. 1 syncs before every Append returns:
	// an acknowledged record survives the process dying and the power
	// failing. N > 1 can lose the last N-1 acknowledged records. 0 never
	// syncs on append: records wait in a buffer, then in the operating
	// system, so a crash can lose any number of recent ones. When the log
	// rolls over to a new segment it writes the full one out, and syncs it
	// if appends are waiting, so that a crash does not lose records before
	// one that survives; with 0, a power failure still can, and [NewLog]
	// then reports the hole as [ErrCorrupt].
	//
	// A [DistributedLog] ignores SyncEvery: Raft's log syncs before every
	// acknowledgement, and the log its records are applied to, rebuilt
	// from Raft's when it starts, never needs to.
	SyncEvery uint64
	// Retention bounds how much of its history the log keeps, by dropping
	// its oldest segments. The zero value keeps everything.
	Retention Retention
	// MaxProducers is how many producers a [DistributedLog] remembers for
	// idempotent produce; past it, it forgets the least recently used (see
	// [DistributedLog.AppendFrom]). Every server of a cluster must have
	// the same value: they must forget the same producers. Zero means
	// [DefaultMaxProducers]. A Log ignores it.
	MaxProducers int
}

// Defaults for the zero fields of a Config.
const (
	defaultMaxStoreBytes = 16 << 20
	defaultMaxIndexBytes = entWidth << 17
)

// maxIndexBytes is the largest index whose relative offsets fit in offWidth
// bytes.
const maxIndexBytes = entWidth << (8 * offWidth)

// withDefaults returns c with every zero size replaced by its default.
func (c Config) withDefaults() Config {
	if c.Segment.MaxStoreBytes == 0 {
		c.Segment.MaxStoreBytes = defaultMaxStoreBytes
	}
	if c.Segment.MaxIndexBytes == 0 {
		c.Segment.MaxIndexBytes = defaultMaxIndexBytes
	}
	return c
}

// validate reports the first field of c that is out of bounds, naming the
// field and the bound.
func (c Config) validate() error {
	if c.Segment.MaxIndexBytes < entWidth {
		return fmt.Errorf("Segment.MaxIndexBytes (%d) must hold at least one %d-byte index entry", c.Segment.MaxIndexBytes, entWidth)
	}
	if c.Segment.MaxIndexBytes > maxIndexBytes {
		return fmt.Errorf("Segment.MaxIndexBytes (%d) must be at most %d: index entries hold offsets in %d bytes", c.Segment.MaxIndexBytes, uint64(maxIndexBytes), offWidth)
	}
	if c.Retention.MaxAge < 0 {
		return fmt.Errorf("Retention.MaxAge (%s) must not be negative: 0 keeps segments of any age", c.Retention.MaxAge)
	}
	return nil
}
