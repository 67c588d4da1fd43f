package log

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// ioTimeout bounds every read and write of these tests, so that a side
// that never answers fails the test instead of hanging it.
const ioTimeout = 10 * time.Second

// accepted is what one Accept returned.
type accepted struct {
	conn net.Conn
	err  error
}

// listenStreamLayer returns a stream layer on a free port of 127.0.0.1,
// and a channel that receives the result of one Accept.
func listenStreamLayer(t *testing.T, serverTLS, peerTLS *tls.Config) (*StreamLayer, <-chan accepted) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	layer := NewStreamLayer(ln, serverTLS, peerTLS)
	t.Cleanup(func() { _ = layer.Close() }) // a test may have closed it
	results := make(chan accepted, 1)
	go func() {
		conn, err := layer.Accept()
		results <- accepted{conn, err}
	}()
	return layer, results
}

func TestStreamLayer(t *testing.T) {
	serverTLS, peerTLS, _ := raftTLS(t)
	layer, results := listenStreamLayer(t, serverTLS, peerTLS)

	client, err := layer.Dial(raft.ServerAddress(layer.Addr().String()), ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.SetDeadline(time.Now().Add(ioTimeout)))
	// The handshake runs on the first write; the server side's read
	// answers it.
	written := make(chan error, 1)
	go func() {
		_, err := client.Write([]byte("hello"))
		written <- err
	}()

	res := <-results
	require.NoError(t, res.err, "Accept must take a connection Dial made: Dial must write the RaftRPC byte before TLS starts")
	server := res.conn
	t.Cleanup(func() { _ = server.Close() })
	tlsConn, ok := unwrap(server).(*tls.Conn)
	require.True(t, ok, "Raft's connections must be mutual TLS: Accept returned a %T", unwrap(server))
	require.NoError(t, server.SetDeadline(time.Now().Add(ioTimeout)))
	got := make([]byte, 5)
	_, err = io.ReadFull(server, got)
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	require.NoError(t, <-written)
	peers := tlsConn.ConnectionState().PeerCertificates
	require.NotEmpty(t, peers, "Raft's connections must be mutual TLS: the dialling server presents its certificate")
	require.Equal(t, "root", peers[0].Subject.CommonName)
}

func TestStreamLayerRejectsOtherTraffic(t *testing.T) {
	serverTLS, peerTLS, _ := raftTLS(t)
	layer, results := listenStreamLayer(t, serverTLS, peerTLS)
	conn, err := net.Dial("tcp", layer.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = conn.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	require.NoError(t, err)

	res := <-results
	if res.conn != nil {
		_ = res.conn.Close()
	}
	require.Error(t, res.err, "Accept must refuse a connection that does not start with RaftRPC")
}

func TestStreamLayerRequiresClientCertificate(t *testing.T) {
	serverTLS, _, certs := raftTLS(t)
	// A peer that trusts the CA but has no certificate of its own.
	anonymous, err := config.SetupTLSConfig(config.TLSConfig{CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
	require.NoError(t, err)
	layer, results := listenStreamLayer(t, serverTLS, anonymous)

	client, err := layer.Dial(raft.ServerAddress(layer.Addr().String()), ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.SetDeadline(time.Now().Add(ioTimeout)))
	go func() { _, _ = client.Write([]byte("hello")) }() // fails: the handshake does

	res := <-results
	require.NoError(t, res.err)
	t.Cleanup(func() { _ = res.conn.Close() })
	require.NoError(t, res.conn.SetDeadline(time.Now().Add(ioTimeout)))
	tlsConn, ok := unwrap(res.conn).(*tls.Conn)
	require.True(t, ok, "Raft's connections must be mutual TLS: Accept returned a %T", unwrap(res.conn))
	require.Error(t, tlsConn.Handshake(), "a peer without a client certificate must not get through the handshake")
}

// unwrap returns the connection a stream layer's connection wraps: the
// TLS connection, for one Accept returned.
func unwrap(conn net.Conn) net.Conn {
	if tc, ok := conn.(*trackedConn); ok {
		conn = tc.NetConn()
	}
	if hc, ok := conn.(*handshakeConn); ok {
		return hc.Conn
	}
	return conn
}

func TestStreamLayerCloseClosesConnections(t *testing.T) {
	// Plain TCP: with TLS, a read after Close could return the error of a
	// handshake that Close cut short instead of the one this test is after.
	layer, results := listenStreamLayer(t, nil, nil)
	client, err := layer.Dial(raft.ServerAddress(layer.Addr().String()), ioTimeout)
	require.NoError(t, err)
	res := <-results
	require.NoError(t, res.err)

	require.NoError(t, layer.Close())
	_, err = res.conn.Read(make([]byte, 1))
	require.ErrorIs(t, err, net.ErrClosed, "Close must close the connections the stream layer accepted: Raft's transport does not")
	_, err = client.Read(make([]byte, 1))
	require.ErrorIs(t, err, net.ErrClosed, "Close must close the connections the stream layer dialled: Raft's transport does not")
}
