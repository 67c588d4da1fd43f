//go:build unix

package faults

import (
	"context"
	"strings"
	"time"
)

// The partitions' timing, each a range the nemesis picks from at random.
// A cut lasts long enough, most of the time, for the majority to elect a
// leader of its own (Raft's heartbeat timeout is 1 s) and for the
// minority's old leader to go on believing, for a while, that it leads.
const (
	minCut, maxCut       = 1 * time.Second, 5 * time.Second               // a partition holds
	minFlap, maxFlap     = 2 * time.Second, 6 * time.Second               // a link flaps
	minToggle, maxToggle = 100 * time.Millisecond, 700 * time.Millisecond // each state of a flapping link
)

// isolateLeader cuts the leader off from every other node, waits, and
// heals. Clients still reach it: a leader that answered as one after the
// majority elected another would show as a stale read or a lost write.
func (n *Nemesis) isolateLeader(ctx context.Context, leader *Node) error {
	return n.partition(ctx, "isolated the leader", []*Node{leader}, others(n.Cluster.Nodes, leader))
}

// splitMinority cuts a random minority, the leader perhaps in it, off
// from the majority, waits, and heals.
func (n *Nemesis) splitMinority(ctx context.Context, _ *Node) error {
	nodes := n.shuffled()
	size := 1 + n.Rand.IntN(max(1, (len(nodes)-1)/2))
	return n.partition(ctx, "split a minority off", nodes[:size], nodes[size:])
}

// partition cuts every link between side a and side b, waits, and heals
// every link, even when ctx ends meanwhile.
func (n *Nemesis) partition(ctx context.Context, what string, a, b []*Node) error {
	network := n.Cluster.Network
	if err := network.Cut(indices(a), indices(b)); err != nil {
		return err
	}
	n.event("%s: %s | %s", what, names(a), names(b))
	n.wait(ctx, minCut, maxCut)
	if err := network.Heal(); err != nil {
		return err
	}
	n.event("healed the partition")
	return nil
}

// flapLink cuts the link between the leader and a follower, heals it,
// cuts it again, and so on, each state lasting a random time, then heals
// it: the leader keeps losing and finding a follower, and with 3 nodes
// its majority.
func (n *Nemesis) flapLink(ctx context.Context, leader *Node) error {
	network := n.Cluster.Network
	follower := n.follower(leader)
	n.event("flapping the link %s x %s", leader, follower)
	deadline := time.Now().Add(minFlap + time.Duration(n.Rand.Int64N(int64(maxFlap-minFlap))))
	flaps := 0
	for cut := true; time.Now().Before(deadline) && ctx.Err() == nil; cut = !cut {
		var err error
		if cut {
			err = network.Cut([]int{leader.index}, []int{follower.index})
			flaps++
		} else {
			err = network.HealLink(leader.index, follower.index)
		}
		if err != nil {
			return err
		}
		n.wait(ctx, minToggle, maxToggle)
	}
	if err := network.Heal(); err != nil {
		return err
	}
	n.event("healed the link %s x %s after %d cuts", leader, follower, flaps)
	return nil
}

// others returns the nodes of nodes other than node.
func others(nodes []*Node, node *Node) []*Node {
	var rest []*Node
	for _, other := range nodes {
		if other != node {
			rest = append(rest, other)
		}
	}
	return rest
}

// indices returns the nodes' places in the cluster.
func indices(nodes []*Node) []int {
	var is []int
	for _, node := range nodes {
		is = append(is, node.index)
	}
	return is
}

// names returns the nodes' names, comma-separated.
func names(nodes []*Node) string {
	var ns []string
	for _, node := range nodes {
		ns = append(ns, node.Name)
	}
	return strings.Join(ns, ", ")
}
