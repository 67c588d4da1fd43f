package server

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHandshakeTimeout connects to the server and sends nothing, as a
// client that never starts its TLS handshake does: the server must close
// the connection once HandshakeTimeout has passed, not hold it for gRPC's
// default of two minutes.
func TestHandshakeTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	srv := serve(t, &Config{CommitLog: newLog(t), HandshakeTimeout: timeout})
	conn, err := net.Dial("tcp", srv.addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() }) // the server closed it already, if the test passes

	start := time.Now()
	// The test waits at most 10 s: far beyond the timeout, far below
	// gRPC's default, so that the old behaviour fails the test fast.
	require.NoError(t, conn.SetReadDeadline(start.Add(10*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	elapsed := time.Since(start)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server held a connection that sent nothing for %s: it must close it after HandshakeTimeout (%s)", elapsed.Round(time.Millisecond), timeout)
	require.True(t, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), "the server must close the connection; got %v", err)
	require.GreaterOrEqual(t, elapsed, timeout/2, "the server closed the connection before the handshake could have happened")
}
