package log

import "sync"

// notifier tells waiters that the log has grown. The zero value is ready to
// use, and it is safe for concurrent use.
type notifier struct {
	mu       sync.Mutex    // guards appended
	appended chan struct{} // closed by the next notify; nil while nobody waits
}

// wait returns a channel that is closed at the next notify. Take it before
// reading the log, not after: a record that lands between the read and the
// wait has then closed it already.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.appended == nil {
		n.appended = make(chan struct{})
	}
	return n.appended
}

// notify wakes everyone holding a channel from wait.
func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.appended != nil {
		close(n.appended)
		n.appended = nil
	}
}
