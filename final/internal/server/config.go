package server

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// The defaults of the Config limits. Each open ConsumeStream whose client
// does not read holds up to about three messages on the server (the one
// gRPC has queued for the client, the one a blocked Send has encoded, and
// the records of the message itself), so with records of up to
// MaxMessageBytes the defaults bound what unread streams of one record per
// message can hold to about 3 × 32 MiB = 96 MiB. Streams of batched
// messages (max_batch) hold up to MaxStreamBatchBytes more per message:
// about 3 × 32 × 1.25 MiB = 120 MiB.
const (
	// DefaultMaxConsumeStreams is Config.MaxConsumeStreams when it is zero.
	DefaultMaxConsumeStreams = 32
	// DefaultMaxConsumeStreamsPerConn is Config.MaxConsumeStreamsPerConn
	// when it is zero.
	DefaultMaxConsumeStreamsPerConn = 8
	// DefaultHandshakeTimeout is Config.HandshakeTimeout when it is zero:
	// ample for a TLS and HTTP/2 handshake across a continent, and 12 times
	// shorter than gRPC's own default of 120 s.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultKeepaliveMinTime is Config.KeepaliveMinTime when it is zero.
	// gRPC clients never ping more often than every 10 s, so a well-behaved
	// client is never refused.
	DefaultKeepaliveMinTime = 5 * time.Second
)

// Config configures the server [NewGRPCServer] makes. CommitLog and
// Authorizer are required; the zero value of every other field means its
// default.
type Config struct {
	// CommitLog is the log the server serves. Required.
	CommitLog CommitLog
	// Authorizer decides which client may call which method. Required:
	// there is no default that allows everyone.
	Authorizer Authorizer
	// GetServerer tells GetServers the cluster's servers. Optional: without
	// it, GetServers answers Unimplemented (a server of one log that is not
	// part of a cluster).
	GetServerer GetServerer
	// MaxConsumeStreams is how many ConsumeStreams the server serves at
	// once, over all its connections. A stream opened beyond it ends at
	// once with code ResourceExhausted. Zero means
	// DefaultMaxConsumeStreams.
	MaxConsumeStreams int
	// MaxConsumeStreamsPerConn is how many ConsumeStreams one client
	// connection may have open at once, so that one client cannot take
	// every slot of MaxConsumeStreams. A stream opened beyond it ends at
	// once with code ResourceExhausted. Zero means
	// DefaultMaxConsumeStreamsPerConn.
	MaxConsumeStreamsPerConn int
	// HandshakeTimeout bounds how long a new connection may take to finish
	// its TLS and HTTP/2 handshakes; the server closes one that takes
	// longer, so that clients that connect and send nothing (or stop
	// half-way) hold no goroutine and no file descriptor for long. Zero
	// means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// KeepaliveMinTime is the shortest interval at which the server lets a
	// client ping it, with or without calls open. A client that pings more
	// often is sent GOAWAY ("too_many_pings") and its connection closed,
	// so that pings cannot be used to keep the server busy. Zero means
	// DefaultKeepaliveMinTime.
	KeepaliveMinTime time.Duration
	// KeepaliveTime is how long a connection may stay silent before the
	// server pings the client, and KeepaliveTimeout how long it then waits
	// for the answer before it closes the connection. Zero means the
	// constants KeepaliveTime and KeepaliveTimeout.
	KeepaliveTime    time.Duration
	KeepaliveTimeout time.Duration

	// Logger receives one line per call (see logging.go), and what the
	// server does not tell its clients: the full error behind a failed read
	// or append, file paths included (see errors.go). Nil means
	// zap.NewNop(): nothing is logged.
	Logger *zap.Logger
	// TracerProvider makes a span for every call. Nil means a no-op
	// provider: no spans. The global otel.GetTracerProvider() is never used.
	TracerProvider trace.TracerProvider
	// MeterProvider records gRPC's metrics for every call and the service's
	// own (see metrics.go). Nil means a no-op provider: no metrics. The
	// global otel.GetMeterProvider() is never used.
	MeterProvider metric.MeterProvider
}

// validate reports a Config the server cannot run with.
func (c *Config) validate() error {
	switch {
	case c == nil || c.CommitLog == nil:
		return errors.New("Config.CommitLog is nil: the server needs a log to serve")
	case c.MaxConsumeStreams < 0:
		return fmt.Errorf("Config.MaxConsumeStreams (%d) must not be negative", c.MaxConsumeStreams)
	case c.MaxConsumeStreamsPerConn < 0:
		return fmt.Errorf("Config.MaxConsumeStreamsPerConn (%d) must not be negative", c.MaxConsumeStreamsPerConn)
	case c.HandshakeTimeout < 0:
		return fmt.Errorf("Config.HandshakeTimeout (%s) must not be negative", c.HandshakeTimeout)
	case c.KeepaliveMinTime < 0:
		return fmt.Errorf("Config.KeepaliveMinTime (%s) must not be negative", c.KeepaliveMinTime)
	case c.KeepaliveTime < 0 || c.KeepaliveTimeout < 0:
		return fmt.Errorf("Config.KeepaliveTime (%s) and Config.KeepaliveTimeout (%s) must not be negative", c.KeepaliveTime, c.KeepaliveTimeout)
	case c.Authorizer == nil:
		return errors.New("Config.Authorizer is nil: the server refuses to run without an ACL")
	}
	return nil
}

// withDefaults returns a copy of c whose zero limits take their defaults
// and whose nil Logger, TracerProvider and MeterProvider are replaced by
// ones that discard everything. c itself is left as the caller made it.
func (c *Config) withDefaults() *Config {
	filled := *c
	if filled.MaxConsumeStreams == 0 {
		filled.MaxConsumeStreams = DefaultMaxConsumeStreams
	}
	if filled.MaxConsumeStreamsPerConn == 0 {
		filled.MaxConsumeStreamsPerConn = DefaultMaxConsumeStreamsPerConn
	}
	if filled.HandshakeTimeout == 0 {
		filled.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if filled.KeepaliveMinTime == 0 {
		filled.KeepaliveMinTime = DefaultKeepaliveMinTime
	}
	if filled.KeepaliveTime == 0 {
		filled.KeepaliveTime = KeepaliveTime
	}
	if filled.KeepaliveTimeout == 0 {
		filled.KeepaliveTimeout = KeepaliveTimeout
	}
	if filled.Logger == nil {
		filled.Logger = zap.NewNop()
	}
	if filled.TracerProvider == nil {
		filled.TracerProvider = tracenoop.NewTracerProvider()
	}
	if filled.MeterProvider == nil {
		filled.MeterProvider = metricnoop.NewMeterProvider()
	}
	return &filled
}

// CommitLog is what the server needs from a log. internal/log's *Log is
// one. The server calls it from many goroutines at once, so an
// implementation must be safe for concurrent use.
type CommitLog interface {
	// Append adds record at the end of the log and returns its offset. It
	// may set record.Offset: the server hands it a copy of the client's.
	Append(record *api.Record) (uint64, error)
	// Read returns the record at offset, or an error that is (or wraps)
	// api.ErrOffsetOutOfRange when the log does not hold that offset.
	Read(offset uint64) (*api.Record, error)
}

// ProducerLog is a CommitLog that makes produce idempotent: it appends a
// producer's record with a given sequence at most once. internal/log's
// DistributedLog is one. The server uses it for requests with a
// producer_id; with a CommitLog that is not one, such requests end with
// code Unimplemented.
type ProducerLog interface {
	// AppendFrom appends record as producerID's record with sequence and
	// returns its offset, or, if that one was appended already, appends
	// nothing and returns the offset of the first append.
	AppendFrom(producerID string, sequence uint64, record *api.Record) (uint64, error)
}

// appendFrom appends through l's AppendFrom, if l is a [ProducerLog].
func appendFrom(l CommitLog, producerID string, sequence uint64, record *api.Record) (uint64, error) {
	p, ok := l.(ProducerLog)
	if !ok {
		return 0, errNoProducers
	}
	return p.AppendFrom(producerID, sequence, record)
}

// BatchReader is a CommitLog that reads consecutive records in one call,
// more cheaply than one Read each. internal/log's Log and DistributedLog
// are. ConsumeStream uses it when the log is one but not an
// [EncodedBatchReader], and Read when it is neither.
type BatchReader interface {
	// ReadBatch returns the records from offset off on that the log holds
	// now: at least one, at most maxRecords, stopping after the record
	// whose value brings the values to maxValueBytes or more. When it
	// cannot return one it returns the error Read would for off.
	ReadBatch(off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error)
}

// EncodedBatchReader is a CommitLog that hands consecutive records over in
// their protobuf encoding, as it stores them, after checking them as a
// read does: ConsumeStream writes them into its messages as they are,
// rather than decoding each record and encoding it again. internal/log's
// Log and DistributedLog are. ConsumeStream reads with [BatchReader], or
// Read, from a log that is not, and encodes the records itself.
type EncodedBatchReader interface {
	// ReadBatchEncoded hands each the records ReadBatch would return, in
	// order, each in its encoding (api.Record's wire format), and returns
	// how many: at least one, or the error Read would return for off.
	// encoded is valid only until each returns, and each must not call
	// the log.
	ReadBatchEncoded(off uint64, maxRecords, maxValueBytes int, each func(encoded []byte)) (int, error)
}

// Authorizer is what the server needs from an ACL. internal/auth's
// *Authorizer is one. It must be safe for concurrent use.
type Authorizer interface {
	// Authorize returns nil if subject may perform action on object. The
	// error it returns otherwise goes to the client as it is, so it should
	// be a status with code PermissionDenied.
	Authorize(subject, object, action string) error
}
