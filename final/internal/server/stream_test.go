package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// streamTimeout bounds every stream a test opens, so that a handler that
// never sends fails the test instead of hanging it.
const streamTimeout = 30 * time.Second

// returnTimeout bounds how long a test waits for a handler to return after
// its client went away; a handler that notices returns in microseconds.
const returnTimeout = 10 * time.Second

// requireRecord receives the next record from stream and checks it.
func requireRecord(t testing.TB, stream grpc.ServerStreamingClient[api.ConsumeResponse], value string, offset uint64) {
	t.Helper()
	res, err := stream.Recv()
	require.NoError(t, err)
	want := &api.Record{Value: []byte(value), Offset: offset}
	require.True(t, proto.Equal(want, res.GetRecord()), "the stream sent %v, want %v", res.GetRecord(), want)
}

func TestConsumeStream(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	for _, v := range []string{"a", "b", "c"} {
		produce(t, client, v)
	}
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()

	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 1})
	require.NoError(t, err)
	requireRecord(t, stream, "b", 1)
	requireRecord(t, stream, "c", 2)
	// At the end of the log the stream stays open and sends what comes.
	produce(t, client, "d")
	requireRecord(t, stream, "d", 3)
	produce(t, client, "e")
	requireRecord(t, stream, "e", 4)

	// A stream may start past the end: it waits for its offset.
	ahead, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 6})
	require.NoError(t, err)
	produce(t, client, "f")
	produce(t, client, "g")
	requireRecord(t, ahead, "g", 6)

	cancel()
	// The first stream may still hand out f and g, which it was sent too.
	for range 3 {
		if _, err = stream.Recv(); err != nil {
			break
		}
	}
	require.Equal(t, codes.Canceled.String(), status.Code(err).String(), "a cancelled stream ends with Canceled; got %v", err)
}

// streamRecorder is the server side of a ConsumeStream without a network:
// it hands what the handler sends to the test. Its embedded ServerStream is
// nil; the handler needs only SendMsg, Send and Context.
type streamRecorder struct {
	grpc.ServerStream
	ctx  context.Context
	sent chan *api.ConsumeResponse
}

func (s *streamRecorder) Context() context.Context { return s.ctx }

// SendMsg decodes a message the handler encoded itself, as a client
// would, before the handler reuses its bytes, and hands it over as Send
// does.
func (s *streamRecorder) SendMsg(m any) error {
	encoded, ok := m.(*encodedResponse)
	if !ok {
		return fmt.Errorf("ConsumeStream sent a %T, not an *encodedResponse", m)
	}
	res := &api.ConsumeResponse{}
	if err := proto.Unmarshal(encoded.encoded, res); err != nil {
		return err
	}
	return s.Send(res)
}

func (s *streamRecorder) Send(res *api.ConsumeResponse) error {
	select {
	case s.sent <- res:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

func TestConsumeStreamCancel(t *testing.T) {
	commitLog := newLog(t)
	for _, v := range []string{"a", "b"} {
		_, err := commitLog.Append(&api.Record{Value: []byte(v)})
		require.NoError(t, err)
	}
	srv := newgrpcServer(&Config{CommitLog: commitLog})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream := &streamRecorder{ctx: ctx, sent: make(chan *api.ConsumeResponse)}
	req := &api.ConsumeRequest{Offset: 0}
	want := proto.Clone(req)

	done := make(chan error, 1)
	go func() { done <- srv.ConsumeStream(req, stream) }()
	for off := range uint64(2) {
		select {
		case res := <-stream.sent:
			require.Equal(t, off, res.GetRecord().GetOffset())
		case err := <-done:
			require.NoError(t, err)
			t.Fatal("ConsumeStream returned before its context was cancelled")
		case <-time.After(streamTimeout):
			t.Fatalf("ConsumeStream did not send offset %d", off)
		}
	}

	// Now at the end of the log, the handler waits; the client goes away.
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled, "a ConsumeStream whose client went away returns the context's error")
	case <-time.After(returnTimeout):
		t.Fatal("ConsumeStream did not return after its context was cancelled: wait for stream.Context().Done() as well as for the next append")
	}
	require.True(t, proto.Equal(want, req), "ConsumeStream changed the request to %v: keep the position in a variable of its own", req)
}

// sentNow waits until every goroutine of the test's synctest bubble is
// blocked, then returns what the handler has sent on stream, if anything.
func sentNow(stream *streamRecorder) (*api.ConsumeResponse, bool) {
	synctest.Wait()
	select {
	case res := <-stream.sent:
		return res, true
	default:
		return nil, false
	}
}

// requireSent checks that the handler behind stream has sent the record
// with value and offset, and is blocked in nothing else.
func requireSent(t testing.TB, stream *streamRecorder, value string, offset uint64) {
	t.Helper()
	res, ok := sentNow(stream)
	require.True(t, ok, "ConsumeStream did not send offset %d", offset)
	want := &api.Record{Value: []byte(value), Offset: offset}
	require.True(t, proto.Equal(want, res.GetRecord()), "the stream sent %v, want %v", res.GetRecord(), want)
}

// TestConsumeStreamIdle counts the reads of a ConsumeStream at the end of
// the log, in a synctest bubble whose clock moves only when every goroutine
// waits: a handler that spins reads without end, one that polls reads again
// when its timer fires, however long its period, and one that waits for the
// next append reads nothing until there is one.
func TestConsumeStreamIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		commitLog := newWatchedLog(newLog(t))
		_, err := commitLog.Append(&api.Record{Value: []byte("first")})
		require.NoError(t, err)
		srv := newgrpcServer(&Config{CommitLog: commitLog})
		stream, stop := runConsumeStream(srv)
		t.Cleanup(func() {
			commitLog.release()
			require.ErrorIs(t, stop(), context.Canceled)
		})

		requireSent(t, stream, "first", 0)
		synctest.Wait() // the handler has found the end of the log
		atEnd := commitLog.reads.Load()
		require.LessOrEqual(t, atEnd, int64(3), "an idle ConsumeStream must not spin: it read the log %d times with nothing new in it; wait on the channel from s.log.nextAppend(), in a select without a default case", atEnd)

		time.Sleep(24 * time.Hour) // an instant: the bubble's clock is fake
		synctest.Wait()
		polls := commitLog.reads.Load() - atEnd
		require.Zero(t, polls, "an idle ConsumeStream must not poll the log: in a day with nothing appended it read %d more times; wait on the channel from s.log.nextAppend(), not on a timer", polls)

		_, err = srv.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("second")}})
		require.NoError(t, err)
		requireSent(t, stream, "second", 1)
	})
}

// TestConsumeStreamWakeUp appends a record at the worst moment for a
// ConsumeStream at the end of the log: after its read found nothing, before
// it waits. A handler that takes the wake-up channel after its read gets a
// channel that this append will never close, and waits for ever.
func TestConsumeStreamWakeUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		commitLog := newWatchedLog(newLog(t))
		srv := newgrpcServer(&Config{CommitLog: commitLog})
		var appendErr error
		commitLog.onMiss = func() {
			_, appendErr = srv.log.Append(&api.Record{Value: []byte("racing")})
		}
		stream, stop := runConsumeStream(srv)
		t.Cleanup(func() {
			commitLog.release()
			require.ErrorIs(t, stop(), context.Canceled)
		})

		res, ok := sentNow(stream)
		require.NoError(t, appendErr)
		require.True(t, ok, "ConsumeStream missed a record appended between its read and its wait (a lost wake-up): take the channel from s.log.nextAppend() before you read the log, not after")
		want := &api.Record{Value: []byte("racing"), Offset: 0}
		require.True(t, proto.Equal(want, res.GetRecord()), "the stream sent %v, want %v", res.GetRecord(), want)
	})
}

func TestSlowConsumer(t *testing.T) {
	commitLog := &countingLog{CommitLog: newLog(t)}
	srv := startServer(t, commitLog)
	producer := srv.client(t)
	// A fixed flow-control window of 64 KiB: the most this client lets the
	// server have on the way to it. (Setting it also turns off gRPC's
	// automatic window growth, which would raise that to 16 MiB.)
	const window = 64 << 10
	consumer := srv.client(t, grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window))
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()

	produce(t, producer, "first")
	stream, err := consumer.ConsumeStream(ctx, &api.ConsumeRequest{})
	require.NoError(t, err)
	requireRecord(t, stream, "first", 0)

	// 256 records of 16 KiB, 64 windows' worth, that the consumer does not
	// read yet.
	const records = 256
	value := strings.Repeat("x", 16<<10)
	for range records {
		produce(t, producer, value)
	}
	// The server sends until the window and its own write buffer (64 KiB
	// per stream) are full; then Send blocks, and the handler reads no
	// further. 32 records (512 KiB) is far above that and far below 257.
	const bound = 32
	require.Never(t, func() bool { return commitLog.found.Load() > bound }, time.Second, 10*time.Millisecond,
		"the server read more than %d records ahead of a client that reads nothing: send each record before reading the next", bound)
	t.Logf("slow consumer: the server read %d of %d records while the client read none", commitLog.found.Load(), records+1)

	for off := uint64(1); off <= records; off++ {
		requireRecord(t, stream, value, off)
	}
}

func TestMaxConcurrentStreams(t *testing.T) {
	commitLog := &countingLog{CommitLog: newLog(t)}
	// ConsumeStream limits above the connection's, so that the
	// connection's is the one that bites.
	client := serve(t, &Config{
		CommitLog:                commitLog,
		MaxConsumeStreams:        MaxConcurrentStreams + 1,
		MaxConsumeStreamsPerConn: MaxConcurrentStreams + 1,
	}).client(t)
	produce(t, client, "x")

	cancels := make([]context.CancelFunc, 0, MaxConcurrentStreams)
	defer func() {
		for _, cancel := range cancels {
			cancel()
		}
	}()
	for range MaxConcurrentStreams {
		ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
		cancels = append(cancels, cancel)
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
		require.NoError(t, err)
		requireRecord(t, stream, "x", 0) // open on the server, waiting at the end
		if len(cancels) == 1 {
			// A hundred streams that spin would take minutes to open:
			// stop now if the first one does not wait quietly.
			require.Never(t, func() bool { return commitLog.reads.Load() > 2 }, 100*time.Millisecond, time.Millisecond,
				"the first ConsumeStream keeps reading the log with nothing new in it (it spins or polls; see TestConsumeStreamIdle): not opening %d more", MaxConcurrentStreams-1)
		}
	}

	// The connection is full: one more stream waits for a free slot, here
	// until its deadline.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	extra, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
	if err == nil {
		_, err = extra.Recv()
	}
	require.Equal(t, codes.DeadlineExceeded.String(), status.Code(err).String(), "stream %d must wait: the server allows %d per connection; got %v", MaxConcurrentStreams+1, MaxConcurrentStreams, err)

	// Once one stream ends, the next one goes through.
	cancels[0]()
	ctx, cancel = context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
	require.NoError(t, err)
	requireRecord(t, stream, "x", 0)
}

func TestProduceStream(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ProduceStream(ctx)
	require.NoError(t, err)

	values := []string{"a", "b", "c"}
	for _, v := range values {
		if err := stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte(v)}}); err != nil {
			// Send reports only io.EOF when the server has ended the
			// stream; Recv says why it did.
			_, err = stream.Recv()
			require.NoError(t, err)
			t.Fatal("the server ended the stream before the client closed it")
		}
	}
	require.NoError(t, stream.CloseSend())
	for i := range values {
		res, err := stream.Recv()
		require.NoError(t, err)
		require.Equal(t, uint64(i), res.GetOffset(), "ProduceStream must answer each record with its offset, in order")
	}
	_, err = stream.Recv()
	require.ErrorIs(t, err, io.EOF, "after the client closed its side, ProduceStream must end with status OK (return nil on io.EOF); got %v", err)

	for i, v := range values {
		res, err := client.Consume(ctx, &api.ConsumeRequest{Offset: uint64(i)})
		require.NoError(t, err)
		require.Equal(t, []byte(v), res.GetRecord().GetValue())
	}

	t.Run("a request without a record ends the stream with InvalidArgument", func(t *testing.T) {
		stream, err := client.ProduceStream(ctx)
		require.NoError(t, err)
		if err := stream.Send(&api.ProduceRequest{}); err != nil && !errors.Is(err, io.EOF) {
			require.NoError(t, err)
		}
		_, err = stream.Recv()
		require.Equal(t, codes.InvalidArgument.String(), status.Code(err).String(), "got %v", err)
	})
}
