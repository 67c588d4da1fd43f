package server

import (
	"sync/atomic"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

var _ CommitLog = (*notifyingLog)(nil)

// notifyingLog is the CommitLog the handlers use: the log from the Config,
// plus a way to wait for its next append. Every append made through this
// server goes through it, so a ConsumeStream that has sent the last record
// can sleep until there is a new one, instead of asking the log again and
// again. Appends made to the log behind the server's back (not through
// notifyingLog.Append) wake nobody. It is safe for concurrent use.
type notifyingLog struct {
	CommitLog

	// appended holds the channel that the next Append closes; nil while
	// nobody waits. It is atomic, not behind a lock, because every append
	// looks at it: with many producers a lock there is one more they queue
	// for.
	appended atomic.Pointer[chan struct{}]
}

// newNotifyingLog wraps commitLog.
func newNotifyingLog(commitLog CommitLog) *notifyingLog {
	return &notifyingLog{CommitLog: commitLog}
}

// Append implements CommitLog: it appends to the wrapped log, then wakes
// everyone waiting on a channel from [notifyingLog.nextAppend].
func (l *notifyingLog) Append(record *api.Record) (uint64, error) {
	off, err := l.CommitLog.Append(record)
	l.wake()
	return off, err
}

// AppendFrom implements [ProducerLog]: it appends through the wrapped
// log's AppendFrom, then wakes the waiters as Append does.
func (l *notifyingLog) AppendFrom(producerID string, sequence uint64, record *api.Record) (uint64, error) {
	off, err := appendFrom(l.CommitLog, producerID, sequence, record)
	l.wake()
	return off, err
}

// wake wakes everyone waiting on a channel from
// [notifyingLog.nextAppend].
func (l *notifyingLog) wake() {
	// Wake the waiters even after an error: the log may have stored the
	// record anyway, and a waiter that finds nothing new waits again.
	// Loading first keeps the cache line shared while nobody waits. A
	// waiter that stores its channel after this load took it before
	// reading the log, so it reads the record just appended.
	if l.appended.Load() == nil {
		return
	}
	if c := l.appended.Swap(nil); c != nil {
		close(*c)
	}
}

// appendNotifier is a CommitLog that says itself when it grows, such as
// internal/log's DistributedLog: its records arrive through Raft, not only
// through this server, so only the log knows when one lands.
type appendNotifier interface {
	// NextAppend returns a channel that is closed when the next record is
	// appended, however it came.
	NextAppend() <-chan struct{}
}

// nextAppend returns a channel that is closed when the next Append through
// l returns, or, for a log that is an appendNotifier, when the log next
// grows. Take the channel before reading the log, not after: then an
// append that lands between the read and the wait has closed it already,
// and the wait ends at once instead of missing that record.
func (l *notifyingLog) nextAppend() <-chan struct{} {
	if n, ok := underlying(l.CommitLog).(appendNotifier); ok {
		return n.NextAppend()
	}
	for {
		if c := l.appended.Load(); c != nil {
			return *c
		}
		c := make(chan struct{})
		if l.appended.CompareAndSwap(nil, &c) {
			return c
		}
		// Another waiter stored its channel first: share that one.
	}
}
