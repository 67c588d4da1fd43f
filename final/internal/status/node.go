package status

// Paths the [Handler] serves.
const (
	// PagePath serves the page, HTML.
	PagePath = "/status"
	// NodePath serves this node's [Node], JSON.
	NodePath = "/status.json"
	// ClusterPath serves the [Cluster] as this node gathers it, JSON.
	ClusterPath = "/cluster.json"
	// MetricsPath serves the metrics, for Prometheus.
	MetricsPath = "/metrics"
)

// Member states, as Serf reports them.
const (
	MemberAlive   = "alive"
	MemberLeaving = "leaving"
	MemberLeft    = "left"
	MemberFailed  = "failed"
)

// Source gives the status of the node a [Handler] serves.
type Source interface {
	// Status returns this node's view of itself and of its cluster. It may
	// be called concurrently, and must not wait on other nodes: the page
	// calls it every second.
	Status() (Node, error)
}

// Node is one node's view of itself and of its cluster: what
// [NodePath] serves.
type Node struct {
	// ID is the node's name, the same in Raft and Serf.
	ID string `json:"id"`
	// RPCAddr is where its gRPC and Raft listen; HTTPAddr where this
	// status is served.
	RPCAddr  string `json:"rpc_addr"`
	HTTPAddr string `json:"http_addr"`
	// State is its Raft role: "Leader", "Follower", "Candidate" or
	// "Shutdown"; IsLeader is State == "Leader".
	State    string `json:"state"`
	IsLeader bool   `json:"is_leader"`
	// Leader is the leader this node knows of; empty during an election.
	Leader Leader `json:"leader"`
	// Term is its Raft term. CommitIndex is the last Raft entry it knows
	// committed, AppliedIndex the last it applied to its log, LastLogIndex
	// the last in its Raft log.
	Term         uint64 `json:"term"`
	CommitIndex  uint64 `json:"commit_index"`
	AppliedIndex uint64 `json:"applied_index"`
	LastLogIndex uint64 `json:"last_log_index"`
	// LowestOffset is the offset of the first record its log holds,
	// NextOffset the offset its next record will get.
	LowestOffset uint64 `json:"lowest_offset"`
	NextOffset   uint64 `json:"next_offset"`
	// Members are the cluster's members as this node's Serf sees them.
	Members []Member `json:"members,omitempty"`
}

// Leader names a Raft leader.
type Leader struct {
	// ID is its name; Addr where its Raft (and gRPC) listen.
	ID   string `json:"id"`
	Addr string `json:"addr"`
}

// Member is one member of the cluster as a node's Serf sees it.
type Member struct {
	// Name is its name, the ID of its Raft server.
	Name string `json:"name"`
	// Addr is where its Serf listens; RPCAddr and HTTPAddr are where its
	// gRPC and its status listen, as its tags say. HTTPAddr is empty for
	// a node that serves no status.
	Addr     string `json:"addr"`
	RPCAddr  string `json:"rpc_addr"`
	HTTPAddr string `json:"http_addr,omitempty"`
	// Status is MemberAlive, MemberLeaving, MemberLeft or MemberFailed
	// (or whatever else Serf says).
	Status string `json:"status"`
	// Voter says whether it is a voter of Raft's configuration, as this
	// node knows it.
	Voter bool `json:"voter"`
}
