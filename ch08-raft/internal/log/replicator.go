package log

import (
	"context"
	"sync"

	"go.uber.org/zap"
	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/ch08-raft/api/v1"
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	if _, ok := r.servers[name]; ok {
		return nil
	}
	if r.servers == nil {
		r.servers = map[string]*replication{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	rep := &replication{cancel: cancel, done: make(chan struct{})}
	r.servers[name] = rep
	go func() {
		defer close(rep.done)
		r.replicate(ctx, name, addr)
	}()
	return nil
}

// Leave implements discovery.Handler: it stops copying the records of the
// server called name. When it returns, the stream to that server is closed
// and no copy of its records is being produced.
func (r *Replicator) Leave(name string) error {
	r.mu.Lock()
	rep, ok := r.servers[name]
	delete(r.servers, name)
	r.mu.Unlock()
	if ok {
		rep.stop()
	}
	return nil
}

// Close stops every replication, as Leave does for one, and makes later
// Joins do nothing. It is safe to call more than once.
func (r *Replicator) Close() error {
	r.mu.Lock()
	r.closed = true
	servers := r.servers
	r.servers = nil
	r.mu.Unlock()
	for _, rep := range servers {
		rep.cancel() // all at once, then wait
	}
	for _, rep := range servers {
		rep.stop()
	}
	return nil
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
	logger := r.logger().With(zap.String("server", name), zap.String("addr", addr))
	conn, err := grpc.NewClient(addr, r.DialOptions...)
	if err != nil {
		logger.Error("dial", zap.Error(err))
		return
	}
	defer func() {
		if err := conn.Close(); err != nil {
			logger.Error("close connection", zap.Error(err))
		}
	}()
	// WaitForReady: a server that has just joined may still be starting.
	stream, err := api.NewLogClient(conn).ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0}, grpc.WaitForReady(true))
	if err != nil {
		logger.Error("consume", zap.Error(err))
		return
	}
	for {
		res, err := stream.Recv()
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("receive", zap.Error(err))
			}
			return
		}
		record := res.GetRecord()
		if record.GetOrigin() != "" {
			continue // a copy: its origin replicates it to us itself
		}
		copied := &api.Record{Value: record.GetValue(), Origin: name}
		if _, err := r.LocalServer.Produce(ctx, &api.ProduceRequest{Record: copied}); err != nil {
			if ctx.Err() == nil {
				logger.Error("produce copy", zap.Uint64("offset", record.GetOffset()), zap.Error(err))
			}
			return
		}
	}
}
