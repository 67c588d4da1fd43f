package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// rawCodec sends and receives a call's messages as the bytes they are on
// the wire, unchecked: a fuzz test's bytes reach the server exactly as it
// wrote them. Its name is proto's, so the server decodes them as it does
// every client's.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// FuzzProduce sends arbitrary bytes as a Produce request to a real server
// over mutual TLS. The server must not fail: it must answer every request
// with an offset, appending the record the bytes hold at the log's end,
// or refuse it (bytes that are not a ProduceRequest, no record, a producer
// ID this log cannot deduplicate) appending nothing.
func FuzzProduce(f *testing.F) {
	for _, req := range []*api.ProduceRequest{
		{Record: &api.Record{Value: []byte("hello")}},
		{Record: &api.Record{Value: []byte("with an offset"), Offset: 1 << 40, Term: 3}},
		{Record: &api.Record{}},
		{},
		{Record: &api.Record{Value: []byte("x")}, ProducerId: "p", Sequence: 1},
	} {
		b, err := proto.Marshal(req)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add([]byte{0x0a, 0x80, 0x80, 0x80, 0x80, 0x10})

	l := newLog(f)
	srv := startServer(f, l)
	conn := srv.dial(f, srv.tlsAs(f, srv.certs.RootClientCertFile, srv.certs.RootClientKeyFile))
	client := api.NewLogClient(conn)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		next, err := l.NextOffset()
		require.NoError(t, err)
		var res []byte
		err = conn.Invoke(ctx, api.Log_Produce_FullMethodName, &data, &res, grpc.ForceCodec(rawCodec{}))
		if err != nil {
			switch st := status.Convert(err); {
			case st.Code() == codes.InvalidArgument, st.Code() == codes.Unimplemented:
			case st.Code() == codes.Internal && strings.Contains(st.Message(), "unmarshal"):
			default:
				t.Fatalf("the server must refuse a request it cannot take with a clear status, not %v", err)
			}
			after, err := l.NextOffset()
			require.NoError(t, err)
			require.Equal(t, next, after, "a refused request must append nothing")
			return
		}
		var req api.ProduceRequest
		require.NoError(t, proto.Unmarshal(data, &req), "the server took bytes that are not a ProduceRequest")
		var answer api.ProduceResponse
		require.NoError(t, proto.Unmarshal(res, &answer))
		require.Equal(t, next, answer.GetOffset(), "the record must go at the log's end")
		got, err := client.Consume(ctx, &api.ConsumeRequest{Offset: next})
		require.NoError(t, err)
		require.Equal(t, req.GetRecord().GetValue(), got.GetRecord().GetValue(), "the log must hold the value the request carried")
	})
}
