package bench

import (
	"bytes"
	"errors"
	"fmt"
)

// Role says what a case is to its row.
type Role string

// The roles of a case.
const (
	// Subject is final/'s service, the system the row's target is about.
	Subject Role = "subject"
	// Peer is the system the subject is compared with.
	Peer Role = "peer"
	// Limit is a physical limit measured in the same run, the ceiling of
	// every system of the row: raw writes to a file, the disk's sync rate.
	Limit Role = "limit"
)

// Row is one line of the targets: a piece of work, done by the subject and
// by its peer, and the ratio of their records per second that the subject
// must reach.
type Row struct {
	// ID names the row in benchmark names and in the JSON.
	ID string
	// Work says what is measured, for a person.
	Work string
	// Target is the least ratio of the subject's records per second to
	// the peer's that the row asks for.
	Target float64
	// Latency says that the row reports p50 and p99 latencies.
	Latency bool
}

// Scale sizes the runs: what a read or consume case loads before it is
// measured.
type Scale struct {
	// Records is how many records a read or consume case loads first; the
	// case then reads them over and over.
	Records int
	// Short says that this is a smoke run: the smallest settings that still
	// exercise every step.
	Short bool
}

// FullScale is the scale of a real run, ShortScale that of the smoke tests.
var (
	FullScale  = Scale{Records: 50_000}
	ShortScale = Scale{Records: 64, Short: true}
)

// Fixture is a system set up for a case, ready to run its operation.
type Fixture struct {
	// Op is one operation: an append, a batch, a call, or the receipt of
	// one record.
	Op Op
	// RecordsPerOp is how many records one operation handles.
	RecordsPerOp int
	// Close stops the system and releases what it holds; the directory is
	// the caller's to remove.
	Close func() error
}

// Case is one system doing the work of a row.
type Case struct {
	Row    *Row
	System string
	Role   Role
	// Callers is how many goroutines call Op at once.
	Callers int
	// Setup starts the system in dir, an empty directory of its own, at
	// scale s.
	Setup func(dir string, s Scale) (*Fixture, error)
}

// Name is the case's name in benchmark output: row and system.
func (c Case) Name() string {
	return c.Row.ID + "/" + c.System
}

// value returns a record value of size bytes. The bytes vary, so that no
// layer can get away with compressing them.
func value(size int) []byte {
	v := make([]byte, size)
	for i := range v {
		v[i] = byte(i*7 + i/256)
	}
	return v
}

// errWrongValue is returned by read operations whose record is not the
// value that was stored: a benchmark must not measure a wrong answer.
var errWrongValue = errors.New("read returned another value than the one stored")

// checkValue returns errWrongValue, with context, unless got is want.
func checkValue(got, want []byte, at uint64) error {
	if !bytes.Equal(got, want) {
		return fmt.Errorf("record %d: %w (%d bytes, want %d)", at, errWrongValue, len(got), len(want))
	}
	return nil
}

// closeAll returns a Close that calls every function in order and joins
// their errors.
func closeAll(fns ...func() error) func() error {
	return func() error {
		var errs []error
		for _, fn := range fns {
			errs = append(errs, fn())
		}
		return errors.Join(errs...)
	}
}
