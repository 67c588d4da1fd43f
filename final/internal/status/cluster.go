package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Bounds of what a [Handler] gathers for [ClusterPath].
const (
	// MaxMembers is how many members a cluster view shows; the others are
	// counted in Cluster.Omitted. The page is for a few nodes on a
	// screen, and each one costs a request per refresh.
	MaxMembers = 64
	// MemberTimeout bounds how long a node waits for another's status:
	// past it, that member shows as unreachable. The page refreshes about
	// once a second, so it must not wait much longer.
	MemberTimeout = time.Second
	// MaxStatusBytes bounds a member's answer; a larger one is an error of
	// that member, not of the page.
	MaxStatusBytes = 256 << 10
)

// Cluster is every member's status as one node gathers it: what
// [ClusterPath] serves.
type Cluster struct {
	// From names the node that gathered it.
	From string `json:"from"`
	// Nodes are the members its Serf sees, by name, each with its own
	// status or why it could not be had.
	Nodes []ClusterNode `json:"nodes"`
	// Omitted counts the members past MaxMembers, left out.
	Omitted int `json:"omitted,omitempty"`
}

// ClusterNode is one member of a [Cluster].
type ClusterNode struct {
	// Member is the member as the gathering node's Serf sees it.
	Member Member `json:"member"`
	// Reachable says whether its status answered; Error says why not.
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
	// Status is its status as it answered, without its members; nil when
	// it did not answer.
	Status *Node `json:"status,omitempty"`
}

// gather returns the cluster as self sees it, asking each other member for
// its status at once, each for up to MemberTimeout.
func (h *Handler) gather(ctx context.Context, self Node) Cluster {
	members := slices.Clone(self.Members)
	slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	c := Cluster{From: self.ID}
	if len(members) > MaxMembers {
		c.Omitted = len(members) - MaxMembers
		members = members[:MaxMembers]
	}
	self.Members = nil
	c.Nodes = make([]ClusterNode, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		c.Nodes[i].Member = m
		if m.Name == self.ID {
			c.Nodes[i].Reachable, c.Nodes[i].Status = true, &self
			continue
		}
		wg.Go(func() {
			n, err := h.fetch(ctx, m.HTTPAddr)
			if err != nil {
				c.Nodes[i].Error = err.Error()
				return
			}
			c.Nodes[i].Reachable, c.Nodes[i].Status = true, n
		})
	}
	wg.Wait()
	return c
}

// fetch returns the status served at httpAddr, without its members.
func (h *Handler) fetch(ctx context.Context, httpAddr string) (*Node, error) {
	if httpAddr == "" {
		return nil, errors.New("serves no status: it has no HTTP port")
	}
	if _, _, err := net.SplitHostPort(httpAddr); err != nil {
		return nil, fmt.Errorf("its HTTP address %q is no host:port: %w", httpAddr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, MemberTimeout)
	defer cancel()
	u := url.URL{Scheme: "http", Host: httpAddr, Path: NodePath}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("status request: %w", err)
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, unreachable(err)
	}
	defer func() { _ = res.Body.Close() }() // read-only; nothing to flush
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("its status answered %s", res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxStatusBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read its status: %w", err)
	}
	if len(body) > MaxStatusBytes {
		return nil, fmt.Errorf("its status is larger than %d bytes", MaxStatusBytes)
	}
	var n Node
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("decode its status: %w", err)
	}
	n.Members = nil
	return &n, nil
}

// unreachable says why a member's status did not answer, without the URL
// the HTTP client puts in its errors: the page shows the address apart.
func unreachable(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("unreachable: no answer within %s", MemberTimeout)
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return fmt.Errorf("unreachable: %w", err)
}
