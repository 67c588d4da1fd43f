//go:build unix

package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// PowerCuts is the nemesis of the coordinated crash: the power of the
// whole cluster fails at once, while the producers produce. Each cycle
// lets the workload run a while, kills every node with SIGKILL at the same
// instant, cuts each node's log files back to what was synced
// ([CutToSynced]), starts every node again and waits for the cluster to
// heal. Its nodes must be built with the crashfs tag.
//
// An acknowledged record is on the disks of a majority, synced: after
// any number of such cycles none may be missing.
type PowerCuts struct {
	// Cluster is the cluster to cut the power of.
	Cluster *Cluster
	// History receives an event for each cut and each heal.
	History *History
	// Cycles is how many cuts to make.
	Cycles int
	// Nemesis supplies the randomness, the timing between cuts and the
	// events' printing; its own faults are not used.
	Nemesis *Nemesis
}

// Run makes Cycles power cuts, or fewer if ctx ends first, each healed
// before the next, and returns how many it made, and an error if the
// cluster would not come back.
func (p *PowerCuts) Run(ctx context.Context) (int, error) {
	cycles := 0
	for ; cycles < p.Cycles && ctx.Err() == nil; cycles++ {
		p.Nemesis.wait(ctx, minQuiet, maxQuiet)
		if err := p.cut(); err != nil {
			return cycles, err
		}
	}
	return cycles, nil
}

// cut kills every node at once, drops what they never synced and starts
// them all again.
func (p *PowerCuts) cut() error {
	acked := p.History.Acknowledged()
	var wg sync.WaitGroup
	errs := make([]error, len(p.Cluster.Nodes))
	for i, node := range p.Cluster.Nodes {
		// One goroutine per node: the signals go out together, not one
		// after each node's death has been reaped.
		wg.Go(func() { errs[i] = p.Cluster.Kill(node) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var cuts []string
	for _, node := range p.Cluster.Nodes {
		cut, err := CutToSynced(node.DataDir, p.Nemesis.Rand)
		if err != nil {
			return err
		}
		cuts = append(cuts, fmt.Sprintf("%s: %s", node, cut))
	}
	p.Nemesis.event("cut the power of every node, %d produces acknowledged so far; %s", acked, strings.Join(cuts, "; "))
	heal, cancel := context.WithTimeout(context.Background(), Converge)
	defer cancel()
	if err := p.Cluster.StartAll(heal); err != nil {
		return err
	}
	p.Nemesis.event("every node restarted; the cluster is healthy")
	return nil
}

// StartAll starts every node, none of them running, on its data directory
// and ports, and waits until the cluster is healthy. The nodes start one
// after the other, each joining through those before it once their Serf
// port listens: a node that finds none of its join addresses listening
// gives up and ends, so starting them all at the same instant would be a
// race. Each node's Raft state finds the others on its own.
func (c *Cluster) StartAll(ctx context.Context) error {
	for i, node := range c.Nodes {
		var join []string
		for _, before := range c.Nodes[:i] {
			join = append(join, before.BindAddr)
		}
		if err := node.start(c.command(node, join, false)); err != nil {
			return err
		}
		if err := node.waitListening(ctx); err != nil {
			return fmt.Errorf("start every node: %w (see %s)", err, node.LogFile)
		}
	}
	return c.WaitHealthy(ctx)
}

// waitListening waits until the node's Serf port takes connections, or its
// process ends, or ctx does.
func (n *Node) waitListening(ctx context.Context) error {
	n.mu.Lock()
	exited := n.exited
	n.mu.Unlock()
	for {
		conn, err := net.DialTimeout("tcp", n.BindAddr, time.Second)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-exited:
			return fmt.Errorf("%s ended before its Serf port listened", n.Name)
		case <-ctx.Done():
			return fmt.Errorf("%s's Serf port did not listen within the deadline: last %w", n.Name, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
