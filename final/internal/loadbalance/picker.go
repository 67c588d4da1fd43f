package loadbalance

import (
	"cmp"
	"slices"
	"sync/atomic"

	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"
	"google.golang.org/grpc/metadata"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Picker chooses the server of each call of a client connection: Produce,
// ProduceStream and ProduceBatch go to the leader, which alone can append;
// Consume and ConsumeStream go to the followers in turn, to take reads off
// the leader (to the leader when there are no followers), except those
// whose outgoing metadata has [ReadHeader] set to [ReadFromLeader], which
// go to the leader; every other method
// (GetServers, health checks) goes to the servers in turn. When the server
// a call needs is not ready, it waits for a new picker instead of failing.
// A call to the leader that ends with codes.Unavailable makes the
// [Resolver] look again (see askAgainOnRefusal), so that the retry finds
// a new leader even when no connection to the old one failed.
//
// gRPC's base balancer builds a new Picker from the ready servers every
// time the servers or their connections change, so a Picker never changes
// and is safe for concurrent use. The zero Picker is the builder that
// register.go registers with gRPC.
type Picker struct {
	leader    balancer.SubConn   // nil when no leader is ready
	followers []balancer.SubConn // the ready servers but the leader
	all       []balancer.SubConn // every ready server, the leader too
	current   atomic.Uint64      // counts the calls spread over followers or all
	resolver  *Resolver          // reported the servers; nil if none did
}

var (
	_ base.PickerBuilder = (*Picker)(nil)
	_ balancer.Picker    = (*Picker)(nil)
)

// Build implements base.PickerBuilder: it returns a new Picker over the
// ready servers of info, the leader told apart by the attribute the
// [Resolver] puts on its address.
func (p *Picker) Build(info base.PickerBuildInfo) balancer.Picker {
	type ready struct {
		addr string
		sc   balancer.SubConn
	}
	var servers []ready
	for sc, scInfo := range info.ReadySCs {
		servers = append(servers, ready{addr: scInfo.Address.Addr, sc: sc})
	}
	// In address order: a map's order is random, and a fixed order makes
	// the turns easy to follow.
	slices.SortFunc(servers, func(a, b ready) int { return cmp.Compare(a.addr, b.addr) })
	picker := &Picker{}
	for _, srv := range servers {
		picker.resolver = cmp.Or(picker.resolver, resolverOf(info.ReadySCs[srv.sc].Address))
		picker.all = append(picker.all, srv.sc)
		if picker.leader == nil && isLeader(info.ReadySCs[srv.sc].Address) {
			picker.leader = srv.sc
			continue
		}
		picker.followers = append(picker.followers, srv.sc)
	}
	return picker
}

// Pick implements balancer.Picker: it returns the server for the call that
// info describes, or balancer.ErrNoSubConnAvailable when no ready server
// can take it, which makes gRPC wait for the next Picker.
func (p *Picker) Pick(info balancer.PickInfo) (balancer.PickResult, error) {
	var sc balancer.SubConn
	toLeader := false
	switch info.FullMethodName {
	case api.Log_Produce_FullMethodName, api.Log_ProduceStream_FullMethodName, api.Log_ProduceBatch_FullMethodName:
		sc, toLeader = p.leader, true
	case api.Log_Consume_FullMethodName, api.Log_ConsumeStream_FullMethodName:
		if readsFromLeader(info) {
			sc, toLeader = p.leader, true
		} else {
			sc = p.nextFollower()
		}
	default:
		sc = p.next(p.all)
	}
	if sc == nil {
		return balancer.PickResult{}, balancer.ErrNoSubConnAvailable
	}
	if toLeader && p.resolver != nil {
		return balancer.PickResult{SubConn: sc, Done: askAgainOnRefusal(p.resolver)}, nil
	}
	return balancer.PickResult{SubConn: sc}, nil
}

// nextFollower returns the follower whose turn it is, the leader when there
// are no followers, or nil when no server is ready.
func (p *Picker) nextFollower() balancer.SubConn {
	if len(p.followers) == 0 {
		return p.leader
	}
	return p.next(p.followers)
}

// next returns the server of scs whose turn it is, or nil if scs is empty.
func (p *Picker) next(scs []balancer.SubConn) balancer.SubConn {
	if len(scs) == 0 {
		return nil
	}
	turn := p.current.Add(1) - 1
	return scs[turn%uint64(len(scs))]
}

// The metadata that sends a read to the leader. A picker sees a call's
// method and metadata but not its request, so it cannot see a
// ConsumeRequest's linearizable flag, which only the leader can honour: a
// client that sets the flag sets this header too (the client package
// does). A linearizable read sent without it still works, after one
// refusal: a follower answers Unavailable with NOT_LEADER, and the client
// tries again, perhaps on another follower.
const (
	// ReadHeader is the metadata key, in gRPC's lower case.
	ReadHeader = "proglog-read"
	// ReadFromLeader is the value that sends the call to the leader.
	ReadFromLeader = "leader"
)

// readsFromLeader reports whether the call of info asks, in its outgoing
// metadata, to be sent to the leader.
func readsFromLeader(info balancer.PickInfo) bool {
	md, ok := metadata.FromOutgoingContext(info.Ctx)
	if !ok {
		return false
	}
	for _, v := range md.Get(ReadHeader) {
		if v == ReadFromLeader {
			return true
		}
	}
	return false
}
