package log

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestStoreReadsPastItsMapping reads records on both sides of the first
// mapping's end, so that the store maps its file again, and after a
// truncation and new appends over the same bytes, which the mapping must
// show as the file holds them.
func TestStoreReadsPastItsMapping(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	record := bytes.Repeat([]byte{7}, 64<<10)
	var positions []uint64
	for i := 0; uint64(i)*uint64(len(record)) < 2*minMapBytes; i++ {
		record[0] = byte(i)
		_, pos, err := s.Append(record)
		require.NoError(t, err)
		positions = append(positions, pos)
		// Reading as the store grows maps it early and small.
		got, err := s.Read(pos)
		require.NoError(t, err)
		require.Equal(t, byte(i), got[0])
	}
	require.Greater(t, s.size, uint64(len(s.view.Load().mmap))/2, "the test must outgrow the first mapping")
	for i, pos := range positions {
		got, err := s.Read(pos)
		require.NoError(t, err)
		require.Len(t, got, len(record))
		require.Equal(t, byte(i), got[0], "record %d", i)
	}

	last := positions[len(positions)-1]
	require.NoError(t, s.Truncate(last))
	_, pos, err := s.Append([]byte("after the cut"))
	require.NoError(t, err)
	require.Equal(t, last, pos)
	got, err := s.Read(pos)
	require.NoError(t, err)
	require.Equal(t, []byte("after the cut"), got)
}

// TestStoreReadsWhileItGrows reads records from several goroutines while
// another appends past the first mapping and past the second, so that
// readers remap the store while others read inside the old mapping without
// a lock: every read must find the bytes that were appended, and none may
// touch a mapping that is gone (which would crash the test).
func TestStoreReadsWhileItGrows(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	const size = 32 << 10
	records := int(3 * minMapBytes / size)
	positions := make(chan uint64, records)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			var seen []uint64
			for pos := range positions {
				seen = append(seen, pos)
				// Read the new record, which is in the buffer, then an
				// older one, which the file and the mapping may hold.
				for _, p := range []uint64{pos, seen[len(seen)/2]} {
					got, err := s.Read(p)
					if err != nil {
						errs <- err
						return
					}
					if len(got) != size || got[0] != byte(p/size) || got[size-1] != byte(p/size) {
						errs <- fmt.Errorf("record at %d: wrong bytes", p)
						return
					}
				}
			}
		})
	}
	record := make([]byte, size)
	for i := range records {
		pos := uint64(i) * (lenWidth + size)
		record[0], record[size-1] = byte(pos/size), byte(pos/size)
		_, got, err := s.Append(record)
		require.NoError(t, err)
		require.Equal(t, pos, got)
		// Each reader gets some of the positions.
		positions <- pos
	}
	close(positions)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NotEmpty(t, s.retired, "the store must have been mapped again while it was read")
}

// TestUnmarshalRecordMatchesProto checks the fast decoder against
// proto.Unmarshal on the records the log writes and on the cases it hands
// over to proto.Unmarshal.
func TestUnmarshalRecordMatchesProto(t *testing.T) {
	marshal := func(r *api.Record) []byte {
		p, err := proto.Marshal(r)
		require.NoError(t, err)
		return p
	}
	inputs := map[string][]byte{
		"empty":                nil,
		"value and offset":     marshal(&api.Record{Value: []byte("hello"), Offset: 42}),
		"raft entry":           marshal(&api.Record{Value: []byte("x"), Offset: 7, Term: 3, Type: 2}),
		"origin (field 5)":     marshal(&api.Record{Value: []byte("x"), Origin: "ch07"}),
		"repeated value":       append(marshal(&api.Record{Value: []byte("first")}), marshal(&api.Record{Value: []byte("last")})...),
		"unknown field":        protowire.AppendVarint(protowire.AppendTag(marshal(&api.Record{Offset: 1}), 99, protowire.VarintType), 5),
		"offset as bytes":      protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), []byte("no")),
		"truncated value":      marshal(&api.Record{Value: []byte("hello")})[:4],
		"type over 32 bits":    protowire.AppendVarint(protowire.AppendTag(nil, 4, protowire.VarintType), 1<<33+5),
		"not protobuf at all":  []byte{0xff, 0xff, 0xff},
		"two-byte varints":     marshal(&api.Record{Value: bytes.Repeat([]byte{7}, 200), Offset: 300}),
		"three-byte offset":    marshal(&api.Record{Value: bytes.Repeat([]byte{7}, 256), Offset: 50_000}),
		"torn two-byte varint": {0x10, 0x80},
	}
	for name, p := range inputs {
		t.Run(name, func(t *testing.T) {
			want := &api.Record{}
			wantErr := proto.Unmarshal(p, want)
			got := &api.Record{Value: []byte("stale"), Offset: 99}
			gotErr := unmarshalRecord(p, got, nil)
			requireHeaderMatches(t, p, want, wantErr)
			if wantErr != nil {
				require.Error(t, gotErr)
				return
			}
			require.NoError(t, gotErr)
			require.True(t, proto.Equal(want, got), "got %v, want %v", got, want)
			require.Equal(t, want.GetValue() == nil, got.GetValue() == nil, "nil and empty values must come out as proto.Unmarshal makes them")
		})
	}
}

// FuzzUnmarshalRecord checks that the fast decoder and proto.Unmarshal
// agree on arbitrary bytes: both fail, or both give equal records.
func FuzzUnmarshalRecord(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 'h', 'i', 0x10, 0x05})
	f.Add([]byte{0x20, 0x80, 0x80, 0x80, 0x80, 0x20})
	f.Add([]byte{0x0a, 0x80, 0x02, 0x10, 0xd0, 0x86, 0x03})
	f.Fuzz(func(t *testing.T, p []byte) {
		want := &api.Record{}
		wantErr := proto.Unmarshal(p, want)
		got := &api.Record{}
		gotErr := unmarshalRecord(p, got, nil)
		require.Equal(t, wantErr == nil, gotErr == nil, "proto.Unmarshal: %v; unmarshalRecord: %v", wantErr, gotErr)
		if wantErr == nil {
			require.True(t, proto.Equal(want, got))
		}
		requireHeaderMatches(t, p, want, wantErr)
	})
}

// requireHeaderMatches checks that recordHeader, which the encoded reads
// check records with, agrees with proto.Unmarshal on p: it fails when
// proto.Unmarshal failed (wantErr), and otherwise finds the offset and the
// length of the value of the record proto.Unmarshal decoded (want).
func requireHeaderMatches(t *testing.T, p []byte, want *api.Record, wantErr error) {
	t.Helper()
	offset, valueLen, err := recordHeader(p)
	if wantErr != nil {
		require.Error(t, err, "proto.Unmarshal failed: %v", wantErr)
		return
	}
	require.NoError(t, err)
	require.Equal(t, want.GetOffset(), offset)
	require.Equal(t, len(want.GetValue()), valueLen)
}

// TestReadAllocations bounds what reading one record allocates: the record
// and its value, nothing for the file: no buffer for the record's bytes,
// no length read into the heap. Reads that copied the record's bytes out
// of the store before unmarshalling them allocated three or four.
func TestReadAllocations(t *testing.T) {
	l, err := NewLog(t.TempDir(), Config{})
	require.NoError(t, err)
	closeOnCleanup(t, l)
	for range 10 {
		_, err := l.Append(&api.Record{Value: bytes.Repeat([]byte{1}, 256)})
		require.NoError(t, err)
	}
	_, err = l.Read(0) // maps the store
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := l.Read(5); err != nil {
			t.Fatal(err)
		}
	})
	require.LessOrEqual(t, allocs, 2.0, "a read allocates the record and its value only")
}
