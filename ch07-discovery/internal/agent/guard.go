package agent

import (
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/ch07-discovery/api/v1"
	"github.com/proglog-workshop/proglog/ch07-discovery/internal/log"
)

// guardedLog is the agent's log as its server sees it. Chapter 3's log must
// not be used after Close: its index is unmapped, and a late call would
// crash the process. guardedLog turns such a call into an Unavailable error
// instead, and Close waits for the calls in progress.
//
// Shutdown stops the server before it closes the log, but a late call can
// still come: when GracePeriod runs out, grpc.Server.Stop cancels the calls
// without waiting for their handlers to return. The guard also makes a
// wrong Shutdown order an error a client sees, rather than a crash.
type guardedLog struct {
	mu     sync.RWMutex // guards closed; read-held by every call in progress
	log    *log.Log
	closed bool
}

// Append implements server.CommitLog.
func (g *guardedLog) Append(record *api.Record) (uint64, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return 0, errClosed
	}
	return g.log.Append(record)
}

// Read implements server.CommitLog.
func (g *guardedLog) Read(offset uint64) (*api.Record, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return nil, errClosed
	}
	return g.log.Read(offset)
}

// Close closes the log once the calls in progress have returned. Later
// calls, Close included, do nothing.
func (g *guardedLog) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.log.Close()
}

// errClosed is what a call that reaches a closed log returns to its client.
var errClosed = status.Error(codes.Unavailable, "the log is closed: the agent is shutting down")
