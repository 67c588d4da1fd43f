package log

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStreamLayerHandshakeTimeout sends the RaftRPC mark and then
// nothing: Raft's first read of the connection Accept returned must fail
// once HandshakeTimeout has passed, and the connection be closed, rather
// than wait for a handshake that never comes.
func TestStreamLayerHandshakeTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	serverTLS, peerTLS, _ := raftTLS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	layer := NewStreamLayer(ln, serverTLS, peerTLS)
	layer.HandshakeTimeout = timeout
	t.Cleanup(func() { _ = layer.Close() })
	results := make(chan accepted, 1)
	go func() {
		conn, err := layer.Accept()
		results <- accepted{conn, err}
	}()
	conn, err := net.Dial("tcp", layer.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = conn.Write([]byte{RaftRPC})
	require.NoError(t, err)

	res := <-results
	require.NoError(t, res.err)
	t.Cleanup(func() { _ = res.conn.Close() })
	read := make(chan error, 1)
	go func() {
		_, err := res.conn.Read(make([]byte, 1)) // as Raft's transport does, without a deadline
		read <- err
	}()
	select {
	case err := <-read:
		require.Error(t, err, "a connection whose handshake never came must not be readable")
	case <-time.After(ioTimeout):
		require.Fail(t, "the handshake was not bounded by HandshakeTimeout", "still waiting after %s; the timeout is %s", ioTimeout, timeout)
	}

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err = io.Copy(io.Discard, conn)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the stream layer must close the connection")
}
