package log

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// benchSizes are the record sizes the benchmarks measure.
var benchSizes = []int{256, 4 << 10}

// benchValue returns a record value of size bytes.
func benchValue(size int) []byte {
	v := make([]byte, size)
	for i := range v {
		v[i] = byte(i)
	}
	return v
}

// reportRecords adds records/s to a benchmark whose every iteration handles
// one record; b.SetBytes gives MB/s.
func reportRecords(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLogAppend measures Log.Append against the baseline of writing the
// same values to a file through a bufio.Writer ("raw"), without and with a
// sync per record. Compare MB/s within one run.
//
// Both write one record before the clock starts: the first write to a new
// file is slow (the first page fault of a fresh index mapping costs about
// 0.4 ms), a cost a segment pays once, not per record.
func BenchmarkLogAppend(b *testing.B) {
	for _, size := range benchSizes {
		value := benchValue(size)
		b.Run(fmt.Sprintf("%dB/raw", size), func(b *testing.B) {
			benchRawAppend(b, value, false)
		})
		b.Run(fmt.Sprintf("%dB/log", size), func(b *testing.B) {
			benchLogAppend(b, value, Config{})
		})
		var checksum Config
		checksum.Segment.Checksum = true
		b.Run(fmt.Sprintf("%dB/log-checksum", size), func(b *testing.B) {
			benchLogAppend(b, value, checksum)
		})
		b.Run(fmt.Sprintf("%dB/raw-sync", size), func(b *testing.B) {
			benchRawAppend(b, value, true)
		})
		b.Run(fmt.Sprintf("%dB/log-sync", size), func(b *testing.B) {
			benchLogAppend(b, value, Config{SyncEvery: 1})
		})
	}
}

func benchRawAppend(b *testing.B, value []byte, sync bool) {
	f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
	require.NoError(b, err)
	closeOnCleanup(b, f)
	w := bufio.NewWriter(f)
	_, err = w.Write(value)
	require.NoError(b, err)
	require.NoError(b, w.Flush())
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		if _, err := w.Write(value); err != nil {
			b.Fatal(err)
		}
		if sync {
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	}
	require.NoError(b, w.Flush())
	reportRecords(b)
}

func benchLogAppend(b *testing.B, value []byte, c Config) {
	l := openLog(b, b.TempDir(), c)
	record := &api.Record{Value: value}
	_, err := l.Append(record)
	require.NoError(b, err)
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		if _, err := l.Append(record); err != nil {
			b.Fatal(err)
		}
	}
	reportRecords(b)
}

// BenchmarkLogRead measures Log.Read of records in the page cache against
// the baseline of reading the same values from a file with ReadAt ("raw").
func BenchmarkLogRead(b *testing.B) {
	const records = 1000
	for _, size := range benchSizes {
		value := benchValue(size)
		b.Run(fmt.Sprintf("%dB/raw", size), func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
			require.NoError(b, err)
			closeOnCleanup(b, f)
			for range records {
				_, err := f.Write(value)
				require.NoError(b, err)
			}
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			i := 0
			for b.Loop() {
				if _, err := f.ReadAt(buf, int64(i%records*size)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportRecords(b)
		})
		b.Run(fmt.Sprintf("%dB/log", size), func(b *testing.B) {
			l := openLog(b, b.TempDir(), Config{})
			for range records {
				_, err := l.Append(&api.Record{Value: value})
				require.NoError(b, err)
			}
			b.SetBytes(int64(size))
			var off uint64
			for b.Loop() {
				if _, err := l.Read(off % records); err != nil {
					b.Fatal(err)
				}
				off++
			}
			reportRecords(b)
		})
	}
}
