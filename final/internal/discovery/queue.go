package discovery

import (
	"sync"

	"github.com/hashicorp/serf/serf"
)

// eventQueue is a first-in, first-out queue of Serf events between the
// goroutine that takes them from Serf and the one that hands them to the
// Handler. push never blocks, so Serf never waits for the Handler. The
// queue has no bound: it holds one entry per membership change that the
// Handler has not seen yet, which a cluster's churn keeps small.
type eventQueue struct {
	mu     sync.Mutex // guards events
	events []serf.Event
	// ready holds a token while events may be non-empty, to wake pop.
	ready chan struct{}
}

func newEventQueue() *eventQueue {
	return &eventQueue{ready: make(chan struct{}, 1)}
}

// push adds e at the end of the queue.
func (q *eventQueue) push(e serf.Event) {
	q.mu.Lock()
	q.events = append(q.events, e)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default: // a token is already there
	}
}

// pop removes and returns the first event, waiting for one if the queue is
// empty. Once done is closed it returns false, and the events still
// queued are dropped.
func (q *eventQueue) pop(done <-chan struct{}) (serf.Event, bool) {
	for {
		select {
		case <-done:
			return nil, false
		default:
		}
		q.mu.Lock()
		if len(q.events) > 0 {
			e := q.events[0]
			q.events[0] = nil // let the event be collected
			q.events = q.events[1:]
			q.mu.Unlock()
			return e, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-done:
			return nil, false
		}
	}
}
