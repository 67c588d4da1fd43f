package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/proglog-workshop/proglog/final/internal/pki"
	"github.com/proglog-workshop/proglog/final/internal/status"
)

// secret is the value of the records the status tests produce: no answer
// of the HTTP port may show it.
const secret = "record-contents-stay-private"

// startHTTPCluster starts n agents named node-0, node-1, …, each with an
// HTTP port, each joining through the first; they shut down when the test
// ends.
func startHTTPCluster(t *testing.T, n int, certs pki.Files) []*Agent {
	t.Helper()
	var agents []*Agent
	for i := range n {
		var join []string
		if i > 0 {
			join = []string{agents[0].BindAddr}
		}
		cfg := newConfig(t, i, certs, join)
		cfg.NodeName = fmt.Sprintf("node-%d", i)
		cfg.HTTPAddr = "127.0.0.1:0"
		a, err := New(cfg)
		require.NoError(t, err)
		require.NotEqual(t, "127.0.0.1:0", a.HTTPAddr, "New must report the address the HTTP port got")
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
		agents = append(agents, a)
	}
	return agents
}

// get returns the body of a GET of path on a's HTTP port, which must
// answer 200 with the given content type.
func get(t *testing.T, a *Agent, path, contentType string) []byte {
	t.Helper()
	res, err := http.Get("http://" + a.HTTPAddr + path)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }() // read-only; nothing to flush
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", path, body)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), contentType), "GET %s: Content-Type %q, want %s", path, res.Header.Get("Content-Type"), contentType)
	require.NotContains(t, string(body), secret, "GET %s must show no record", path)
	return body
}

// nodeStatus returns a's /status.json.
func nodeStatus(t *testing.T, a *Agent) status.Node {
	t.Helper()
	var n status.Node
	require.NoError(t, json.Unmarshal(get(t, a, status.NodePath, "application/json"), &n))
	return n
}

// clusterStatus returns a's /cluster.json.
func clusterStatus(t *testing.T, a *Agent) status.Cluster {
	t.Helper()
	var c status.Cluster
	require.NoError(t, json.Unmarshal(get(t, a, status.ClusterPath, "application/json"), &c))
	return c
}

// aliveVoters counts the members n sees alive, voting, and with an HTTP
// address.
func aliveVoters(n status.Node) int {
	count := 0
	for _, m := range n.Members {
		if m.Voter && m.Status == status.MemberAlive && m.HTTPAddr != "" {
			count++
		}
	}
	return count
}

// TestStatusShowsTheCluster reads the status of a 3-agent cluster: every
// node agrees on the leader and, after produces, on the offsets; the
// cluster view gathered by any node shows every node. Then the leader
// shuts down, and a follower's cluster view, polled throughout, shows a
// new leader and the old one down, without ever failing itself.
func TestStatusShowsTheCluster(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startHTTPCluster(t, 3, certs)
	leader := agents[0] // it bootstrapped the cluster
	require.True(t, eventually(func() bool {
		n := nodeStatus(t, leader)
		return n.IsLeader && aliveVoters(n) == 3
	}), "node-0 must lead and see three alive voters, each with its HTTP address: %+v", nodeStatus(t, leader))
	c := client(t, leader, certs)
	for range 3 {
		produce(t, c, secret)
	}

	want := nodeStatus(t, leader)
	require.Equal(t, status.Leader{ID: "node-0", Addr: want.RPCAddr}, want.Leader)
	require.Equal(t, uint64(3), want.NextOffset, "three records were produced")
	require.Equal(t, uint64(0), want.LowestOffset)
	for _, a := range agents {
		var got status.Node
		require.True(t, eventually(func() bool {
			got = nodeStatus(t, a)
			return got.Leader == want.Leader && got.Term == want.Term && got.NextOffset == 3 &&
				got.CommitIndex >= want.CommitIndex && got.AppliedIndex >= want.CommitIndex &&
				aliveVoters(got) == 3
		}), "%s must agree with the leader on the leader, the term, the offsets and the members: got %+v, leader %+v", a.NodeName, got, want)
		require.Equal(t, a.NodeName, got.ID)
		require.Equal(t, a.HTTPAddr, got.HTTPAddr)
	}

	follower := agents[1]
	view := clusterStatus(t, follower)
	require.Equal(t, "node-1", view.From)
	require.Len(t, view.Nodes, 3)
	for i, n := range view.Nodes {
		require.Equal(t, fmt.Sprintf("node-%d", i), n.Member.Name, "the nodes come by name")
		require.True(t, n.Reachable, "every node answers: %+v", n)
		require.Equal(t, "node-0", n.Status.Leader.ID, "%s must name the leader", n.Member.Name)
		require.Equal(t, i == 0, n.Status.IsLeader)
		require.Equal(t, uint64(3), n.Status.NextOffset)
		require.Empty(t, n.Status.Members, "the cluster view holds each node's figures, not its view of the others")
	}

	shutdown := make(chan error, 1)
	go func() { shutdown <- leader.Shutdown() }()
	var last status.Cluster
	changed := eventually(func() bool {
		last = clusterStatus(t, follower) // must answer throughout the change
		newLeader, oldDown := false, false
		for _, n := range last.Nodes {
			switch {
			case n.Member.Name == "node-0":
				oldDown = !n.Reachable && n.Error != ""
			case n.Reachable && n.Status.IsLeader:
				newLeader = true
			}
		}
		return newLeader && oldDown
	})
	require.True(t, changed, "the follower's view must come to show a new leader and node-0 down: %+v", last)
	require.NoError(t, <-shutdown)
	page := string(get(t, follower, status.PagePath, "text/html"))
	require.Regexp(t, `<tr class="down"><td>node-0</td><td>DOWN</td>`, page, "the page must mark the old leader down")
	require.Regexp(t, `<tr class="leader"><td>node-[12]</td><td>LEADER</td>`, page, "the page must mark the new leader")
}

// externalReference matches what would make a browser fetch something
// from elsewhere: an absolute URL, a protocol-relative one, a loaded
// file, a style sheet import.
var externalReference = regexp.MustCompile(`(?i)https?:|//[a-z0-9.-]+[:/]|\bsrc\s*=|<link\b|@import|url\(`)

// TestStatusPage checks the page a workshop puts on its projector: HTML,
// every node's ID in its table with the leader marked, and nothing
// fetched from elsewhere.
func TestStatusPage(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startHTTPCluster(t, 2, certs)
	require.True(t, eventually(func() bool {
		c := clusterStatus(t, agents[1])
		return len(c.Nodes) == 2 && c.Nodes[0].Reachable && c.Nodes[1].Reachable && c.Nodes[0].Status.IsLeader
	}), "node-1 must see both nodes, node-0 leading")

	page := string(get(t, agents[1], status.PagePath, "text/html"))
	require.Contains(t, page, "<!doctype html>")
	require.Contains(t, page, `<tr class="leader"><td>node-0</td><td>LEADER</td>`)
	require.Contains(t, page, `<tr class=""><td>node-1</td><td>follower</td>`)
	require.NotRegexp(t, externalReference, page, "the page must load nothing from elsewhere: projectors are often offline")
	require.Contains(t, page, `fetch("cluster.json"`, "the page must refresh itself from this node's cluster view")

	res, err := http.Get("http://" + agents[1].HTTPAddr + "/")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, "/status", res.Request.URL.Path, "the root must lead to the page")
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, err := http.NewRequestWithContext(t.Context(), method, "http://"+agents[1].HTTPAddr+status.NodePath, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, "the port is read-only: %s", method)
	}
}

// TestHTTPPortServesMetrics scrapes the HTTP port after a produce: the
// gRPC server records into the meter provider the port serves.
func TestHTTPPortServesMetrics(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	a := startHTTPCluster(t, 1, certs)[0]
	produce(t, client(t, a, certs), secret)

	// gRPC records a call's duration once the call has ended on the
	// server, which may be just after the client has its answer.
	var families map[string]*dto.MetricFamily
	require.True(t, eventually(func() bool {
		body := get(t, a, status.MetricsPath, "text/plain")
		parser := expfmt.NewTextParser(model.UTF8Validation)
		var err error
		families, err = parser.TextToMetricFamilies(strings.NewReader(string(body)))
		require.NoError(t, err, "/metrics must parse as Prometheus' text format")
		_, ok := families["rpc_server_call_duration_seconds"]
		return ok
	}), "gRPC's own metrics must be on /metrics")
	produced, ok := families["proglog_produce_records_total"]
	require.True(t, ok, "the server's produce counter must be on /metrics; families: %d", len(families))
	require.Len(t, produced.GetMetric(), 1)
	require.Equal(t, 1.0, produced.GetMetric()[0].GetCounter().GetValue())
}

// TestHTTPPortLeavesACallersMeterProviderAlone gives the agent a meter
// provider as well as an HTTP port: the server records into the caller's
// provider, which the caller serves, and the port serves no /metrics.
func TestHTTPPortLeavesACallersMeterProviderAlone(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { require.NoError(t, provider.Shutdown(context.Background())) })
	cfg := newConfig(t, 0, certs, nil)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.MeterProvider = provider
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	produce(t, client(t, a, certs), secret)

	var got metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &got))
	var names []string
	for _, scope := range got.ScopeMetrics {
		for _, m := range scope.Metrics {
			names = append(names, m.Name)
		}
	}
	require.Contains(t, names, "proglog.produce.records", "the server must record into the caller's provider")
	res, err := http.Get("http://" + a.HTTPAddr + status.MetricsPath)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusNotFound, res.StatusCode, "the caller serves its own provider: the port must not serve another")
	nodeStatus(t, a) // the status is served all the same
}

// TestHTTPPortOnEveryInterfaceAdvertisesAReachableAddress listens on
// 0.0.0.0: the others must be told the gRPC host, not 0.0.0.0, which
// would send them to themselves.
func TestHTTPPortOnEveryInterfaceAdvertisesAReachableAddress(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cfg := newConfig(t, 0, certs, nil)
	cfg.HTTPAddr = "0.0.0.0:0"
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	n, err := a.Status()
	require.NoError(t, err)
	require.Len(t, n.Members, 1)
	host, port, err := net.SplitHostPort(n.Members[0].HTTPAddr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host, "the tag must name the gRPC host")
	_, wantPort, err := net.SplitHostPort(a.HTTPAddr)
	require.NoError(t, err)
	require.Equal(t, wantPort, port)
}

// TestNoHTTPPortByDefault checks that an agent without HTTPAddr serves no
// HTTP and tells the others it has none.
func TestNoHTTPPortByDefault(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	a, err := New(newConfig(t, 0, certs, nil))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	require.Empty(t, a.HTTPAddr)
	n, err := a.Status()
	require.NoError(t, err)
	require.Len(t, n.Members, 1)
	require.Empty(t, n.Members[0].HTTPAddr, "an agent without an HTTP port must not advertise one")
}
