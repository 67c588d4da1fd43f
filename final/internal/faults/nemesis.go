//go:build unix

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Nemesis injects faults into a cluster, one at a time, each healed
// before the next: SIGKILL of the leader and a restart, SIGKILL of a
// follower and a restart, a SIGSTOP pause of the leader and SIGCONT, and,
// in a cluster of 5 or more, SIGKILL of as many nodes as can fail at once
// (2 of 5), chosen at random, the leader perhaps among them, and their
// restart. In a cluster with a [Network] it also cuts links: the leader
// isolated from every other node, a random minority split from the
// majority, one link that fails and comes back again and again (see
// partition.go). Every fault leaves a majority able to elect a leader,
// so every produce can complete: the battery checks that nothing is lost,
// not that a cluster without a majority stalls.
type Nemesis struct {
	// Cluster is the cluster to hurt.
	Cluster *Cluster
	// History receives an event for each fault and each heal.
	History *History
	// Rand chooses the faults, their targets and their lengths: the same
	// seed gives the same choices.
	Rand *rand.Rand
	// Logf prints each event as it happens (t.Logf).
	Logf func(format string, args ...any)
}

// The nemesis's timing, each a range it picks from at random.
const (
	minDown, maxDown   = 200 * time.Millisecond, 2 * time.Second // a killed node stays down
	minPause, maxPause = 500 * time.Millisecond, 3 * time.Second // a paused leader stays paused
	minQuiet, maxQuiet = 500 * time.Millisecond, 2 * time.Second // between two faults
)

// Run injects faults until ctx ends, and returns with the cluster healed:
// every node running, unpaused, and agreeing on a leader. It returns the
// number of faults injected, and an error if the cluster would not heal.
func (n *Nemesis) Run(ctx context.Context) (int, error) {
	faults := 0
	for ctx.Err() == nil {
		if err := n.fault(ctx); err != nil {
			return faults, err
		}
		faults++
		began := time.Now()
		heal, cancel := context.WithTimeout(context.Background(), Converge)
		err := n.Cluster.WaitHealthy(heal)
		cancel()
		if err != nil {
			return faults, err
		}
		n.event("healed in %s", time.Since(began).Round(time.Millisecond))
		n.wait(ctx, minQuiet, maxQuiet)
	}
	return faults, nil
}

// fault injects one fault and undoes it: the node killed is restarted, the
// node paused resumed, even when ctx ends meanwhile.
func (n *Nemesis) fault(ctx context.Context) error {
	find, cancel := context.WithTimeout(context.Background(), Converge)
	defer cancel()
	leader, err := n.Cluster.Leader(find)
	if err != nil {
		return err
	}
	faults := n.faults()
	return faults[n.Rand.IntN(len(faults))](ctx, leader)
}

// faultFunc injects one fault into a cluster whose leader is leader, and
// undoes it before it returns.
type faultFunc func(ctx context.Context, leader *Node) error

// faults returns the faults the nemesis chooses from, always in the same
// order, so that a seed replays the same choices: the process faults, and
// the partitions if the cluster has a network.
func (n *Nemesis) faults() []faultFunc {
	faults := []faultFunc{
		func(ctx context.Context, leader *Node) error {
			return n.killAndRestart(ctx, "the leader", leader)
		},
		func(ctx context.Context, leader *Node) error {
			return n.killAndRestart(ctx, "a follower", n.follower(leader))
		},
		n.pauseLeader,
	}
	if len(n.Cluster.Nodes) >= 5 {
		faults = append(faults, func(ctx context.Context, _ *Node) error {
			return n.killAndRestart(ctx, "a minority", n.minority()...)
		})
	}
	if n.Cluster.Network != nil {
		faults = append(faults, n.isolateLeader, n.splitMinority, n.flapLink)
	}
	return faults
}

// pauseLeader stops the leader with SIGSTOP, waits, and lets it run again.
func (n *Nemesis) pauseLeader(ctx context.Context, leader *Node) error {
	if err := n.Cluster.Pause(leader); err != nil {
		return err
	}
	n.event("paused the leader %s (process %d)", leader, leader.PID())
	n.wait(ctx, minPause, maxPause)
	if err := n.Cluster.Resume(leader); err != nil {
		return err
	}
	n.event("resumed %s", leader)
	return nil
}

// killAndRestart kills nodes with SIGKILL, all at once, waits, and
// restarts them; what says who they are, for the events.
func (n *Nemesis) killAndRestart(ctx context.Context, what string, nodes ...*Node) error {
	var killed []string
	for _, node := range nodes {
		pid := node.PID()
		if err := n.Cluster.Kill(node); err != nil {
			return err
		}
		killed = append(killed, fmt.Sprintf("%s (process %d)", node, pid))
	}
	n.event("killed %s: %s", what, strings.Join(killed, ", "))
	n.wait(ctx, minDown, maxDown)
	for _, node := range nodes {
		if err := n.Cluster.Restart(context.Background(), node); err != nil {
			return err
		}
		n.event("restarted %s (process %d)", node, node.PID())
	}
	return nil
}

// minority returns as many nodes as the cluster can lose and keep a
// majority, at random.
func (n *Nemesis) minority() []*Node {
	return n.shuffled()[:(len(n.Cluster.Nodes)-1)/2]
}

// shuffled returns the cluster's nodes in a random order.
func (n *Nemesis) shuffled() []*Node {
	nodes := slices.Clone(n.Cluster.Nodes)
	n.Rand.Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })
	return nodes
}

// follower returns a node other than leader, at random.
func (n *Nemesis) follower(leader *Node) *Node {
	followers := others(n.Cluster.Nodes, leader)
	return followers[n.Rand.IntN(len(followers))]
}

// wait waits a random time between least and most, or until ctx ends.
func (n *Nemesis) wait(ctx context.Context, least, most time.Duration) {
	d := least + time.Duration(n.Rand.Int64N(int64(most-least)))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// event records and prints a nemesis event.
func (n *Nemesis) event(format string, args ...any) {
	n.History.AddEvent(format, args...)
	// The time matches an event with the nodes' logs.
	n.Logf("%s nemesis: "+format, append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// String describes the nemesis's faults.
func (n *Nemesis) String() string {
	faults := fmt.Sprintf("SIGKILL of the leader, a follower or (5 nodes or more) a minority, down %s–%s; leader SIGSTOP for %s–%s", minDown, maxDown, minPause, maxPause)
	if n.Cluster.Network != nil {
		faults += fmt.Sprintf("; leader isolated or a minority split off for %s–%s; a link flapping for %s–%s", minCut, maxCut, minFlap, maxFlap)
	}
	return fmt.Sprintf("%s; %s–%s apart", faults, minQuiet, maxQuiet)
}
