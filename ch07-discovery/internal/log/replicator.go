package log

import (
	"context"
	"sync"

	"go.uber.org/zap"
	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/ch07-discovery/api/v1"
	"github.com/proglog-workshop/proglog/ch07-discovery/internal/exercise"
)

// Replicator copies into the local server the records the other servers
// of the cluster produced: for each server it is told about with Join, it
// consumes that server's log from offset 0 and produces to LocalServer
// every record whose Origin is empty (one a client produced there), with
// Origin set to the server's name. Records that are themselves copies are
// skipped: their own origin sends them to every server directly, so a
// record travels one hop and never comes back.
//
// It implements discovery.Handler. Set the exported fields before the first
// call; the methods are safe for concurrent use. The zero Replicator is
// ready to use once LocalServer is set.
type Replicator struct {
	// DialOptions are used to connect to the other servers, e.g. their TLS.
	DialOptions []grpc.DialOption
	// LocalServer is the client of this server's own log, where the copies
	// go. Required.
	LocalServer api.LogClient
	// Logger receives the errors that end a replication. Nil discards them.
	Logger *zap.Logger

	mu      sync.Mutex // guards servers and closed
	servers map[string]*replication
	closed  bool
}

// replication is the goroutine that copies one server's records.
type replication struct {
	cancel context.CancelFunc // ends the stream and the goroutine
	done   chan struct{}      // closed when the goroutine has returned
}

// Join implements discovery.Handler: it starts copying the records of the
// server called name, whose gRPC service is at addr, unless it already
// does. After Close it does nothing. It does not wait for the connection:
// a replication that fails is logged and ends.
func (r *Replicator) Join(name, addr string) error {
	//exercise:7.2 begin: see README.md#72-replicator
	return exercise.NotDone("7.2")
	//exercise:7.2 end
}

// Leave implements discovery.Handler: it stops copying the records of the
// server called name. When it returns, the stream to that server is closed
// and no copy of its records is being produced.
func (r *Replicator) Leave(name string) error {
	//exercise:7.2 begin: see README.md#72-replicator
	return exercise.NotDone("7.2")
	//exercise:7.2 end
}

// Close stops every replication, as Leave does for one, and makes later
// Joins do nothing. It is safe to call more than once.
func (r *Replicator) Close() error {
	//exercise:7.2 begin: see README.md#72-replicator
	return exercise.NotDone("7.2")
	//exercise:7.2 end
}

// logger returns r.Logger named for the replicator, or one that discards.
func (r *Replicator) logger() *zap.Logger {
	if r.Logger == nil {
		return zap.NewNop()
	}
	return r.Logger.Named("replicator")
}

// stop ends the replication and waits for its goroutine to return.
func (rep *replication) stop() {
	rep.cancel()
	<-rep.done
}

// replicate copies the records of the server called name, at addr, until
// ctx is cancelled or the stream fails. Cancelling ctx ends the stream, so
// a Recv waiting for the next record returns at once.
func (r *Replicator) replicate(ctx context.Context, name, addr string) {
	//exercise:7.2 begin: see README.md#72-replicator
	_ = ctx
	//exercise:7.2 end
}
