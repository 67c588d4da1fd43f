package log

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/hashicorp/raft"
)

// RaftRPC is the first byte of every Raft connection, before TLS starts. A
// server that shares one port between Raft and gRPC (see internal/agent)
// tells the two apart by it: a TLS connection, gRPC's, starts with 0x16.
const RaftRPC = 1

// markTimeout bounds how long Accept waits for a connection's first byte,
// so that a client that connects and sends nothing cannot hold Raft's
// accept loop.
const markTimeout = 10 * time.Second

var _ raft.StreamLayer = (*StreamLayer)(nil)

// StreamLayer carries Raft's connections over TCP, each marked with the
// [RaftRPC] byte and then wrapped in TLS: mutual TLS when both configs ask
// for it. It is safe for concurrent use.
type StreamLayer struct {
	ln              net.Listener
	serverTLSConfig *tls.Config // for the connections Accept returns; nil: plain TCP
	peerTLSConfig   *tls.Config // for the connections Dial makes; nil: plain TCP
	conns           connSet     // every connection handed to Raft and not yet closed

	// HandshakeTimeout bounds the TLS handshake of a connection Accept
	// returns: one that has not finished it in time is closed. Zero means
	// DefaultRaftHandshakeTimeout. Set it before Raft starts.
	HandshakeTimeout time.Duration
}

// NewStreamLayer returns a stream layer that accepts Raft's connections on
// ln, serving them with serverTLSConfig, and dials the other servers with
// peerTLSConfig. The stream layer owns ln: Close closes it, and every
// connection it made or accepted.
func NewStreamLayer(ln net.Listener, serverTLSConfig, peerTLSConfig *tls.Config) *StreamLayer {
	return &StreamLayer{ln: ln, serverTLSConfig: serverTLSConfig, peerTLSConfig: peerTLSConfig}
}

// Dial implements raft.StreamLayer: it connects to the Raft of the server
// at addr, within timeout, and marks the connection as Raft's.
func (s *StreamLayer) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	conn, err := s.dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	return s.conns.track(conn)
}

// dial connects to addr, writes the RaftRPC mark, and starts TLS with
// peerTLSConfig, if any.
func (s *StreamLayer) dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: timeout}
	conn, err := dialer.Dial("tcp", string(addr))
	if err != nil {
		return nil, fmt.Errorf("dial raft at %s: %w", addr, err)
	}
	// The mark goes before TLS: the other side reads it to know what
	// follows.
	if _, err := conn.Write([]byte{RaftRPC}); err != nil {
		return nil, errors.Join(fmt.Errorf("dial raft at %s: %w", addr, err), conn.Close())
	}
	if s.peerTLSConfig != nil {
		conn = tls.Client(conn, s.peerTLSConfig)
	}
	return conn, nil
}

// Accept implements net.Listener: it returns the next connection that
// starts with the [RaftRPC] byte. A connection that starts with anything
// else, or sends nothing within markTimeout, is closed and reported as an
// error; Raft logs it and accepts again.
func (s *StreamLayer) Accept() (net.Conn, error) {
	conn, err := s.ln.Accept()
	if err != nil {
		return nil, err
	}
	if conn, err = s.accept(conn); err != nil {
		return nil, err
	}
	return s.conns.track(conn)
}

// accept reads conn's first byte, refuses conn unless it is the RaftRPC
// mark, and starts TLS with serverTLSConfig, if any. It closes conn when it
// refuses it.
func (s *StreamLayer) accept(conn net.Conn) (net.Conn, error) {
	mark := make([]byte, 1)
	if err := conn.SetReadDeadline(time.Now().Add(markTimeout)); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	if _, err := io.ReadFull(conn, mark); err != nil {
		return nil, errors.Join(fmt.Errorf("read raft mark from %s: %w", conn.RemoteAddr(), err), conn.Close())
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	if mark[0] != RaftRPC {
		return nil, errors.Join(fmt.Errorf("connection from %s is not raft's: it starts with %#x", conn.RemoteAddr(), mark[0]), conn.Close())
	}
	if s.serverTLSConfig != nil {
		timeout := s.HandshakeTimeout
		if timeout == 0 {
			timeout = DefaultRaftHandshakeTimeout
		}
		conn = &handshakeConn{Conn: tls.Server(conn, s.serverTLSConfig), timeout: timeout}
	}
	return conn, nil
}

// Close implements net.Listener: it closes the listener and every
// connection the stream layer handed to Raft. Raft's transport closes the
// stream layer when Raft shuts down, but not the connections in its pool,
// which would otherwise stay open, and keep the other servers' reading
// goroutines waiting, until the process ends.
func (s *StreamLayer) Close() error {
	return errors.Join(s.ln.Close(), s.conns.close())
}

// Addr implements net.Listener: the listener's address.
func (s *StreamLayer) Addr() net.Addr {
	return s.ln.Addr()
}
