package log

import (
	"context"
	"crypto/tls"
	"sync"
	"time"
)

// DefaultRaftHandshakeTimeout is StreamLayer.HandshakeTimeout when it is
// zero.
const DefaultRaftHandshakeTimeout = 10 * time.Second

// handshakeConn is a TLS connection Accept returned whose handshake must
// end within timeout. Raft reads from a connection it accepted without a
// deadline, as it should for a peer that has nothing to send; without one
// on the handshake, a client that sends the RaftRPC mark and then nothing,
// or half a ClientHello, would hold a goroutine of Raft's transport and a
// file descriptor for as long as it liked.
type handshakeConn struct {
	*tls.Conn
	timeout time.Duration

	once sync.Once
	err  error // the handshake's, set once
}

// handshake runs the TLS handshake once, within c.timeout; a handshake
// that takes longer closes the connection.
func (c *handshakeConn) handshake() error {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		c.err = c.HandshakeContext(ctx)
	})
	return c.err
}

// Read implements net.Conn: it finishes the handshake first.
func (c *handshakeConn) Read(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

// Write implements net.Conn: it finishes the handshake first.
func (c *handshakeConn) Write(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
