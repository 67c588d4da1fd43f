package server

// Unwrap returns the log that l meters. The server wraps the Config's log
// (metrics, then notifications), and some of what it needs only the log at
// the bottom can answer: see [underlying].
func (l *meteredLog) Unwrap() CommitLog { return l.CommitLog }

// underlying returns the log under every wrapper the server put around l:
// the Config's CommitLog, whose optional methods (NextAppend, LowestOffset)
// a wrapper does not have.
func underlying(l CommitLog) CommitLog {
	for {
		wrapper, ok := l.(interface{ Unwrap() CommitLog })
		if !ok {
			return l
		}
		l = wrapper.Unwrap()
	}
}
