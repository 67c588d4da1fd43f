package server

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// callLine is the line the server wrote for one call, as the tests read it.
type callLine struct {
	level    zapcore.Level
	method   string
	code     string
	duration time.Duration
	subject  string
	err      string
}

// callLines returns the lines o holds for calls to method, oldest first.
func (o *observed) callLines(method string) []callLine {
	var lines []callLine
	for _, e := range o.logs.All() {
		fields := e.ContextMap()
		if fields[logMethod] != method {
			continue
		}
		line := callLine{level: e.Level, method: method}
		line.code, _ = fields[logCode].(string)
		line.duration, _ = fields[logDuration].(time.Duration)
		line.subject, _ = fields[logSubject].(string)
		line.err, _ = fields["error"].(string)
		lines = append(lines, line)
	}
	return lines
}

// requireOneLine returns the one line o holds for method. A unary call's
// line is written before its response goes out, so a test that has the
// response need not wait for it.
func requireOneLine(t *testing.T, o *observed, method string) callLine {
	t.Helper()
	lines := o.callLines(method)
	if len(lines) == 0 {
		t.Fatalf("the server wrote no line for %s", method)
	}
	require.Len(t, lines, 1, "one call, one line: %+v", lines)
	return lines[0]
}

func TestLogging(t *testing.T) {
	srv, obs := startObservedServer(t, newLog(t))
	root := srv.client(t)
	nobody := api.NewLogClient(srv.dial(t, srv.tlsAs(t, srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile)))

	t.Run("a call is logged with its method, code, duration and subject", func(t *testing.T) {
		obs.logs.TakeAll()
		produce(t, root, "hello")
		line := requireOneLine(t, obs, api.Log_Produce_FullMethodName)
		require.Equal(t, codes.OK.String(), line.code, "the line must carry the code the client got")
		require.Positive(t, line.duration, "the line must carry how long the call took")
		require.Equal(t, "root", line.subject, "the line must name the client: the subject of the client's verified certificate")
		require.Equal(t, zapcore.InfoLevel, line.level)
		require.Empty(t, line.err)
	})

	t.Run("a refused call is logged with the code the client got", func(t *testing.T) {
		obs.logs.TakeAll()
		_, err := nobody.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("no")}})
		require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String())
		line := requireOneLine(t, obs, api.Log_Produce_FullMethodName)
		require.Equal(t, codes.PermissionDenied.String(), line.code, "the line must be written after the handler returned (and the ACL refused), with the code the client got")
		require.Equal(t, "nobody", line.subject, "the line must name the client: the subject of the client's verified certificate")
		require.Contains(t, line.err, "nobody", "the line must carry the error the client got")
	})

	t.Run("a failed call is logged with its code and error", func(t *testing.T) {
		obs.logs.TakeAll()
		_, err := root.Consume(t.Context(), &api.ConsumeRequest{Offset: 99})
		require.Equal(t, codes.OutOfRange.String(), status.Code(err).String())
		line := requireOneLine(t, obs, api.Log_Consume_FullMethodName)
		require.Equal(t, codes.OutOfRange.String(), line.code, "the line must be written after the handler returned, with the code the client got")
		require.Contains(t, line.err, "99", "the line must carry the error the client got")
		require.Equal(t, zapcore.InfoLevel, line.level, "a client's mistake is not the server's error")
	})

	t.Run("a stream is logged once, when it ends", func(t *testing.T) {
		obs.logs.TakeAll()
		off := produce(t, root, "more")
		requireOneLine(t, obs, api.Log_Produce_FullMethodName)

		ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
		defer cancel()
		// From the last record: the handler sends it, then waits for the
		// next append until the client goes away.
		stream, err := root.ConsumeStream(ctx, &api.ConsumeRequest{Offset: off})
		require.NoError(t, err)
		_, err = stream.Recv()
		require.NoError(t, err)
		require.Empty(t, obs.callLines(api.Log_ConsumeStream_FullMethodName), "a stream that is still open has no line yet: the line is written when the stream ends")
		cancel()

		// The client learns of its own cancel at once; the server's
		// handler notices a moment later.
		var lines []callLine
		require.Eventually(t, func() bool {
			lines = obs.callLines(api.Log_ConsumeStream_FullMethodName)
			return len(lines) > 0
		}, returnTimeout, time.Millisecond, "the stream interceptor logs a stream when it ends: no line for ConsumeStream")
		require.Len(t, lines, 1, "one stream, one line")
		require.Equal(t, codes.Canceled.String(), lines[0].code, "a stream whose client went away ends with Canceled, which the client sees: turn the handler's error into a code as gRPC does (codeOf)")
		require.Equal(t, "root", lines[0].subject, "the line must name the client: the subject of the client's verified certificate")
	})
}

// TestLevelOf pins who should look at a line: only the server's own
// failures are errors.
func TestLevelOf(t *testing.T) {
	require.Equal(t, zapcore.InfoLevel, levelOf(codes.OK))
	require.Equal(t, zapcore.InfoLevel, levelOf(codes.PermissionDenied))
	require.Equal(t, zapcore.InfoLevel, levelOf(codes.Canceled))
	require.Equal(t, zapcore.ErrorLevel, levelOf(codes.Internal))
	require.Equal(t, zapcore.ErrorLevel, levelOf(codes.Unavailable))
}
