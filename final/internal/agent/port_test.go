package agent

import (
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// closeWithin is how long the tests below wait for the server to close a
// connection: far beyond the timeouts they configure, far below the
// defaults, so that a timeout that is not applied fails the test fast.
const closeWithin = 5 * time.Second

// requireClosed reads conn, discarding what the server sends, until the
// server closes it, and returns how long that took. It fails the test if
// the server keeps it open for closeWithin.
func requireClosed(t *testing.T, conn net.Conn) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(closeWithin)))
	_, err := io.Copy(io.Discard, conn)
	elapsed := time.Since(start)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server held the connection for %s", elapsed.Round(time.Millisecond))
	require.True(t, err == nil || errors.Is(err, syscall.ECONNRESET), "the server must close the connection; got %v", err)
	return elapsed
}

// clientHello returns the first record a TLS client sends: its
// ClientHello.
func clientHello(t *testing.T) []byte {
	t.Helper()
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		// It fails when the pipe closes, as the test wants.
		_ = tls.Client(client, &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}).Handshake()
	}()
	header := make([]byte, 5) // content type, version, length
	_, err := io.ReadFull(server, header)
	require.NoError(t, err)
	body := make([]byte, int(header[3])<<8|int(header[4]))
	_, err = io.ReadFull(server, body)
	require.NoError(t, err)
	require.NoError(t, server.Close())
	require.NoError(t, client.Close())
	<-done
	return append(header, body...)
}

// requireGoroutinesBack waits until the process runs no more goroutines
// than baseline.
func requireGoroutinesBack(t *testing.T, baseline int) {
	t.Helper()
	if !eventually(func() bool { return runtime.NumGoroutine() <= baseline }) {
		require.LessOrEqual(t, runtime.NumGoroutine(), baseline, "goroutines did not return to their baseline")
	}
}

// TestPortClosesWhatItCannotServe sends the shared port what is neither
// Raft nor gRPC, or the start of one and then nothing: every connection
// is closed, within the timeouts, and the agent goes on serving, with no
// goroutine left behind.
func TestPortClosesWhatItCannotServe(t *testing.T) {
	const timeout = 200 * time.Millisecond
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cfg := newConfig(t, 0, certs, nil)
	cfg.SniffTimeout, cfg.HandshakeTimeout = timeout, timeout
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	addr, err := a.RPCAddr()
	require.NoError(t, err)
	c := client(t, a, certs)
	produce(t, c, "before")
	baseline := runtime.NumGoroutine()

	hello := clientHello(t)
	garbage := make([]byte, 4096)
	random := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(random.Uint32())
	}
	garbage[0] = 0xff // neither Raft's mark nor TLS's first byte
	payloads := []struct {
		name string
		data []byte
	}{
		{"nothing at all", nil},
		{"random bytes", garbage},
		{"an HTTP/1 request", []byte("GET / HTTP/1.1\r\nHost: proglog\r\n\r\n")},
		{"a ClientHello, then nothing", hello},
		{"half a ClientHello", hello[:len(hello)/2]},
		{"the Raft mark, then nothing", []byte{log.RaftRPC}},
		{"the Raft mark and random bytes", append([]byte{log.RaftRPC}, garbage[1:]...)},
		{"the Raft mark and half a ClientHello", append([]byte{log.RaftRPC}, hello[:len(hello)/2]...)},
	}
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() }) // closed by the server already
			_, err = conn.Write(p.data)
			require.NoError(t, err)
			requireClosed(t, conn)
			produce(t, c, p.name)
		})
	}
	requireGoroutinesBack(t, baseline)
}

// TestSniffTimeout connects to the shared port and sends nothing: the port
// must close the connection once SniffTimeout has passed, without handing
// it to the gRPC server, whose handshake timeout is left at its default of
// 10 s.
func TestSniffTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cfg := newConfig(t, 0, certs, nil)
	cfg.SniffTimeout = timeout
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	addr, err := a.RPCAddr()
	require.NoError(t, err)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	elapsed := requireClosed(t, conn)
	require.GreaterOrEqual(t, elapsed, timeout/2, "the port closed the connection before the sniff timeout")
}
