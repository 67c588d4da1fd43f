package agent

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/soheilhy/cmux"
	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/log"
)

// FuzzMuxFirstBytes sends arbitrary first bytes to a port split by the
// agent's matchers, the way an agent splits its RPC port (agent.go):
// bytes that start with the Raft mark go to Raft, a TLS handshake record
// to gRPC, and anything else is closed at once, with the mux still
// serving. Each matcher reads one byte, and no first byte matches both.
func FuzzMuxFirstBytes(f *testing.F) {
	f.Add([]byte{log.RaftRPC, 0x16, 0x03})
	f.Add([]byte{tlsHandshake, 0x03, 0x01, 0x00, 0x05})
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	f.Add([]byte{})
	f.Add([]byte{0})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(f, err)
	mux := cmux.New(ln)
	mux.SetReadTimeout(closeWithin)
	raftLn, grpcLn := mux.Match(isRaft), mux.Match(isTLS)
	serving := make(chan error, 1)
	go func() { serving <- mux.Serve() }()
	f.Cleanup(func() {
		mux.Close()
		// Serve blocks in the listener's Accept, which only closing the
		// listener ends.
		_ = ln.Close() // the error would say it was closed already
		<-serving
	})
	accepted := map[string]chan net.Conn{"raft": acceptAll(raftLn), "grpc": acceptAll(grpcLn)}

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, match := range []func(io.Reader) bool{isRaft, isTLS} {
			r := &countingReader{r: bytes.NewReader(data)}
			match(r)
			require.LessOrEqual(t, r.n, 1, "a matcher must read no more than the first byte")
		}
		tlsConn, raftConn := isTLS(bytes.NewReader(data)), isRaft(bytes.NewReader(data))
		require.False(t, tlsConn && raftConn, "a connection must go to Raft or to gRPC, not both")

		conn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		want := ""
		switch {
		case raftConn:
			want = "raft"
		case tlsConn:
			want = "grpc"
		}
		_, werr := conn.Write(data)
		// No more is coming: a connection too short for a match ends now,
		// rather than at the sniff timeout.
		cerr := conn.(*net.TCPConn).CloseWrite()
		if want == "" {
			// The mux may have closed it already, failing the write or
			// the shutdown: what counts is that it is closed.
			requireClosed(t, conn)
			return
		}
		require.NoError(t, werr)
		require.NoError(t, cerr)
		select {
		case got := <-accepted[want]:
			first := make([]byte, len(data))
			_, err := io.ReadFull(got, first)
			require.NoError(t, err, "the listener must get every byte the client sent, the sniffed one included")
			require.Equal(t, data, first)
			require.NoError(t, got.Close())
		case <-time.After(closeWithin):
			t.Fatalf("the %s listener got no connection for %x", want, data)
		}
	})
}

// acceptAll accepts ln's connections into the returned channel until ln
// closes.
func acceptAll(ln net.Listener) chan net.Conn {
	conns := make(chan net.Conn, 1)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- conn
		}
	}()
	return conns
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
