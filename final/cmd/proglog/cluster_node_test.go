//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe for the supervisor's goroutines and
// the test's.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// script writes an executable shell script into a temporary directory and
// returns its path: a stand-in for the proglog binary, which the
// supervisor runs with serve's arguments.
func script(t *testing.T, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "node.sh")
	require.NoError(t, os.WriteFile(file, []byte("#!/bin/sh\n"+body+"\n"), 0o700))
	return file
}

// oneNodeState is a cluster.json of one node, on ports nothing listens on.
func oneNodeState(t *testing.T) (clusterDir, clusterState) {
	t.Helper()
	dir := clusterDir(t.TempDir())
	state, err := newClusterState(1)
	require.NoError(t, err)
	return dir, state
}

func TestSupervisorGivesUpOnANodeThatKeepsFailingToStart(t *testing.T) {
	dir, state := oneNodeState(t)
	out := &lockedBuffer{}
	sup := newSupervisor(dir, script(t, "exit 3"), state, out)
	t.Cleanup(func() { sup.stop(time.Second) })
	sup.start(0, nil)
	select {
	case err := <-sup.failed:
		require.ErrorContains(t, err, "node-1 exited 3 times")
	case <-time.After(stepTimeout):
		require.FailNow(t, "the supervisor kept restarting a node that cannot start", out.String())
	}
	require.Equal(t, 2, strings.Count(out.String(), "restarting it"), "the node is restarted twice before the supervisor gives up:\n%s", out)
}

func TestSupervisorKillsANodeThatIgnoresSIGTERM(t *testing.T) {
	dir, state := oneNodeState(t)
	out := &lockedBuffer{}
	sup := newSupervisor(dir, script(t, "trap '' TERM\necho up\nexec sleep 60"), state, out)
	sup.start(0, nil)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "[node-1] up") }, stepTimeout, pollEvery)
	stopped := make(chan struct{})
	go func() {
		sup.stop(100 * time.Millisecond)
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(stepTimeout):
		require.FailNow(t, "stop did not return: the node that ignores SIGTERM was not killed")
	}
	require.Contains(t, out.String(), "node-1 is still running after 100ms: killing it")
	state, err := dir.readState()
	require.NoError(t, err)
	require.Zero(t, state.Nodes[0].PID, "cluster.json must show the node stopped")
}

func TestWaitForGivesUpAfterItsTimeoutWithTheLastReason(t *testing.T) {
	reason := errors.New("node-2 knows no leader yet")
	err := waitFor(t.Context(), 50*time.Millisecond, nil, func(context.Context) error { return reason })
	require.ErrorIs(t, err, reason)
	require.ErrorContains(t, err, "not ready after 50ms")
}

func TestWaitForStopsWhenANodeKeepsFailing(t *testing.T) {
	failure := errors.New("node-1 exited 3 times")
	failed := make(chan error, 1)
	failed <- failure
	err := waitFor(t.Context(), stepTimeout, failed, func(context.Context) error { return errors.New("not yet") })
	require.ErrorIs(t, err, failure)
}
