//go:build !linux

package faults

import (
	"errors"
	"os/exec"
)

// errNoNetns is what the partitions need and this system lacks.
var errNoNetns = errors.New("network namespaces are Linux's")

// NetnsUsable returns why this machine cannot make a [Network]: only
// Linux has network namespaces.
func NetnsUsable() error { return errNoNetns }

// NewNetwork returns an error: only Linux has network namespaces.
func NewNetwork(nodes int) (*Network, error) { return nil, errNoNetns }

// apply returns an error: there is no network to apply rules to.
func (n *Network) apply() error { return errNoNetns }

// Close does nothing: NewNetwork made nothing.
func (n *Network) Close() error { return nil }

// Command returns a command that runs name with args: there is no
// namespace to run it in.
func (n *Network) Command(i int, name string, args ...string) *exec.Cmd {
	return exec.Command(name, args...)
}
