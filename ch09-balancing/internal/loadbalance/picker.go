package loadbalance

import (
	"sync/atomic"

	"github.com/proglog-workshop/proglog/ch09-balancing/internal/exercise"
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"
)

// Picker chooses the server of each call of a client connection: Produce
// and ProduceStream go to the leader, which alone can append; Consume and
// ConsumeStream go to the followers in turn, to take reads off the leader
// (to the leader when there are no followers); every other method
// (GetServers, health checks) goes to the servers in turn. When the server
// a call needs is not ready, it waits for a new picker instead of failing.
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
}

var (
	_ base.PickerBuilder = (*Picker)(nil)
	_ balancer.Picker    = (*Picker)(nil)
)

// Build implements base.PickerBuilder: it returns a new Picker over the
// ready servers of info, the leader told apart by the attribute the
// [Resolver] puts on its address.
func (p *Picker) Build(info base.PickerBuildInfo) balancer.Picker {
	//exercise:9.2 begin: see README.md#92-the-picker
	return &Picker{}
	//exercise:9.2 end
}

// Pick implements balancer.Picker: it returns the server for the call that
// info describes, or balancer.ErrNoSubConnAvailable when no ready server
// can take it, which makes gRPC wait for the next Picker.
func (p *Picker) Pick(info balancer.PickInfo) (balancer.PickResult, error) {
	//exercise:9.2 begin: see README.md#92-the-picker
	return balancer.PickResult{}, exercise.NotDone("9.2")
	//exercise:9.2 end
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
