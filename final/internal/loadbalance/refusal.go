package loadbalance

import (
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/status"
)

// resolverKey is the address attribute that carries the [Resolver] that
// reported the address, so that a Picker built from it can ask that
// resolver to look again.
const resolverKey attributeKey = "resolver"

// resolverOf returns the Resolver that reported addr, or nil.
func resolverOf(addr resolver.Address) *Resolver {
	r, _ := addr.Attributes.Value(resolverKey).(*Resolver)
	return r
}

// askAgainOnRefusal returns the Done callback of a call that went to the
// leader: when the call ends with codes.Unavailable, it asks r to resolve
// again. Unavailable from the leader means that it no longer leads
// (NOT_LEADER, LEADERSHIP_LOST), is shutting down, or cannot be reached.
// Without this, a leader that lost its leadership while its connections
// stayed up (it was paused, or handed the leadership over) kept every
// produce of the client: the resolver, having found a leader, asks again
// only when gRPC tells it a connection failed, and none did. The client's
// retries met the same refusal until they gave up.
func askAgainOnRefusal(r *Resolver) func(balancer.DoneInfo) {
	return func(info balancer.DoneInfo) {
		if status.Code(info.Err) == codes.Unavailable {
			r.ResolveNow(resolver.ResolveNowOptions{})
		}
	}
}
