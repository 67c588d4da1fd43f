package log

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// ids returns the IDs of t's producers, least recently used first.
func ids(t *producers) []string {
	var got []string
	for _, p := range t.inUseOrder() {
		got = append(got, p.id)
	}
	return got
}

func TestProducersForgetTheLeastRecentlyUsed(t *testing.T) {
	table := newProducers(3)
	table.record("a", 1, 0, 1)
	table.record("b", 1, 1, 2)
	table.record("c", 1, 2, 3)
	// A retry is a use: a is now the most recently used.
	_, found, err := table.lookup("a", 1, 4)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, []string{"b", "c", "a"}, ids(table))

	table.record("d", 1, 3, 5)
	require.Equal(t, []string{"c", "a", "d"}, ids(table), "the producer used longest ago, b, must be forgotten first")
	_, found, err = table.lookup("b", 1, 6)
	require.NoError(t, err)
	require.False(t, found, "a forgotten producer is a new one")

	table.record("c", 2, 4, 7)
	table.record("e", 1, 5, 8)
	require.Equal(t, []string{"d", "c", "e"}, ids(table), "a new record is a use too")
}

// TestFSMRetryFromAForgottenProducerIsAppendedAgain pins down what a
// producer the table forgot gets for a retry: the table cannot tell it
// from a new record, so it is appended again.
func TestFSMRetryFromAForgottenProducerIsAppendedAgain(t *testing.T) {
	f := &fsm{log: newTestLog(t, Config{}), maxProducers: 1}
	_, err := applyFrom(t, f, 1, "p", 1, "a")
	require.NoError(t, err)
	_, err = applyFrom(t, f, 2, "q", 1, "b")
	require.NoError(t, err)
	off, err := applyFrom(t, f, 3, "p", 1, "a")
	require.NoError(t, err)
	require.Equal(t, uint64(2), off)
	require.Equal(t, []string{"0:a", "1:b", "2:a"}, values(t, f.log))
}

// TestSnapshotKeepsTheOrderOfUse restores a snapshot and then applies the
// same commands to the source and to the restored FSM: both must forget
// the same producers, as every server of a cluster must, whether it
// restored a snapshot or applied every command itself.
func TestSnapshotKeepsTheOrderOfUse(t *testing.T) {
	const limit = 3
	source := &fsm{log: newTestLog(t, Config{}), maxProducers: limit}
	index := uint64(0)
	apply := func(f *fsm, id string, sequence uint64) uint64 {
		t.Helper()
		off, err := applyFrom(t, f, index, id, sequence, id)
		require.NoError(t, err)
		return off
	}
	// a is used first and last, so that the order of use differs from
	// the order of first use, and from the IDs' order.
	for _, id := range []string{"a", "c", "b", "a"} {
		index++
		apply(source, id, 1)
	}
	sink := persist(t, source)
	restored := &fsm{log: newTestLog(t, Config{}), maxProducers: limit}
	require.NoError(t, restored.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))))
	require.Equal(t, ids(source.producers), ids(restored.producers))

	for _, id := range []string{"d", "e"} {
		index++
		apply(source, id, 1)
		apply(restored, id, 1)
	}
	require.Equal(t, []string{"a", "d", "e"}, ids(source.producers), "c and b were used longest ago")
	require.Equal(t, ids(source.producers), ids(restored.producers), "a restored FSM must forget the producers the source forgot")
	index++
	require.Equal(t, apply(source, "a", 1), apply(restored, "a", 1), "both still know a: its retry is answered alike")
	require.Equal(t, values(t, source.log), values(t, restored.log))
}

func TestSnapshotWithMoreProducersThanTheLimitKeepsTheLatest(t *testing.T) {
	source := &fsm{log: newTestLog(t, Config{}), maxProducers: 3}
	for i, id := range []string{"a", "b", "c"} {
		_, err := applyFrom(t, source, uint64(i+1), id, 1, id)
		require.NoError(t, err)
	}
	sink := persist(t, source)
	smaller := &fsm{log: newTestLog(t, Config{}), maxProducers: 2}
	require.NoError(t, smaller.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))))
	require.Equal(t, []string{"b", "c"}, ids(smaller.producers))
}

func TestSnapshotRejectsProducersOutOfOrderOfUse(t *testing.T) {
	table := newProducers(0)
	table.record("a", 1, 0, 5)
	table.record("b", 1, 1, 6)
	table.inUseOrder()[1].lastUsed = 4 // listed after a, used before it
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	require.NoError(t, writeProducers(w, table))
	require.NoError(t, w.Flush())
	_, err := readProducers(bufio.NewReader(&buf), 0)
	require.ErrorIs(t, err, ErrCorrupt)
}

// TestProducersMemoryIsBounded records many more producers than the
// table may hold, each with a part of its window: the table must keep
// its size, and the heap must hold about what the limit allows rather
// than what every producer ever seen would take.
func TestProducersMemoryIsBounded(t *testing.T) {
	const (
		limit     = 1_000
		producers = 20 * limit
		sequences = 16
	)
	before := heapInUse()
	table := newProducers(limit)
	index := uint64(0)
	for i := range producers {
		id := fmt.Sprintf("producer-%08d", i)
		for s := range uint64(sequences) {
			index++
			table.record(id, s, index, index)
		}
	}
	require.Equal(t, limit, table.len())
	grown := int64(heapInUse()) - int64(before)
	// Each remembered producer takes about 1 KiB (its window of 16 × 16
	// bytes with room to grow, its ID, the map's and the list's share);
	// every producer ever seen would take 20 times the bound.
	const bound = limit * 2 << 10
	t.Logf("%d producers seen, %d remembered: the heap grew by %.2f MiB (bound %.2f MiB)", producers, table.len(), float64(grown)/(1<<20), float64(bound)/(1<<20))
	require.Less(t, grown, int64(bound), "the table holds more than its limit of producers")
	runtime.KeepAlive(table)
}

// heapInUse returns the bytes of the heap's spans in use, after a
// collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
