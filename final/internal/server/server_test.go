package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

func TestProduceConsume(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	values := []string{"first", "second", "third"}
	for i, v := range values {
		require.Equal(t, uint64(i), produce(t, client, v), "Produce must answer with the offset the log gave the record")
	}
	for i, v := range values {
		res, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: uint64(i)})
		require.NoError(t, err)
		want := &api.Record{Value: []byte(v), Offset: uint64(i)}
		require.True(t, proto.Equal(want, res.GetRecord()), "Consume(%d) answered %v, want %v", i, res.GetRecord(), want)
	}
}

func TestConsumePastEnd(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	produce(t, client, "only")

	_, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: 1})
	require.Error(t, err, "offset 1 of a one-record log does not exist")
	st := status.Convert(err)
	require.Equal(t, codes.OutOfRange.String(), st.Code().String(), "consuming past the end must fail with codes.OutOfRange; got %v", err)
	var detail *errdetails.LocalizedMessage
	for _, d := range st.Details() {
		if lm, ok := d.(*errdetails.LocalizedMessage); ok {
			detail = lm
		}
	}
	require.NotNil(t, detail, "the client must receive the LocalizedMessage detail: return the log's error as it is")
	require.Contains(t, detail.GetMessage(), "1", "the detail names the offset asked for")
}

func TestProduce(t *testing.T) {
	srv := newgrpcServer(&Config{CommitLog: newLog(t)})

	t.Run("leaves the request as the client sent it", func(t *testing.T) {
		// The second record gets offset 1: a request whose record went to
		// the log itself would come back with Offset 1.
		for range 2 {
			req := &api.ProduceRequest{Record: &api.Record{Value: []byte("hello")}}
			want := proto.Clone(req)
			_, err := srv.Produce(t.Context(), req)
			require.NoError(t, err)
			require.True(t, proto.Equal(want, req), "Produce changed the request to %v: give the log a proto.Clone of the record", req)
		}
	})

	t.Run("refuses a request without a record", func(t *testing.T) {
		_, err := srv.Produce(t.Context(), &api.ProduceRequest{})
		require.Equal(t, codes.InvalidArgument.String(), status.Code(err).String(), "a request without a record is the client's mistake: codes.InvalidArgument; got %v", err)
	})
}

func TestMessageLimit(t *testing.T) {
	commitLog := &countingLog{CommitLog: newLog(t)}
	client := startServer(t, commitLog).client(t)

	t.Run("a request over MaxMessageBytes gets ResourceExhausted", func(t *testing.T) {
		big := &api.Record{Value: make([]byte, MaxMessageBytes+1)}
		_, err := client.Produce(t.Context(), &api.ProduceRequest{Record: big})
		require.Equal(t, codes.ResourceExhausted.String(), status.Code(err).String(), "got %v", err)
		require.Zero(t, commitLog.calls(), "the refused request must not reach a handler")
	})

	t.Run("the server goes on serving, up to the limit", func(t *testing.T) {
		// Room for the request's framing: tag and length of the record,
		// tag and length of the value.
		value := bytes.Repeat([]byte("x"), MaxMessageBytes-16)
		off := produce(t, client, string(value))
		res, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
		require.NoError(t, err, "a record that could be produced must be consumable with a client's default limits")
		require.Equal(t, value, res.GetRecord().GetValue())
	})
}

func TestNewGRPCServerConfig(t *testing.T) {
	tests := []struct {
		name   string
		config *Config
	}{
		{"a nil Config", nil},
		{"no CommitLog", &Config{}},
		{"a negative MaxConsumeStreams", &Config{CommitLog: newLog(t), MaxConsumeStreams: -1}},
		{"a negative MaxConsumeStreamsPerConn", &Config{CommitLog: newLog(t), MaxConsumeStreamsPerConn: -1}},
		{"a negative HandshakeTimeout", &Config{CommitLog: newLog(t), HandshakeTimeout: -time.Second}},
		{"a negative KeepaliveMinTime", &Config{CommitLog: newLog(t), KeepaliveMinTime: -time.Second}},
		{"a negative KeepaliveTime", &Config{CommitLog: newLog(t), KeepaliveTime: -time.Second}},
		{"a negative KeepaliveTimeout", &Config{CommitLog: newLog(t), KeepaliveTimeout: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is an error", func(t *testing.T) {
			gsrv, err := NewGRPCServer(tt.config)
			require.Error(t, err)
			require.Nil(t, gsrv)
		})
	}

	t.Run("zero limits take the defaults", func(t *testing.T) {
		srv := newgrpcServer(&Config{CommitLog: newLog(t)})
		require.Equal(t, DefaultMaxConsumeStreams, srv.streams.limit)
		require.Equal(t, DefaultMaxConsumeStreamsPerConn, srv.streams.limitPerConn)
		filled := (&Config{}).withDefaults()
		require.Equal(t, DefaultHandshakeTimeout, filled.HandshakeTimeout)
		require.Equal(t, DefaultKeepaliveMinTime, filled.KeepaliveMinTime)
		require.Equal(t, KeepaliveTime, filled.KeepaliveTime)
		require.Equal(t, KeepaliveTimeout, filled.KeepaliveTimeout)
		require.NotNil(t, srv.logger)
	})
}
