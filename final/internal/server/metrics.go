package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/metric"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// meterName is the name of the server's instruments' meter. OpenTelemetry
// names a meter after the package that records with it; Prometheus shows
// it as the label otel_scope_name.
const meterName = "github.com/proglog-workshop/proglog/final/internal/server"

// The server's own instruments, as OpenTelemetry names them. The call
// metrics (rpc.server.call.duration: how many calls, how long, with which
// code) come from the interceptors of telemetry.go; these say what the
// calls did to the log. Prometheus sees them with dots turned into underscores and the unit
// and _total added: proglog_produce_records_total,
// proglog_produce_size_bytes_total, proglog_produce_duration_seconds,
// proglog_consume_records_total.
const (
	producedRecordsName = "proglog.produce.records"
	producedBytesName   = "proglog.produce.size"
	produceDurationName = "proglog.produce.duration"
	consumedRecordsName = "proglog.consume.records"
)

// produceDurationBuckets are the upper bounds, in seconds, of the
// produce-duration histogram's buckets: from 10µs (an append to the page
// cache) to 1s (a disk in trouble). OpenTelemetry's default bounds
// (0, 5, 10, …, 10000) are meant for milliseconds and would put every
// append in the first bucket.
var produceDurationBuckets = []float64{
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
}

var _ CommitLog = (*meteredLog)(nil)

// meteredLog is a CommitLog that measures what goes through it: records and
// bytes appended, how long each append took, records read. The server puts
// it around Config.CommitLog, so it counts what the service did for its
// clients, whichever RPC asked. It is safe for concurrent use if the
// wrapped log is.
type meteredLog struct {
	CommitLog

	producedRecords metric.Int64Counter     // records appended
	producedBytes   metric.Int64Counter     // bytes of record values appended
	produceDuration metric.Float64Histogram // seconds per append
	consumedRecords metric.Int64Counter     // records read and returned
}

// newMeteredLog wraps commitLog with instruments made by provider.
func newMeteredLog(commitLog CommitLog, provider metric.MeterProvider) (*meteredLog, error) {
	meter := provider.Meter(meterName)
	l := &meteredLog{CommitLog: commitLog}
	var err, errs error
	l.producedRecords, err = meter.Int64Counter(producedRecordsName,
		metric.WithUnit("{record}"),
		metric.WithDescription("Records appended to the log."))
	errs = errors.Join(errs, err)
	l.producedBytes, err = meter.Int64Counter(producedBytesName,
		metric.WithUnit("By"),
		metric.WithDescription("Bytes of record values appended to the log."))
	errs = errors.Join(errs, err)
	l.produceDuration, err = meter.Float64Histogram(produceDurationName,
		metric.WithUnit("s"),
		metric.WithDescription("How long one append to the log took: one record, or one batch of them."),
		metric.WithExplicitBucketBoundaries(produceDurationBuckets...))
	errs = errors.Join(errs, err)
	l.consumedRecords, err = meter.Int64Counter(consumedRecordsName,
		metric.WithUnit("{record}"),
		metric.WithDescription("Records read from the log and sent to clients."))
	errs = errors.Join(errs, err)
	if errs != nil {
		return nil, fmt.Errorf("create instruments: %w", errs)
	}
	return l, nil
}

// Append implements CommitLog: it appends record to the wrapped log and,
// if that worked, counts one record and its value's bytes and records how
// long the append took, in seconds. A failed append counts nothing.
func (l *meteredLog) Append(record *api.Record) (uint64, error) {
	return l.metered(record, func() (uint64, error) { return l.CommitLog.Append(record) })
}

// AppendFrom implements [ProducerLog] as Append does: a retry that the log
// recognises counts as a record produced again.
func (l *meteredLog) AppendFrom(producerID string, sequence uint64, record *api.Record) (uint64, error) {
	return l.metered(record, func() (uint64, error) { return appendFrom(l.CommitLog, producerID, sequence, record) })
}

// metered records the metrics of the append of record that appendRecord
// makes.
func (l *meteredLog) metered(record *api.Record, appendRecord func() (uint64, error)) (uint64, error) {
	start := time.Now()
	off, err := appendRecord()
	if err != nil {
		return off, err
	}
	// The instruments take a context for exemplars (a link from a sample
	// to its trace); CommitLog has none to give.
	ctx := context.Background()
	l.produceDuration.Record(ctx, time.Since(start).Seconds())
	l.producedRecords.Add(ctx, 1)
	l.producedBytes.Add(ctx, int64(len(record.GetValue())))
	return off, nil
}

// Read implements CommitLog: it reads from the wrapped log and counts one
// record consumed when there was a record to return. A read past the end,
// which a ConsumeStream waiting for new records makes again and again,
// counts nothing.
func (l *meteredLog) Read(offset uint64) (*api.Record, error) {
	record, err := l.CommitLog.Read(offset)
	if err != nil {
		return nil, err
	}
	l.consumedRecords.Add(context.Background(), 1)
	return record, nil
}

var _ BatchReader = (*meteredLog)(nil)

// ReadBatch implements [BatchReader]: it reads with [readBatch] from the
// wrapped log and counts the records it returns.
func (l *meteredLog) ReadBatch(off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	records, err := readBatch(l.CommitLog, off, maxRecords, maxValueBytes)
	if len(records) > 0 {
		l.consumedRecords.Add(context.Background(), int64(len(records)))
	}
	return records, err
}
