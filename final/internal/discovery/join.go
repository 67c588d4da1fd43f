package discovery

import (
	"errors"
	"slices"
	"strings"
)

// errJoinedOnlyItself is the error of a join that reached no member but
// this one: through an address of its own, written another way than
// BindAddr (an IP address for a name, say).
var errJoinedOnlyItself = errors.New("the join reached only this member itself: no other member answered")

// othersAddrs returns addrs without this member's own address, as
// configured (self) or as bound (bound). A list of every node's address,
// the same on every node, holds the node's own; joining it would succeed
// and prove nothing, since Serf joins itself.
func othersAddrs(addrs []string, self, bound string) []string {
	return slices.DeleteFunc(slices.Clone(addrs), func(addr string) bool {
		return addr == self || addr == bound
	})
}

// join joins the cluster through addrs and returns nil if this member then
// knows another, or the reasons it does not.
func (m *Membership) join(addrs []string) []error {
	if _, err := m.serf.Join(addrs, true); err != nil {
		return joinErrors(err)
	}
	for _, member := range m.serf.Members() {
		if !m.isLocal(member) {
			return nil
		}
	}
	return []error{errJoinedOnlyItself}
}

// joinErrors returns the errors in err, an error of serf.Join: one for
// each address (or each address of a name) that failed. Serf returns them
// as a go-multierror, whose text is a list over several lines.
func joinErrors(err error) []error {
	if list, ok := err.(interface{ WrappedErrors() []error }); ok {
		return list.WrappedErrors()
	}
	return []error{err}
}

// isKeyMismatch reports whether err, from a join, says that the two sides
// do not share a gossip key. memberlist has no error values for it, only
// texts: "no installed keys could decrypt the message", "remote state is
// encrypted and encryption is not configured" and "encryption is
// configured but remote state is not encrypted". They all say "crypt".
func isKeyMismatch(err error) bool {
	return strings.Contains(err.Error(), "crypt")
}
