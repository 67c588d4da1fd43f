package server

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// streamLimiter counts the open ConsumeStreams, in all and per client
// connection, and refuses the ones over its limits. HTTP/2 already caps
// the calls of one connection (MaxConcurrentStreams), but a client can
// open many connections, and a stream it does not read holds records on
// the server: the limiter caps what all of them can hold. It is safe for
// concurrent use.
type streamLimiter struct {
	limit, limitPerConn int // streams allowed in all, and per connection

	mu      sync.Mutex     // guards open and perConn
	open    int            // streams open in all
	perConn map[string]int // streams open per connection, by the client's address
}

// newStreamLimiter returns a limiter of limit streams in all and
// limitPerConn per connection; both must be positive.
func newStreamLimiter(limit, limitPerConn int) *streamLimiter {
	return &streamLimiter{limit: limit, limitPerConn: limitPerConn, perConn: make(map[string]int)}
}

// acquire takes a slot for a stream of the call in ctx, and returns the
// function that gives it back. Over a limit, it returns a status error with
// code ResourceExhausted that says which.
func (l *streamLimiter) acquire(ctx context.Context) (release func(), err error) {
	// The client's address and port tell its TCP connections apart.
	conn := ""
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		conn = p.Addr.String()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.limit:
		return nil, status.Errorf(codes.ResourceExhausted, "the server has %d ConsumeStreams open, its limit: try again later", l.limit)
	case l.perConn[conn] >= l.limitPerConn:
		return nil, status.Errorf(codes.ResourceExhausted, "this connection has %d ConsumeStreams open, the limit per connection", l.limitPerConn)
	}
	l.open++
	l.perConn[conn]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.open--
		if l.perConn[conn]--; l.perConn[conn] == 0 {
			delete(l.perConn, conn)
		}
	}, nil
}

// limitStreams implements grpc.StreamServerInterceptor: it runs a
// ConsumeStream only while it holds a slot of s.streams, and lets the other
// streaming methods through.
func (s *grpcServer) limitStreams(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != api.Log_ConsumeStream_FullMethodName {
		return handler(srv, ss)
	}
	release, err := s.streams.acquire(ss.Context())
	if err != nil {
		return err
	}
	defer release()
	return handler(srv, ss)
}
