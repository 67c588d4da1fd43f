// Package log implements a commit log: an append-only sequence of records,
// each identified by an offset, stored in files and read back by offset.
//
// The log is a list of segments. Each segment holds a contiguous range of
// offsets in two files: a store, which holds the records' bytes one after
// another, and an index, which maps each offset to the record's position in
// the store. Appends go to the newest segment, the active one; when it is
// full the log starts a new one. Old segments can be removed as a whole with
// [Log.Truncate], or dropped by size and age as Config.Retention says
// ([Retention]). The files' layout is described in format.go.
//
// A [Log] is safe for concurrent use; once closed, it answers every call
// with [ErrClosed] instead of touching its files. After a crash, opening the log again
// recovers it: the store is the source of truth, a torn tail of the last
// segment is cut off, and its index is brought back in line with the store.
// Damage anywhere else is reported, as an error wrapping [ErrCorrupt] (a
// [*CorruptError] names the file and the byte), and no file is changed. How
// much of the end of the log a crash may lose depends on [Config.SyncEvery].
//
// A [DistributedLog] replicates a log over a cluster with Raft
// (github.com/hashicorp/raft): the leader takes the appends, every server
// applies the committed records to its own Log, and Raft's own log of
// commands is a Log too. A [StreamLayer] carries Raft's connections, marked
// with the [RaftRPC] byte and wrapped in mutual TLS.
//
// # Usage
//
//	l, err := log.NewLog(dir, log.Config{}) // the zero Config means defaults
//	if err != nil {
//		return err
//	}
//	defer l.Close()
//	off, err := l.Append(&api.Record{Value: []byte("hello")})
//	if err != nil {
//		return err
//	}
//	record, err := l.Read(off) // record.Value is "hello", record.Offset is off
package log
