package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// fullDiskLog is a test-only CommitLog whose every call fails, as a log on a
// full disk would.
type fullDiskLog struct{}

var errBroken = errors.New("the disk is full")

// Append implements CommitLog.
func (fullDiskLog) Append(*api.Record) (uint64, error) { return 0, errBroken }

// Read implements CommitLog.
func (fullDiskLog) Read(uint64) (*api.Record, error) { return nil, errBroken }

func TestMetrics(t *testing.T) {
	srv, obs := startObservedServer(t, newLog(t))
	root := srv.client(t)
	nobody := api.NewLogClient(srv.dial(t, srv.tlsAs(t, srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile)))

	values := []string{"a", "bb", "cccc"}
	start := time.Now()
	for _, v := range values {
		produce(t, root, v)
	}
	elapsed := time.Since(start)
	_, err := nobody.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("refused")}})
	require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String())

	t.Run("produce counts records, bytes and how long each append took", func(t *testing.T) {
		rm := obs.collect(t)
		if _, ok := findMetric(rm, producedRecordsName); !ok {
			t.Fatalf("three records produced, and nothing recorded in %s", producedRecordsName)
		}
		require.EqualValues(t, 3, counterValue(t, rm, producedRecordsName), "%s counts the records appended (a refused produce appends none)", producedRecordsName)
		require.EqualValues(t, 1+2+4, counterValue(t, rm, producedBytesName), "%s counts the bytes of the records' values", producedBytesName)
		points := histogram(t, rm, produceDurationName)
		require.Len(t, points, 1, "%s has one series", produceDurationName)
		require.EqualValues(t, 3, points[0].Count, "%s records one duration per append", produceDurationName)
		require.Positive(t, points[0].Sum)
		require.LessOrEqual(t, points[0].Sum, elapsed.Seconds(), "the appends took at most the %v the three produces took: record their duration in seconds (the instrument's unit)", elapsed)
	})

	t.Run("consume counts the records returned", func(t *testing.T) {
		for off := range uint64(2) {
			_, err := root.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
			require.NoError(t, err)
		}
		_, err := root.Consume(t.Context(), &api.ConsumeRequest{Offset: 99})
		require.Equal(t, codes.OutOfRange.String(), status.Code(err).String())
		rm := obs.collect(t)
		require.EqualValues(t, 2, counterValue(t, rm, consumedRecordsName), "%s counts records returned, not reads: a read past the end returns none", consumedRecordsName)

		// A stream reads the end of the log again each time it wakes up;
		// only what it sends counts.
		ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
		defer cancel()
		stream, err := root.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
		require.NoError(t, err)
		for range values {
			_, err := stream.Recv()
			require.NoError(t, err)
		}
		rm = obs.collect(t)
		require.EqualValues(t, 2+3, counterValue(t, rm, consumedRecordsName), "%s counts records returned, not reads", consumedRecordsName)
	})

	t.Run("a failed append counts nothing", func(t *testing.T) {
		o := newObserved(t)
		l, err := newMeteredLog(fullDiskLog{}, o.meterProvider)
		require.NoError(t, err)
		_, err = l.Append(&api.Record{Value: []byte("lost")})
		require.ErrorIs(t, err, errBroken, "the log's error goes back as it is")
		_, err = l.Read(0)
		require.ErrorIs(t, err, errBroken, "the log's error goes back as it is")
		rm := o.collect(t)
		require.Zero(t, counterValue(t, rm, producedRecordsName), "a failed append counts nothing")
		require.Zero(t, counterValue(t, rm, producedBytesName), "a failed append counts nothing")
		require.Empty(t, histogram(t, rm, produceDurationName), "a failed append counts nothing")
		require.Zero(t, counterValue(t, rm, consumedRecordsName), "a failed read counts nothing")
	})
}
