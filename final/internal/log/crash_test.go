package log

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// The crash test's parent tells its child, through these environment
// variables, where the log is and how to make the records' values.
const (
	crashDirEnv  = "PROGLOG_CRASH_DIR"
	crashSeedEnv = "PROGLOG_CRASH_SEED"
)

// crashConfig is the configuration of the crash test's log: checksums on,
// every append synced, small segments so that a kill often lands near a
// roll.
func crashConfig() Config {
	c := checksumConfig(32)
	c.Segment.MaxStoreBytes = 8 << 10
	c.SyncEvery = 1
	return c
}

// crashValue returns the value of the record at offset off. It depends only
// on seed and off, so that the parent can check a record whose
// acknowledgement it never saw.
func crashValue(seed, off uint64) []byte {
	r := rand.New(rand.NewPCG(seed, off))
	v := make([]byte, 1+r.IntN(600))
	for i := range v {
		v[i] = byte(r.Uint32())
	}
	return v
}

// TestCrashChild is the process TestCrash kills. It appends records to the
// log in $PROGLOG_CRASH_DIR, printing "ack <offset> <value in hex>" once each
// Append has returned, until it is killed or a minute has passed. It skips
// unless TestCrash runs it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("TestCrash runs this in a child process")
	}
	seed, err := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	require.NoError(t, err)
	l, err := NewLog(dir, crashConfig())
	require.NoError(t, err)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		value := crashValue(seed, l.activeSegment.nextOffset)
		off, err := l.Append(&api.Record{Value: value})
		require.NoError(t, err)
		// One write per line, shorter than a pipe's atomic write size: the
		// parent sees whole lines or nothing.
		_, err = fmt.Printf("ack %d %x\n", off, value)
		require.NoError(t, err)
	}
}

// TestCrash kills a process that appends to a log with SyncEvery 1, at a
// random moment, many times over, and checks after each kill that the log
// reopens holding every acknowledged record intact, that whatever follows
// the last acknowledgement is whole and valid, and that appends go on from
// there.
func TestCrash(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skipf("the crash test kills a child process, which %s cannot start", runtime.GOOS)
	}

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (%s=%d go test -run '^TestCrash$' ./internal/log replays it)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	cycles := 100
	if testing.Short() {
		cycles = 5
	}
	// A bound for a machine far slower than any seen, not a size: the
	// test fails below if it makes fewer cycles.
	deadline := time.Now().Add(3 * time.Minute)

	dir := t.TempDir()
	var next uint64 // the log holds offsets [0, next)
	acked, cycle := 0, 0
	for ; cycle < cycles && time.Now().Before(deadline); cycle++ {
		acks := runCrashChild(t, "TestCrashChild", dir, seed, 1+rng.IntN(40))
		for i, off := range acks {
			require.Equal(t, next+uint64(i), off, "cycle %d: the child's records must take the offsets right after the recovered log", cycle)
		}
		acked += len(acks)
		lastAck := next + uint64(len(acks)) - 1

		l, err := NewLog(dir, crashConfig())
		require.NoError(t, err, "cycle %d: a log killed mid-append must reopen", cycle)
		for next = 0; ; next++ {
			record, err := l.Read(next)
			if errors.As(err, &ErrOffsetOutOfRange{}) {
				break
			}
			require.NoError(t, err, "cycle %d: record %d is damaged after the crash", cycle, next)
			require.Equal(t, crashValue(seed, next), record.Value, "cycle %d: record %d is not what was appended", cycle, next)
		}
		require.Greater(t, next, lastAck, "cycle %d: record %d was acknowledged, but the reopened log ends before it", cycle, lastAck)
		lowest, err := l.LowestOffset()
		require.NoError(t, err)
		highest, err := l.HighestOffset()
		require.NoError(t, err)
		require.Equal(t, []uint64{0, next - 1}, []uint64{lowest, highest}, "cycle %d: the offsets must be dense from 0", cycle)
		require.NoError(t, l.Close())
	}
	t.Logf("%d cycles, %d records acknowledged, %d recovered", cycle, acked, next)
	require.Equal(t, cycles, cycle, "the cycles did not fit the deadline")
}

// runCrashChild starts the test child (TestCrashChild, or another that
// prints the same acknowledgements) on the log in dir, kills it with
// SIGKILL once it has acknowledged kill records, and returns the offsets of
// every record it acknowledged, including those printed before it died.
func runCrashChild(t *testing.T, child, dir string, seed uint64, kill int) []uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, fmt.Sprintf("%s=%d", crashSeedEnv, seed))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	lines := make(chan string)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(nil, 1<<20)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
	}()
	var acks []uint64
	var other []string // what the child printed besides acknowledgements
	collect := func(line string) {
		off, ok := parseAck(t, seed, line)
		if !ok {
			other = append(other, line)
			return
		}
		acks = append(acks, off)
	}
	// finish kills the child, reads the lines it printed before it died and
	// reaps it. It runs once: below, or when the test fails first.
	finished := false
	finish := func() {
		if finished {
			return
		}
		finished = true
		_ = cmd.Process.Kill() // it may have exited already
		for line := range lines {
			collect(line)
		}
		_ = cmd.Wait() // killed on purpose: the error only says so
	}
	defer finish()

	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for len(acks) < kill {
		select {
		case line, ok := <-lines:
			if !ok {
				// Indented, the child's own test output cannot pass for this
				// test's in go test -json.
				t.Fatalf("the child exited after %d acknowledgements; it printed:\n\tchild| %s\nand on stderr:\n\tchild| %s",
					len(acks), strings.Join(other, "\n\tchild| "), strings.ReplaceAll(stderr.String(), "\n", "\n\tchild| "))
			}
			collect(line)
		case <-timeout.C:
			t.Fatalf("the child acknowledged %d records in 30s, want %d; on stderr:\n\tchild| %s",
				len(acks), kill, strings.ReplaceAll(stderr.String(), "\n", "\n\tchild| "))
		}
	}
	finish()
	return acks
}

// parseAck reads a line "ack <offset> <value in hex>" and checks the value.
func parseAck(t *testing.T, seed uint64, line string) (uint64, bool) {
	t.Helper()
	var off uint64
	var value string
	if _, err := fmt.Sscanf(line, "ack %d %s", &off, &value); err != nil {
		return 0, false
	}
	got, err := hex.DecodeString(value)
	require.NoError(t, err, "ack line %q", line)
	require.Equal(t, crashValue(seed, off), got, "the child acknowledged offset %d with another value", off)
	return off, true
}
