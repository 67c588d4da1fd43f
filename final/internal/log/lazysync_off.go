//go:build !(crashfs && crashfs_lazysync)

package log

// acknowledgeSync returns what Raft's log calls before it acknowledges
// entries: l.Sync, which makes them durable. (The fault battery's negative
// control swaps it, see lazysync.go.)
func acknowledgeSync(l *Log) func() error { return l.Sync }
