package discovery

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"
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

// startKeyedMember is startMember with key as the gossip key; it joins
// through join when join is not empty.
func startKeyedMember(t *testing.T, name string, key []byte, join []string) (*Membership, error) {
	t.Helper()
	m, err := New(newRecorder(), Config{
		NodeName:       name,
		BindAddr:       "127.0.0.1:0",
		StartJoinAddrs: join,
		EncryptKey:     key,
		Logger:         zaptest.NewLogger(t),
	})
	if err == nil {
		t.Cleanup(func() { require.NoError(t, m.Leave()) })
	}
	return m, err
}

func TestWrongKeyCannotJoin(t *testing.T) {
	key := newKey(t)
	first, err := startKeyedMember(t, "first", key, nil)
	require.NoError(t, err)
	join := []string{first.BindAddr}

	_, err = startKeyedMember(t, "wrong-key", newKey(t), join)
	require.Error(t, err, "a member with another key must not be able to join")
	_, err = startKeyedMember(t, "no-key", nil, join)
	require.Error(t, err, "a member without the key must not be able to join")

	// A member with the key joins; once the first sees it, gossip has run,
	// and the others must still be unknown.
	_, err = startKeyedMember(t, "right-key", key, join)
	require.NoError(t, err, "a member with the key must be able to join")
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
