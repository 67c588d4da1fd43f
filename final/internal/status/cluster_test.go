package status

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fixedSource is a Source that always answers node: a test's stand-in for
// an agent, whose real Status the agent's tests check.
type fixedSource struct{ node Node }

// Status implements Source.
func (s fixedSource) Status() (Node, error) { return s.node, nil }

// serve serves h on a free port of 127.0.0.1 until the test ends and
// returns its address.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// newHandler returns a Handler of source, closed when the test ends.
func newHandler(t *testing.T, source Source) *Handler {
	t.Helper()
	h := NewHandler(source, nil)
	t.Cleanup(h.Close)
	return h
}

// TestClusterShowsMembersThatFailAsUnreachable gathers a cluster whose
// members fail in every way a member can: the view still comes, within
// about MemberTimeout, each bad member marked unreachable with why.
func TestClusterShowsMembersThatFailAsUnreachable(t *testing.T) {
	good := serve(t, newHandler(t, fixedSource{Node{ID: "good", NextOffset: 7}}))
	hang := make(chan struct{})
	slow := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang) }) // before the server closes: cleanups run last first
	huge := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintf(w, `{"id": "huge", "state": "%s"}`, strings.Repeat("x", MaxStatusBytes))
	}))
	garbage := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>not a status</html>"))
	}))
	broken := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there any more

	self := Node{ID: "self", IsLeader: true, Members: []Member{
		{Name: "self", Status: MemberAlive},
		{Name: "good", HTTPAddr: good, Status: MemberAlive},
		{Name: "slow", HTTPAddr: slow, Status: MemberAlive},
		{Name: "huge", HTTPAddr: huge, Status: MemberAlive},
		{Name: "garbage", HTTPAddr: garbage, Status: MemberAlive},
		{Name: "broken", HTTPAddr: broken, Status: MemberAlive},
		{Name: "closed", HTTPAddr: closed, Status: MemberFailed},
		{Name: "none", Status: MemberAlive},
		{Name: "odd", HTTPAddr: "no-port", Status: MemberAlive},
	}}
	addr := serve(t, newHandler(t, fixedSource{self}))
	start := time.Now()
	res, err := http.Get("http://" + addr + ClusterPath)
	require.NoError(t, err)
	var c Cluster
	require.NoError(t, json.NewDecoder(res.Body).Decode(&c))
	require.NoError(t, res.Body.Close())
	took := time.Since(start)
	require.Equal(t, http.StatusOK, res.StatusCode, "members that fail are not the page's failure")
	require.Less(t, took, 3*MemberTimeout, "members are asked at once, each for up to MemberTimeout")

	byName := map[string]ClusterNode{}
	for _, n := range c.Nodes {
		byName[n.Member.Name] = n
	}
	require.Len(t, byName, len(self.Members))
	require.True(t, byName["self"].Reachable)
	require.True(t, byName["self"].Status.IsLeader, "the gathering node answers for itself without a request")
	require.True(t, byName["good"].Reachable)
	require.Equal(t, uint64(7), byName["good"].Status.NextOffset)
	for name, why := range map[string]string{
		"slow":    "no answer within",
		"huge":    "larger than",
		"garbage": "decode",
		"broken":  "503",
		"closed":  "unreachable",
		"none":    "no HTTP port",
		"odd":     "no host:port",
	} {
		n := byName[name]
		require.False(t, n.Reachable, "%s must show unreachable", name)
		require.Nil(t, n.Status)
		require.Contains(t, n.Error, why, "%s must say why", name)
		require.NotContains(t, n.Error, "http://", "%s: the error names no URL", name)
	}
}

// TestClusterIsBounded gathers a cluster larger than MaxMembers: the first
// MaxMembers by name are shown, the rest counted.
func TestClusterIsBounded(t *testing.T) {
	self := Node{ID: "m000"}
	for i := range MaxMembers + 5 {
		self.Members = append(self.Members, Member{Name: fmt.Sprintf("m%03d", MaxMembers+4-i)})
	}
	h := newHandler(t, fixedSource{self})
	c := h.gather(t.Context(), self)
	require.Len(t, c.Nodes, MaxMembers)
	require.Equal(t, 5, c.Omitted)
	require.Equal(t, "m000", c.Nodes[0].Member.Name)
	require.Equal(t, fmt.Sprintf("m%03d", MaxMembers-1), c.Nodes[MaxMembers-1].Member.Name)
	require.True(t, c.Nodes[0].Reachable)
}
