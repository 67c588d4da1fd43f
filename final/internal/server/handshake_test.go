package server

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

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
// than baseline. It polls from the test's goroutine: require.Eventually
// runs its condition in a goroutine of its own, which would be counted.
func requireGoroutinesBack(t *testing.T, baseline int, msg string) {
	t.Helper()
	deadline := time.Now().Add(streamTimeout)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // a poll interval, bounded by the deadline
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), baseline, msg)
}

// TestHandshakeTimeoutClosesManyConnections opens 200 connections that
// never finish their TLS handshake, half of them silent, half of them
// stopped in the middle of their ClientHello: the server must close all of
// them once HandshakeTimeout has passed, keep serving meanwhile, and keep
// no goroutine of theirs.
func TestHandshakeTimeoutClosesManyConnections(t *testing.T) {
	const (
		conns   = 200
		timeout = 300 * time.Millisecond
		// margin is what a loaded machine may add to the timeout.
		margin = 2 * time.Second
	)
	srv := serve(t, &Config{CommitLog: newLog(t), HandshakeTimeout: timeout})
	client := srv.client(t)
	produce(t, client, "before")
	baseline := runtime.NumGoroutine()
	half := clientHello(t)
	half = half[:len(half)/2]

	start := time.Now()
	var open []net.Conn
	for i := range conns {
		conn, err := net.Dial("tcp", srv.addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() }) // closed by the server already
		if i%2 == 1 {
			_, err = conn.Write(half)
			require.NoError(t, err)
		}
		open = append(open, conn)
	}
	closedAfter := make([]time.Duration, conns)
	errs := make([]error, conns)
	var reading sync.WaitGroup
	for i, conn := range open {
		reading.Go(func() {
			errs[i] = conn.SetReadDeadline(start.Add(timeout + margin))
			if errs[i] == nil {
				_, errs[i] = io.Copy(io.Discard, conn)
			}
			closedAfter[i] = time.Since(start)
		})
	}
	produce(t, client, "while they wait") // the server serves meanwhile
	reading.Wait()

	var slowest time.Duration
	for i, err := range errs {
		require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "connection %d was still open %s after it was made", i, timeout+margin)
		require.True(t, err == nil || errors.Is(err, syscall.ECONNRESET), "connection %d: %v", i, err)
		slowest = max(slowest, closedAfter[i])
	}
	t.Logf("%d connections without a handshake, timeout %s: the last was closed after %s", conns, timeout, slowest.Round(time.Millisecond))
	produce(t, client, "after")
	requireGoroutinesBack(t, baseline, "connections that never finished their handshake left goroutines behind")
}
