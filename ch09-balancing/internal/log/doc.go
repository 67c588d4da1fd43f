// Package log implements a commit log: an append-only sequence of records,
// each identified by an offset, stored in files and read back by offset.
//
// The log is a list of segments. Each segment holds a contiguous range of
// offsets in two files: a store, which holds the records' bytes one after
// another, and an index, which maps each offset to the record's position in
// the store. Appends go to the newest segment, the active one; when it is
// full the log starts a new one. Old segments can be removed as a whole with
// [Log.Truncate]. The files' layout is described in format.go.
//
// A [Log] is safe for concurrent use. After a crash, opening the log again
// recovers it: the store is the source of truth, a torn last record is cut
// off, and the index is brought back in line with the store. How much of the
// end of the log a crash may lose depends on [Config.SyncEvery].
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
