package discovery

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

// memberlistEncryptMsg is the first byte of a message memberlist encrypted
// (its messageType encryptMsg); a 4-byte big-endian length follows, then
// the AES-GCM ciphertext.
const memberlistEncryptMsg = 10

// newKey returns a random key for Config.EncryptKey.
func newKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, EncryptKeyBytes)
	_, err := rand.Read(key)
	require.NoError(t, err)
	return key
}

// startKeyedMember starts a member named name with key as the gossip key,
// joining through join when it is not empty, and logging to logger. It
// leaves when the test ends.
func startKeyedMember(t *testing.T, name string, key []byte, join []string, logger *zap.Logger) *Membership {
	t.Helper()
	m, err := New(newRecorder(), Config{
		NodeName:       name,
		BindAddr:       "127.0.0.1:0",
		StartJoinAddrs: join,
		EncryptKey:     key,
		Logger:         logger,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Leave()) })
	return m
}

// TestWrongKeyCannotJoin starts members with another key, and without one,
// that join a member with a key: they must stay out, and say why at every
// attempt, at error level, since retrying will not help until a key
// changes.
func TestWrongKeyCannotJoin(t *testing.T) {
	key := newKey(t)
	first := startKeyedMember(t, "first", key, nil, zaptest.NewLogger(t))
	join := []string{first.BindAddr}

	var refused []*observer.ObservedLogs
	for _, c := range []struct {
		name string
		key  []byte
	}{{"wrong-key", newKey(t)}, {"no-key", nil}} {
		logger, logs := observedLogger(t)
		startKeyedMember(t, c.name, c.key, join, logger)
		refused = append(refused, logs)
	}
	for i, logs := range refused {
		require.Eventually(t, func() bool { return logs.FilterMessageSnippet(keyMismatchMessage).Len() >= 2 }, converge, tick,
			"member %d must log the key mismatch at each attempt", i)
		for _, entry := range logs.FilterMessageSnippet(keyMismatchMessage).All() {
			require.Equal(t, zapcore.ErrorLevel, entry.Level)
			require.Contains(t, fmt.Sprint(entry.ContextMap()["errors"]), "crypt")
		}
		require.Zero(t, logs.FilterMessage(joinedClusterMessage).Len(), "member %d must never join", i)
	}

	// A member with the key joins; once the first sees it, gossip has run,
	// and the others must still be unknown.
	logger, logs := observedLogger(t)
	startKeyedMember(t, "right-key", key, join, logger)
	require.Equal(t, 1, logs.FilterMessage(joinedClusterMessage).Len(), "a member with the key must be able to join")
	require.Eventually(t, func() bool { return statuses(first)["right-key"] == serf.StatusAlive }, converge, tick)
	require.Equal(t, map[string]serf.MemberStatus{"first": serf.StatusAlive, "right-key": serf.StatusAlive}, statuses(first),
		"only members with the key may be seen")
}

func TestNewRejectsAKeyOfTheWrongSize(t *testing.T) {
	_, err := New(newRecorder(), Config{NodeName: "a", BindAddr: "127.0.0.1:0", EncryptKey: make([]byte, 16)})
	require.ErrorContains(t, err, "EncryptKey")
}

// TestGossipOnTheWireIsEncrypted makes a Serf agent, configured as
// Membership configures it, join a listener of the test's, and reads what
// it sends: its state, which holds its name. Compression is turned off,
// so that without a key the name would be there to read.
func TestGossipOnTheWireIsEncrypted(t *testing.T) {
	const name = "a-name-to-look-for"
	t.Run("without a key the name is on the wire (the control)", func(t *testing.T) {
		conn := captureJoin(t, name, nil)
		var seen []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(seen, []byte(name)) {
			n, err := conn.Read(buf)
			require.NoError(t, err, "the name never came in the clear; read %q", seen)
			seen = append(seen, buf[:n]...)
		}
	})
	t.Run("with a key it is not", func(t *testing.T) {
		conn := captureJoin(t, name, newKey(t))
		header := make([]byte, 5)
		_, err := io.ReadFull(conn, header)
		require.NoError(t, err)
		require.Equal(t, byte(memberlistEncryptMsg), header[0], "an encrypted message must start with memberlist's encryptMsg")
		size := binary.BigEndian.Uint32(header[1:])
		require.Less(t, size, uint32(1<<20), "a message of %d bytes is not a join's state", size)
		message := make([]byte, size)
		_, err = io.ReadFull(conn, message)
		require.NoError(t, err)
		require.NotContains(t, string(message), name, "the member's name went over the wire in the clear")
	})
}

// captureJoin starts a Serf agent named name, with key, that joins a
// listener of the test's, and returns the connection it made. The
// connection is read within converge; the agent is shut down when the
// test ends.
func captureJoin(t *testing.T, name string, key []byte) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ln.Close()) })

	m := &Membership{
		Config: Config{NodeName: name, BindAddr: "127.0.0.1:0", EncryptKey: key},
		logger: zaptest.NewLogger(t),
		events: make(chan serf.Event, eventsBuffer),
	}
	config, err := m.serfConfig()
	require.NoError(t, err)
	config.MemberlistConfig.EnableCompression = false
	s, err := serf.Create(config)
	require.NoError(t, err)
	joined := make(chan error, 1)
	go func() {
		_, err := s.Join([]string{ln.Addr().String()}, true)
		joined <- err
	}()
	conn, err := ln.Accept()
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(converge)))
	t.Cleanup(func() {
		// Closing the connection ends the join, which gets no answer.
		require.NoError(t, conn.Close())
		require.Error(t, <-joined)
		require.NoError(t, s.Shutdown())
	})
	return conn
}
