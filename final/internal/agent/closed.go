package agent

import (
	"errors"
	"fmt"
	"net"

	"github.com/soheilhy/cmux"
)

// closedAsNetClosed wraps one of cmux's listeners so that Accept reports
// the listener's end as net.ErrClosed, the error the standard library
// gives for a closed listener. cmux has errors of its own for it, which
// Raft's transport, accepting until it is shut down, would log as a
// failure on every clean shutdown (the port closes before Raft does: the
// gRPC server must stop before the log closes). Raft's logger
// (log.NewRaftLogger) logs net.ErrClosed at debug.
type closedAsNetClosed struct{ net.Listener }

func (l closedAsNetClosed) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if errors.Is(err, cmux.ErrServerClosed) || errors.Is(err, cmux.ErrListenerClosed) {
		return nil, fmt.Errorf("%w (%w)", net.ErrClosed, err)
	}
	return conn, err
}
