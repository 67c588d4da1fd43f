package bench

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	raftwal "github.com/hashicorp/raft-wal"
	"github.com/tidwall/wal"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// DurableBatch is how many records a durable append writes before it
// syncs.
const DurableBatch = 64

// proglogConfig is the configuration of final/'s log in every log case:
// checksums on, as Raft's log has them, and no sync on append (the durable
// cases sync themselves, once per batch).
func proglogConfig() log.Config {
	var c log.Config
	c.Segment.Checksum = true
	return c
}

// openProglog opens final/'s log in dir.
func openProglog(dir string) (*log.Log, error) {
	l, err := log.NewLog(filepath.Join(dir, "proglog"), proglogConfig())
	if err != nil {
		return nil, fmt.Errorf("open final/'s log: %w", err)
	}
	return l, nil
}

// openTidwall opens a tidwall/wal log in dir, syncing on every write or
// never.
func openTidwall(dir string, sync bool) (*wal.Log, error) {
	opts := *wal.DefaultOptions
	opts.NoSync = !sync
	l, err := wal.Open(filepath.Join(dir, "tidwall"), &opts)
	if err != nil {
		return nil, fmt.Errorf("open tidwall/wal: %w", err)
	}
	return l, nil
}

// proglogAppend appends one record of size bytes per operation to final/'s
// log, without syncing.
func proglogAppend(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		l, err := openProglog(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		op := func(int) error {
			_, err := l.Append(&api.Record{Value: v})
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: l.Close}, nil
	}
}

// tidwallAppend appends one record of size bytes per operation to
// tidwall/wal, without syncing. Its indexes start at 1 and the callers
// share it, so the operations take their index under a lock of their own:
// tidwall/wal wants consecutive indexes, as a log's offsets are.
func tidwallAppend(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		l, err := openTidwall(dir, false)
		if err != nil {
			return nil, err
		}
		v := value(size)
		next := uint64(1)
		op := func(int) error {
			// wal.Log locks itself; next must move with the write.
			err := l.Write(next, v)
			next++
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: l.Close}, nil
	}
}

// rawAppend writes size bytes per operation to a file through a buffer as
// large as final/'s store's, and syncs every syncEvery operations (0:
// never): the least any log must do.
func rawAppend(size, syncEvery int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		f, err := os.Create(filepath.Join(dir, "raw"))
		if err != nil {
			return nil, fmt.Errorf("create raw file: %w", err)
		}
		w := bufio.NewWriterSize(f, log.StoreBufferBytes)
		v := value(size)
		op := func(i int) error {
			if _, err := w.Write(v); err != nil {
				return err
			}
			if syncEvery == 0 || (i+1)%syncEvery != 0 {
				return nil
			}
			if err := w.Flush(); err != nil {
				return err
			}
			return f.Sync()
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: closeAll(w.Flush, f.Close)}, nil
	}
}

// readOrder returns the offsets a read case reads, one per operation,
// cycling: 0, 1, 2… in order, or a fixed random permutation.
func readOrder(records int, random bool) []uint64 {
	order := make([]uint64, records)
	for i := range order {
		order[i] = uint64(i)
	}
	if random {
		r := rand.New(rand.NewPCG(1, 2))
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	return order
}

// proglogRead loads s.Records records of size bytes into final/'s log and
// reads one per operation, checking its value. It reads with
// Log.ReadInto into one record it reuses, as a reader that goes through
// the log record by record does: the read allocates nothing. (tidwall/wal
// has no such call: its Read returns a new copy of the entry.)
func proglogRead(size int, random bool) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (*Fixture, error) {
		l, err := openProglog(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		for range s.Records {
			if _, err := l.Append(&api.Record{Value: v}); err != nil {
				return nil, fmt.Errorf("load final/'s log: %w", errors.Join(err, l.Close()))
			}
		}
		order := readOrder(s.Records, random)
		// Callers is 1 for the read rows: one goroutine uses the record.
		r := &api.Record{}
		op := func(i int) error {
			off := order[i%len(order)]
			if err := l.ReadInto(off, r); err != nil {
				return err
			}
			return checkValue(r.Value, v, off)
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: l.Close}, nil
	}
}

// tidwallRead loads s.Records records of size bytes into tidwall/wal and
// reads one per operation, checking its value.
func tidwallRead(size int, random bool) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (*Fixture, error) {
		l, err := openTidwall(dir, false)
		if err != nil {
			return nil, err
		}
		v := value(size)
		var batch wal.Batch
		for i := range s.Records {
			batch.Write(uint64(i)+1, v)
		}
		if err := l.WriteBatch(&batch); err != nil {
			return nil, fmt.Errorf("load tidwall/wal: %w", errors.Join(err, l.Close()))
		}
		order := readOrder(s.Records, random)
		op := func(i int) error {
			off := order[i%len(order)]
			got, err := l.Read(off + 1)
			if err != nil {
				return err
			}
			return checkValue(got, v, off)
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: l.Close}, nil
	}
}

// proglogDurable appends DurableBatch records of size bytes to final/'s log
// and syncs it, per operation.
func proglogDurable(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		l, err := openProglog(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		op := func(int) error {
			for range DurableBatch {
				if _, err := l.Append(&api.Record{Value: v}); err != nil {
					return err
				}
			}
			return l.Sync()
		}
		return &Fixture{Op: op, RecordsPerOp: DurableBatch, Close: l.Close}, nil
	}
}

// raftWALDurable stores DurableBatch Raft entries of size bytes per
// operation with one StoreLogs, which syncs: what Raft asks of its log.
func raftWALDurable(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		walDir := filepath.Join(dir, "raft-wal")
		if err := os.MkdirAll(walDir, 0o755); err != nil {
			return nil, fmt.Errorf("open raft-wal: %w", err)
		}
		w, err := raftwal.Open(walDir)
		if err != nil {
			return nil, fmt.Errorf("open raft-wal: %w", err)
		}
		v := value(size)
		entries := make([]*raft.Log, DurableBatch)
		for i := range entries {
			entries[i] = &raft.Log{Term: 1, Type: raft.LogCommand, Data: v}
		}
		next := uint64(1)
		op := func(int) error {
			for _, e := range entries {
				e.Index = next
				next++
			}
			return w.StoreLogs(entries)
		}
		return &Fixture{Op: op, RecordsPerOp: DurableBatch, Close: w.Close}, nil
	}
}

// rawDurable writes DurableBatch records of size bytes to a file and syncs
// it, per operation: the disk's limit for this row.
func rawDurable(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (*Fixture, error) {
		f, err := rawAppend(size, DurableBatch)(dir, s)
		if err != nil {
			return nil, err
		}
		op := f.Op
		return &Fixture{
			Op: func(i int) error {
				for j := range DurableBatch {
					if err := op(i*DurableBatch + j); err != nil {
						return err
					}
				}
				return nil
			},
			RecordsPerOp: DurableBatch,
			Close:        f.Close,
		}, nil
	}
}
