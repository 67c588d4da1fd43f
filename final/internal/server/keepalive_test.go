package server

import (
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// frameWait bounds how long the tests below read frames: far beyond the
// intervals they configure, far below the defaults.
const frameWait = 5 * time.Second

// rawHTTP2 connects to s as root over mutual TLS with ALPN h2 and starts
// HTTP/2 by hand: the client preface and an empty SETTINGS frame. The
// framer it returns answers nothing by itself (not even the server's
// PINGs), so a test can play a client that breaks the rules.
func rawHTTP2(t *testing.T, s *testServer) *http2.Framer {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: s.certs.RootClientCertFile, KeyFile: s.certs.RootClientKeyFile, CAFile: s.certs.CAFile, ServerAddress: "127.0.0.1",
	})
	require.NoError(t, err)
	tlsConfig.NextProtos = []string{"h2"}
	conn, err := tls.Dial("tcp", s.addr, tlsConfig)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() }) // the server may have closed it
	require.NoError(t, conn.SetDeadline(time.Now().Add(frameWait)))
	_, err = conn.Write([]byte(http2.ClientPreface))
	require.NoError(t, err)
	framer := http2.NewFramer(conn, conn)
	require.NoError(t, framer.WriteSettings())
	return framer
}

// TestKeepaliveEnforcement pings the server back to back, far more often
// than KeepaliveMinTime allows: the server must send GOAWAY with
// ENHANCE_YOUR_CALM and "too_many_pings", and close the connection.
func TestKeepaliveEnforcement(t *testing.T) {
	srv := serve(t, &Config{CommitLog: newLog(t)}) // the default KeepaliveMinTime, 5 s
	framer := rawHTTP2(t, srv)
	// gRPC forgives two pings too early; the third is one too many. A few
	// more cover pings that cross the server's own frames.
	const pings = 10
	for i := range pings {
		require.NoError(t, framer.WritePing(false, [8]byte{byte(i)}))
	}
	var goAway *http2.GoAwayFrame
	for goAway == nil {
		frame, err := framer.ReadFrame()
		require.NoError(t, err, "the server must answer %d back-to-back pings with GOAWAY before it closes the connection", pings)
		goAway, _ = frame.(*http2.GoAwayFrame)
	}
	require.Equal(t, http2.ErrCodeEnhanceYourCalm, goAway.ErrCode)
	require.Equal(t, "too_many_pings", string(goAway.DebugData()))
	requireConnectionEnds(t, framer)
}

// TestSilentConnectionIsClosed opens an HTTP/2 connection and then
// answers nothing: the server must ping it after KeepaliveTime and close
// it KeepaliveTimeout later.
func TestSilentConnectionIsClosed(t *testing.T) {
	const interval = 100 * time.Millisecond
	srv := serve(t, &Config{CommitLog: newLog(t), KeepaliveTime: interval, KeepaliveTimeout: interval})
	start := time.Now()
	framer := rawHTTP2(t, srv)
	pinged := false
	for !pinged {
		frame, err := framer.ReadFrame()
		require.NoError(t, err, "the server must ping a silent connection before it closes it")
		ping, ok := frame.(*http2.PingFrame)
		pinged = ok && !ping.IsAck()
	}
	requireConnectionEnds(t, framer)
	elapsed := time.Since(start)
	require.GreaterOrEqual(t, elapsed, 2*interval, "the server closed the connection before KeepaliveTime and KeepaliveTimeout had passed")
}

// requireConnectionEnds reads frames until the server closes the
// connection, which it must do before the read deadline.
func requireConnectionEnds(t *testing.T, framer *http2.Framer) {
	t.Helper()
	for range 1000 { // bounded: a server that keeps talking fails the test
		_, err := framer.ReadFrame()
		if err == nil {
			continue
		}
		var netErr interface{ Timeout() bool }
		require.False(t, errors.As(err, &netErr) && netErr.Timeout(), "the server did not close the connection: %v", err)
		return
	}
	require.Fail(t, "the server sent frame after frame instead of closing the connection")
}
