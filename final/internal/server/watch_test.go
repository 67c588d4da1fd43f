package server

import (
	"context"
	"sync"
	"sync/atomic"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// maxIdleReads is how many reads watchedLog answers before it decides
// that its reader loops without waiting and parks it. A correct
// ConsumeStream makes two before it waits: its record, and the miss past
// the end.
const maxIdleReads = 1000

// watchedLog is a CommitLog for tests run in a synctest bubble: it counts
// the reads that reach it, and can run a function in the middle of one.
// After maxIdleReads reads it stops answering: Read blocks until stop is
// closed, so that a handler that spins or polls ends up durably blocked,
// where synctest.Wait sees it, instead of running forever.
type watchedLog struct {
	CommitLog
	reads atomic.Int64
	stop  chan struct{} // closed to let parked reads return

	// onMiss, if set, runs once, in the first Read that finds nothing at
	// its offset: after the log said so and before the reader hears it.
	onMiss   func()
	missOnce sync.Once
}

// newWatchedLog wraps commitLog. Call release before the test ends.
func newWatchedLog(commitLog CommitLog) *watchedLog {
	return &watchedLog{CommitLog: commitLog, stop: make(chan struct{})}
}

// Read implements CommitLog.
func (l *watchedLog) Read(offset uint64) (*api.Record, error) {
	if l.reads.Add(1) > maxIdleReads {
		<-l.stop
	}
	record, err := l.CommitLog.Read(offset)
	if err != nil && l.onMiss != nil {
		l.missOnce.Do(l.onMiss)
	}
	return record, err
}

// release lets parked reads return.
func (l *watchedLog) release() { close(l.stop) }

// runConsumeStream runs srv.ConsumeStream from offset 0 on a
// streamRecorder, in a goroutine of the calling test's bubble. It returns
// the recorder, whose sent channel hands over each record, and a function
// that cancels the stream and returns the handler's error.
func runConsumeStream(srv *grpcServer) (*streamRecorder, func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	stream := &streamRecorder{ctx: ctx, sent: make(chan *api.ConsumeResponse)}
	done := make(chan error, 1)
	go func() { done <- srv.ConsumeStream(&api.ConsumeRequest{}, stream) }()
	return stream, func() error {
		cancel()
		return <-done
	}
}
