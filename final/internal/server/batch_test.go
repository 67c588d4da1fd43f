package server

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// newDistributedLog returns a replicated log of one server, its Raft over
// mutual TLS on a free port of 127.0.0.1, leading its own cluster, closed
// when the test ends.
func newDistributedLog(t testing.TB) *log.DistributedLog {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	peerTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var c log.Config
	c.Raft.LocalID = raft.ServerID("solo")
	c.Raft.StreamLayer = log.NewStreamLayer(ln, serverTLS, peerTLS)
	c.Raft.Bootstrap = true
	l, err := log.NewDistributedLog(t.TempDir(), c)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

// recordsOf returns a record for each value.
func recordsOf(values ...string) []*api.Record {
	records := make([]*api.Record, len(values))
	for i, v := range values {
		records[i] = &api.Record{Value: []byte(v)}
	}
	return records
}

func TestProduceBatch(t *testing.T) {
	client := startServer(t, newDistributedLog(t)).client(t)
	produce(t, client, "single")
	batch := &api.ProduceBatchRequest{Records: recordsOf("a", "b", "c"), ProducerId: "p", Sequence: 1}

	res, err := client.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, res.GetOffsets(), "a batch's offsets are consecutive, after the last record")
	retry, err := client.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Equal(t, res.GetOffsets(), retry.GetOffsets(), "a retried batch must be answered with the first append's offsets")
	require.Equal(t, "a", string(batch.GetRecords()[0].GetValue()), "the request must stay as the client sent it")

	for off, want := range []string{"single", "a", "b", "c"} {
		got, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: uint64(off)})
		require.NoError(t, err)
		require.Equal(t, want, string(got.GetRecord().GetValue()))
	}
	_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: 4})
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String(), "the retry must have stored nothing; got %v", err)
}

func TestProduceBatchLimits(t *testing.T) {
	client := startServer(t, newDistributedLog(t)).client(t)
	tooMany := make([]string, log.MaxBatchRecords+1)
	tests := []struct {
		name    string
		req     *api.ProduceBatchRequest
		code    codes.Code
		message string
	}{
		{"a batch without records is InvalidArgument", &api.ProduceBatchRequest{}, codes.InvalidArgument, "no records"},
		{"a batch of more than MaxBatchRecords is InvalidArgument naming the limit", &api.ProduceBatchRequest{Records: recordsOf(tooMany...)}, codes.InvalidArgument, fmt.Sprint(log.MaxBatchRecords)},
		{"a producer_id too long is InvalidArgument", &api.ProduceBatchRequest{Records: recordsOf("x"), ProducerId: strings.Repeat("p", log.MaxProducerIDBytes+1)}, codes.InvalidArgument, fmt.Sprint(log.MaxProducerIDBytes)},
		{"a batch bigger than a message is ResourceExhausted", &api.ProduceBatchRequest{Records: recordsOf(strings.Repeat("x", MaxMessageBytes/2), strings.Repeat("y", MaxMessageBytes/2))}, codes.ResourceExhausted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ProduceBatch(t.Context(), tt.req)
			require.Equal(t, tt.code.String(), status.Code(err).String(), "got %v", err)
			require.Contains(t, status.Convert(err).Message(), tt.message)
		})
	}
	_, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: 0})
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String(), "a refused batch must store nothing; got %v", err)
}

func TestProduceBatchNeedsABatchLog(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	_, err := client.ProduceBatch(t.Context(), &api.ProduceBatchRequest{Records: recordsOf("x")})
	require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(),
		"a log that cannot append a batch whole must refuse it rather than interleave it; got %v", err)
}
