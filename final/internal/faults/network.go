package faults

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// Network is a network of its own for a cluster's nodes, in which links
// between nodes can be cut and healed for real: each node runs in a Linux
// network namespace with an address of its own, all plugged into a bridge
// (the switch) that lives in a namespace of its own too, and the test
// process reaches every node through one more port of that switch. A cut
// link is a pair of rules in the switch that drop, silently, every packet
// between the two nodes' addresses, in both directions: the nodes see
// what a broken cable shows, connections that hang, not refused ones. The
// test process keeps reaching every node, as a client on the far side of
// a partition would.
//
// The switch sits in a namespace of its own, not in the test's, because
// a host that runs Docker filters bridged packets through its FORWARD
// chain, whose policy there is DROP.
type Network struct {
	// ID names the network's namespaces: proglog-faults-PID-ID-…, PID that
	// of the test process, so a later run can remove what a killed one
	// left behind.
	ID string
	// Prefix is the network's /24: the test process has .1, node i .(10+i).
	Prefix netip.Prefix
	// Nodes are the node namespaces' names, node-1's first.
	Nodes []string

	mu  sync.Mutex      // guards cut
	cut map[[2]int]bool // links cut, each pair of node indices (low, high)
}

// netnsPrefix starts the name of every namespace the battery makes.
const netnsPrefix = "proglog-faults-"

// switchNetns returns the name of the switch's namespace.
func (n *Network) switchNetns() string { return n.base() + "-switch" }

// base returns the start of the names of the network's namespaces.
func (n *Network) base() string { return netnsPrefix + n.ID }

// HostAddr returns the test process's address in the network.
func (n *Network) HostAddr() netip.Addr { return n.addr(1) }

// NodeAddr returns node i's address (i from 0).
func (n *Network) NodeAddr(i int) netip.Addr { return n.addr(10 + i) }

// addr returns the address host of the network's /24.
func (n *Network) addr(host int) netip.Addr {
	a := n.Prefix.Addr().As4()
	a[3] = byte(host)
	return netip.AddrFrom4(a)
}

// link returns the key of the link between nodes i and j.
func link(i, j int) [2]int { return [2]int{min(i, j), max(i, j)} }

// Cut cuts the links between every node of a and every node of b (node
// indices from 0), on top of the links already cut.
func (n *Network) Cut(a, b []int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, i := range a {
		for _, j := range b {
			if i != j {
				n.cut[link(i, j)] = true
			}
		}
	}
	return n.apply()
}

// HealLink heals the link between nodes i and j.
func (n *Network) HealLink(i, j int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.cut, link(i, j))
	return n.apply()
}

// Heal heals every link.
func (n *Network) Heal() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.cut)
	return n.apply()
}

// rules returns the nft script that makes the switch drop what the cut
// links carry, replacing the rules before it in one transaction. Callers
// must hold n.mu.
func (n *Network) rules() string {
	links := make([][2]int, 0, len(n.cut))
	for l := range n.cut {
		links = append(links, l)
	}
	slices.SortFunc(links, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var b strings.Builder
	// "add" then "delete" makes sure the table exists before it goes, so
	// the script works the first time too.
	fmt.Fprintf(&b, "add table bridge %s\ndelete table bridge %s\n", nftTable, nftTable)
	fmt.Fprintf(&b, "table bridge %s {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n", nftTable)
	for _, l := range links {
		x, y := n.NodeAddr(l[0]), n.NodeAddr(l[1])
		fmt.Fprintf(&b, "\t\tip saddr %s ip daddr %s drop\n\t\tip saddr %s ip daddr %s drop\n", x, y, y, x)
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

// nftTable is the nftables table of the switch's namespace that holds the
// cut links.
const nftTable = "partition"

// Links returns the links cut, as "node-1 x node-2", for the nemesis's
// diary.
func (n *Network) Links() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var links []string
	for l := range n.cut {
		links = append(links, fmt.Sprintf("node-%d x node-%d", l[0]+1, l[1]+1))
	}
	slices.Sort(links)
	if len(links) == 0 {
		return "none"
	}
	return strings.Join(links, ", ")
}
