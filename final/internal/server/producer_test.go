package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// dedupLog is a real log with a test-only table of what each producer
// sent, as internal/log's DistributedLog keeps in its FSM.
type dedupLog struct {
	*log.Log
	mu   sync.Mutex        // guards sent
	sent map[string]uint64 // offset by producer and sequence
}

// AppendFrom implements ProducerLog.
func (l *dedupLog) AppendFrom(producerID string, sequence uint64, record *api.Record) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := fmt.Sprint(producerID, "/", sequence)
	if off, ok := l.sent[key]; ok {
		return off, nil
	}
	off, err := l.Log.Append(record)
	if err == nil {
		l.sent[key] = off
	}
	return off, err
}

func produceFrom(t *testing.T, client api.LogClient, id string, sequence uint64, value string) (uint64, error) {
	t.Helper()
	res, err := client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}, ProducerId: id, Sequence: sequence})
	return res.GetOffset(), err
}

func TestProduceWithProducerIDIsIdempotent(t *testing.T) {
	l := &dedupLog{Log: newLog(t), sent: map[string]uint64{}}
	client := startServer(t, l).client(t)
	for range 2 {
		off, err := produceFrom(t, client, "p", 1, "once")
		require.NoError(t, err)
		require.Equal(t, uint64(0), off, "a retry must get the first append's offset")
	}
	off, err := produceFrom(t, client, "p", 2, "next")
	require.NoError(t, err)
	require.Equal(t, uint64(1), off)
	off, err = produceFrom(t, client, "", 0, "without a producer")
	require.NoError(t, err)
	require.Equal(t, uint64(2), off)

	_, err = produceFrom(t, client, strings.Repeat("x", log.MaxProducerIDBytes+1), 1, "x")
	require.Equal(t, codes.InvalidArgument.String(), status.Code(err).String(), "got %v", err)
}

func TestProduceWithProducerIDNeedsADedupLog(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	_, err := produceFrom(t, client, "p", 1, "x")
	require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(),
		"a log that cannot deduplicate must refuse a producer_id rather than risk a duplicate; got %v", err)
}
