package log

import (
	"errors"
	"net"
	"sync"
)

// errStreamLayerClosed is returned by Dial and Accept for a connection made
// while the stream layer was closing.
var errStreamLayerClosed = errors.New("stream layer closed")

// connSet holds the open connections of a [StreamLayer], so that closing
// the stream layer closes them. The zero value is ready to use, and it is
// safe for concurrent use.
type connSet struct {
	mu     sync.Mutex            // guards conns and closed
	conns  map[*trackedConn]bool // the connections not yet closed
	closed bool                  // set by close: later connections are refused
}

// track adds conn to the set and returns it wrapped, so that closing it
// takes it out again. After close, it closes conn and returns an error.
func (cs *connSet) track(conn net.Conn) (net.Conn, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		return nil, errors.Join(errStreamLayerClosed, conn.Close())
	}
	if cs.conns == nil {
		cs.conns = map[*trackedConn]bool{}
	}
	tc := &trackedConn{Conn: conn, set: cs}
	cs.conns[tc] = true
	return tc, nil
}

// close closes every connection in the set, and refuses later ones.
func (cs *connSet) close() error {
	cs.mu.Lock()
	cs.closed = true
	conns := cs.conns
	cs.conns = nil
	cs.mu.Unlock()
	var errs []error
	for tc := range conns {
		if err := tc.Conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// trackedConn is a connection of a connSet.
type trackedConn struct {
	net.Conn
	set *connSet
}

// Close implements net.Conn: it closes the connection and takes it out of
// its set.
func (tc *trackedConn) Close() error {
	tc.set.mu.Lock()
	delete(tc.set.conns, tc)
	tc.set.mu.Unlock()
	return tc.Conn.Close()
}

// NetConn returns the wrapped connection.
func (tc *trackedConn) NetConn() net.Conn {
	return tc.Conn
}
