package faults

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// NetnsUsable returns why this machine cannot make a [Network], or nil if
// it can: it needs root, iproute2's ip and nftables' nft, and a kernel
// that lets it add a network namespace, which it tries.
func NetnsUsable() error {
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("network namespaces need %s: %w", tool, err)
		}
	}
	probe := fmt.Sprintf("%s%d-probe", netnsPrefix, os.Getpid())
	if err := run("ip", "netns", "add", probe); err != nil {
		return fmt.Errorf("cannot add a network namespace: %w", err)
	}
	return run("ip", "netns", "delete", probe)
}

// NewNetwork makes a network for nodes nodes (see [Network]) and returns
// it; [Network.Close] removes it. It first removes the namespaces that
// earlier test processes, now dead, left behind.
func NewNetwork(nodes int) (*Network, error) {
	removeStaleNetns()
	id := make([]byte, 3)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("name the network: %w", err)
	}
	prefix, err := freePrefix()
	if err != nil {
		return nil, err
	}
	n := &Network{ID: fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(id)), Prefix: prefix, cut: map[[2]int]bool{}}
	for i := range nodes {
		n.Nodes = append(n.Nodes, fmt.Sprintf("%s-node-%d", n.base(), i+1))
	}
	if err := n.build(); err != nil {
		return nil, errors.Join(err, n.Close())
	}
	return n, nil
}

// build makes the switch, plugs the test process into it, then each node.
func (n *Network) build() error {
	sw := n.switchNetns()
	// The host's end of its cable has a name of at most 15 bytes, unique
	// on the host: "pf" and the 6 hex digits of the network's ID.
	hostEnd := "pf" + n.ID[strings.LastIndexByte(n.ID, '-')+1:]
	hostAddr := netip.PrefixFrom(n.HostAddr(), n.Prefix.Bits()).String()
	cmds := [][]string{
		{"ip", "netns", "add", sw},
		{"ip", "-n", sw, "link", "add", "br0", "type", "bridge"},
		{"ip", "-n", sw, "link", "set", "br0", "up"},
		{"ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "host", "netns", sw},
		{"ip", "-n", sw, "link", "set", "host", "master", "br0", "up"},
		{"ip", "addr", "add", hostAddr, "dev", hostEnd},
		{"ip", "link", "set", hostEnd, "up"},
	}
	for i, ns := range n.Nodes {
		port := "n" + strconv.Itoa(i+1)
		addr := netip.PrefixFrom(n.NodeAddr(i), n.Prefix.Bits()).String()
		cmds = append(cmds,
			[]string{"ip", "netns", "add", ns},
			[]string{"ip", "-n", ns, "link", "set", "lo", "up"},
			[]string{"ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", sw},
			[]string{"ip", "-n", sw, "link", "set", port, "master", "br0", "up"},
			[]string{"ip", "-n", ns, "addr", "add", addr, "dev", "eth0"},
			[]string{"ip", "-n", ns, "link", "set", "eth0", "up"},
		)
	}
	for _, cmd := range cmds {
		if err := run(cmd[0], cmd[1:]...); err != nil {
			return fmt.Errorf("make the network %s: %w", n.ID, err)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.apply()
}

// apply loads the rules of the cut links into the switch. Callers must
// hold n.mu.
func (n *Network) apply() error {
	cmd := exec.Command("ip", "netns", "exec", n.switchNetns(), "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(n.rules())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("load the switch's rules: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// Close removes the network's namespaces; with them go their cables and
// the host's end of its own.
func (n *Network) Close() error {
	var errs []error
	for _, ns := range append([]string{n.switchNetns()}, n.Nodes...) {
		if netnsExists(ns) {
			errs = append(errs, run("ip", "netns", "delete", ns))
		}
	}
	return errors.Join(errs...)
}

// Command returns a command that runs name with args in node i's
// namespace. "ip netns exec" execs the program in its own process, so
// the command's process is the program's, for the signals of the nemesis.
func (n *Network) Command(i int, name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Nodes[i], name}, args...)...)
}

// freePrefix returns a /24 of 10.224.0.0/11 that no address of the host
// is in, chosen at random so that networks of test processes running at
// once rarely try the same.
func freePrefix() (netip.Prefix, error) {
	out, err := exec.Command("ip", "-4", "-o", "addr", "show").Output()
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("list the host's addresses: %w", err)
	}
	for range 100 {
		k, err := rand.Int(rand.Reader, big.NewInt(1<<13))
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("choose a network: %w", err)
		}
		v := k.Int64()
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(224 + v>>8), byte(v), 0}), 24)
		if !bytes.Contains(out, []byte(" "+strings.TrimSuffix(p.Addr().String(), ".0")+".")) {
			return p, nil
		}
	}
	return netip.Prefix{}, errors.New("choose a network: 100 tries found no /24 of 10.224.0.0/11 free")
}

// removeStaleNetns removes the namespaces of test processes that are no
// longer running: a test killed before its cleanup leaves its own.
func removeStaleNetns() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return // nothing to sweep, or nothing we could: NewNetwork says which
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, netnsPrefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || processAlive(pid) {
			continue
		}
		_ = run("ip", "netns", "delete", name) // best effort: another process may be sweeping too
	}
}

// processAlive reports whether a process pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// netnsExists reports whether the named network namespace exists.
func netnsExists(name string) bool {
	_, err := os.Stat("/run/netns/" + name)
	return err == nil
}

// run runs a command and returns its output in the error if it fails.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}
