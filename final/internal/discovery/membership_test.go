package discovery

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

// converge is how long the tests give Serf to spread a change through a
// few members. Gossip takes well under a second on an idle machine; the
// margin is for a loaded one.
const converge = 20 * time.Second

// tick is how often the tests look again.
const tick = 20 * time.Millisecond

// recorder is a Handler that remembers what it was told.
type recorder struct {
	mu     sync.Mutex        // guards joins and leaves
	joins  map[string]string // member name → rpc_addr
	leaves []string
	// block, if not nil, is received from before each Join returns.
	block chan struct{}
}

func newRecorder() *recorder {
	return &recorder{joins: map[string]string{}}
}

// Join implements Handler.
func (r *recorder) Join(name, addr string) error {
	if r.block != nil {
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.joins[name] = addr
	return nil
}

// Leave implements Handler.
func (r *recorder) Leave(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.leaves = append(r.leaves, name)
	return nil
}

func (r *recorder) joined() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	joins := make(map[string]string, len(r.joins))
	for name, addr := range r.joins {
		joins[name] = addr
	}
	return joins
}

func (r *recorder) left() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.leaves)
}

// startMember starts member number i on a free port of 127.0.0.1, joining
// through the first of members if there is one. Its rpc_addr tag is
// "rpc-i". It leaves the cluster when the test ends.
func startMember(t *testing.T, i int, handler Handler, members []*Membership) *Membership {
	t.Helper()
	config := Config{
		NodeName: fmt.Sprint(i),
		BindAddr: "127.0.0.1:0",
		Tags:     map[string]string{RPCAddrTag: fmt.Sprintf("rpc-%d", i)},
		Logger:   zaptest.NewLogger(t),
	}
	if len(members) > 0 {
		config.StartJoinAddrs = []string{members[0].BindAddr}
	}
	m, err := New(handler, config)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Leave()) })
	return m
}

// statuses returns the status of each member m knows of, by name.
func statuses(m *Membership) map[string]serf.MemberStatus {
	got := map[string]serf.MemberStatus{}
	for _, member := range m.Members() {
		got[member.Name] = member.Status
	}
	return got
}

func TestMembership(t *testing.T) {
	handler := newRecorder()
	first := startMember(t, 0, handler, nil)
	members := []*Membership{first}
	for i := 1; i < 3; i++ {
		members = append(members, startMember(t, i, newRecorder(), members))
	}

	t.Run("the handler hears of every other member, with its rpc_addr", func(t *testing.T) {
		require.Eventually(t, func() bool {
			joined := handler.joined()
			return joined["1"] != "" && joined["2"] != ""
		}, converge, tick, "member 0's handler never heard of both members 1 and 2")
		require.Equal(t, map[string]string{"1": "rpc-1", "2": "rpc-2"}, handler.joined(), "Join gets each other member's name and RPCAddrTag, never this member's own")
		require.Len(t, first.Members(), 3)
	})

	t.Run("a member that leaves is reported as left", func(t *testing.T) {
		require.NoError(t, members[2].Leave())
		require.Eventually(t, func() bool {
			return slices.Contains(handler.left(), "2")
		}, converge, tick, "member 0's handler never heard that member 2 left")
		require.Equal(t, serf.StatusLeft, statuses(first)["2"])
		require.Equal(t, serf.StatusAlive, statuses(first)["1"])
	})

	t.Run("Leave twice returns the first result", func(t *testing.T) {
		require.NoError(t, members[2].Leave())
	})
}

// TestLeaveStopsSerf checks that Leave shuts Serf down: a member that has
// left keeps no goroutine and no socket.
func TestLeaveStopsSerf(t *testing.T) {
	before := goleak.IgnoreCurrent()
	first, err := New(newRecorder(), Config{NodeName: "0", BindAddr: "127.0.0.1:0"})
	require.NoError(t, err)
	second, err := New(newRecorder(), Config{NodeName: "1", BindAddr: "127.0.0.1:0", StartJoinAddrs: []string{first.BindAddr}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(first.Members()) == 2 }, converge, tick)

	require.NoError(t, second.Leave())
	require.NoError(t, first.Leave())

	require.NoError(t, goleak.Find(before), "goroutines outlived Leave: Leave must shut Serf down (serf.Leave alone only says goodbye)")
	for _, m := range []*Membership{first, second} {
		ln, err := net.Listen("tcp", m.BindAddr)
		require.NoError(t, err, "Serf's TCP port %s is still taken after Leave: Leave must shut Serf down", m.BindAddr)
		require.NoError(t, ln.Close())
		pc, err := net.ListenPacket("udp", m.BindAddr)
		require.NoError(t, err, "Serf's UDP port %s is still taken after Leave: Leave must shut Serf down", m.BindAddr)
		require.NoError(t, pc.Close())
	}
}

// TestSlowHandlerDoesNotBlockSerf checks that a handler stuck in Join does
// not hold up Serf. Serf passes every event through one goroutine of its
// own, which also answers Serf's internal queries (name conflicts,
// encryption keys); while nobody takes an event from that goroutine, it
// answers nothing.
func TestSlowHandlerDoesNotBlockSerf(t *testing.T) {
	stuck := newRecorder()
	stuck.block = make(chan struct{})
	first := startMember(t, 0, stuck, nil)
	// Registered after startMember's cleanup, so it runs before Leave.
	t.Cleanup(func() { close(stuck.block) })
	members := []*Membership{first}
	for i := 1; i < 3; i++ {
		members = append(members, startMember(t, i, newRecorder(), members))
	}
	// Member 0's handler is stuck in Join for member 1, and member 0 has
	// seen member 2 join: an event that is waiting for the handler.
	require.Eventually(t, func() bool { return len(first.Members()) == len(members) }, converge, tick,
		"member 0 never saw all %d members", len(members))

	// Ask member 0, through Serf's internal conflict query, where member 2
	// is. Only Serf's event goroutine answers it.
	res, err := members[1].serf.Query("_serf_conflict", []byte("2"), &serf.QueryParam{
		FilterNodes: []string{"0"},
		Timeout:     converge,
	})
	require.NoError(t, err)
	answered := false
	for r := range res.ResponseCh() { // closed when the query times out
		if r.From == "0" {
			answered = true
			break
		}
	}
	require.True(t, answered, "member 0 did not answer Serf's internal query while its handler was blocked in Join: the goroutine that reads Serf's events must only queue them, never call the handler")

	// Serf's event channel has room for a burst, so a goroutine that
	// calls the handler would only block Serf after many more events.
	// Where a new event ends up shows it at once: sent now, it must reach
	// member 0's queue while the handler is still stuck, not wait in
	// Serf's channel behind the handler.
	require.NoError(t, members[1].serf.UserEvent("ping", nil, false))
	require.Eventually(t, func() bool { return queuedUserEvent(first.queue) }, converge, tick,
		"an event sent while member 0's handler was blocked never reached member 0's queue: the goroutine that reads Serf's events must only queue them, never call the handler")
	require.Empty(t, stuck.joined(), "the handler is still blocked in its first Join")
}

// queuedUserEvent reports whether q holds a Serf user event.
func queuedUserEvent(q *eventQueue) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range q.events {
		if e.EventType() == serf.EventUser {
			return true
		}
	}
	return false
}

func TestNewRejectsBadInput(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Run("nil handler", func(t *testing.T) {
		_, err := New(nil, Config{NodeName: "0", BindAddr: "127.0.0.1:0"})
		require.ErrorContains(t, err, "handler is nil")
	})
	t.Run("no name", func(t *testing.T) {
		_, err := New(newRecorder(), Config{BindAddr: "127.0.0.1:0"})
		require.ErrorContains(t, err, "NodeName")
	})
	t.Run("a bind address that is not host:port", func(t *testing.T) {
		_, err := New(newRecorder(), Config{NodeName: "0", BindAddr: "no port"})
		require.Error(t, err)
	})
	require.NoError(t, goleak.Find(before), "a New that fails must leave nothing running")
}
