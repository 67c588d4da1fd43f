package agent

import (
	"io"
	"time"
)

// DefaultSniffTimeout is Config.SniffTimeout when it is zero.
const DefaultSniffTimeout = 10 * time.Second

// tlsHandshake is the first byte of every TLS connection: the content type
// of a handshake record, which the ClientHello travels in.
const tlsHandshake = 0x16

// isTLS matches the connections of gRPC clients: they start with a TLS
// handshake record. Anything else on the port (an HTTP/1 request, a port
// scanner, random bytes), and a connection that sends nothing for
// SniffTimeout, matches neither it nor isRaft, and the mux closes it at
// once rather than hand it to the gRPC server to time out.
func isTLS(r io.Reader) bool {
	first := make([]byte, 1)
	if _, err := io.ReadFull(r, first); err != nil {
		return false
	}
	return first[0] == tlsHandshake
}

// sniffTimeout returns SniffTimeout, or its default.
func (c Config) sniffTimeout() time.Duration {
	if c.SniffTimeout == 0 {
		return DefaultSniffTimeout
	}
	return c.SniffTimeout
}
