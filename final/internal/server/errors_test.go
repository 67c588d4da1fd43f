package server

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// secretPath stands for what a log's errors say about the server's disk.
const secretPath = "/var/lib/proglog/00000000000000000000.store"

// brokenLog is a CommitLog whose disk has gone bad: reading offset
// corruptOffset finds damaged bytes, other reads and every append fail
// outright, and every error names a file, as internal/log's do.
type brokenLog struct{}

const corruptOffset = 3

// Read implements CommitLog.
func (brokenLog) Read(offset uint64) (*api.Record, error) {
	if offset == corruptOffset {
		return nil, fmt.Errorf("read %s: %w: checksum mismatch", secretPath, log.ErrCorrupt)
	}
	return nil, fmt.Errorf("read %s: %w", secretPath, errors.New("input/output error"))
}

// Append implements CommitLog.
func (brokenLog) Append(*api.Record) (uint64, error) {
	return 0, fmt.Errorf("write %s: %w", secretPath, errors.New("no space left on device"))
}

// newLogger returns a logger that writes JSON lines to buf.
func newLogger(buf *bytes.Buffer) *zap.Logger {
	encoder := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(buf)), zapcore.DebugLevel))
}

// requireStatus checks that err is a status with code and a message that
// contains want and does not give the server's files away.
func requireStatus(t testing.TB, err error, code codes.Code, want, explain string) {
	t.Helper()
	require.Equal(t, code.String(), status.Code(err).String(), "%s; got %v", explain, err)
	require.Contains(t, status.Convert(err).Message(), want)
	require.NotContains(t, status.Convert(err).Message(), secretPath, "the client must not learn the server's file paths: log them, send the offset")
}

func TestConsumeReadErrors(t *testing.T) {
	var logged bytes.Buffer
	client := serve(t, &Config{CommitLog: brokenLog{}, Logger: newLogger(&logged)}).client(t)

	_, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: corruptOffset})
	requireStatus(t, err, codes.DataLoss, "offset 3", "a damaged record is codes.DataLoss, with the offset in the message (return s.readError(offset, err))")

	_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: 4})
	requireStatus(t, err, codes.Internal, "offset 4", "a read that fails for another reason is codes.Internal")

	_, err = client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("x")}})
	requireStatus(t, err, codes.Internal, "append", "an append that fails is codes.Internal (return s.appendError(err))")

	require.Contains(t, logged.String(), secretPath, "the server's log keeps what the client was not told")
}

func TestConsumeStreamReadError(t *testing.T) {
	var logged bytes.Buffer
	client := serve(t, &Config{CommitLog: brokenLog{}, Logger: newLogger(&logged)}).client(t)

	stream, err := client.ConsumeStream(t.Context(), &api.ConsumeRequest{Offset: corruptOffset})
	require.NoError(t, err)
	_, err = stream.Recv()
	requireStatus(t, err, codes.DataLoss, "offset 3", "a damaged record ends the stream with codes.DataLoss, with the offset in the message (return s.readError(off, err))")
	require.Contains(t, logged.String(), secretPath, "the server's log keeps what the client was not told")
}
