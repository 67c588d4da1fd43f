package discovery

// Handler is what a [Membership] tells about the other members of the
// cluster. Its methods are called one at a time, in the order Serf reported
// the changes, from a goroutine of the Membership: never from Serf's own
// event loop, so a slow call delays the calls after it but never the
// gossip. A method may block, but [Membership.Leave] waits for the call in
// progress to return. An error is logged; the member is not retried.
type Handler interface {
	// Join is called when the member called name joins (or is first seen
	// by) the cluster. addr is the member's RPCAddrTag, "" if it has none.
	Join(name, addr string) error
	// Leave is called when the member called name leaves the cluster or
	// is declared failed.
	Leave(name string) error
}
