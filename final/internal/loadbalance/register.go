package loadbalance

import (
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"
	"google.golang.org/grpc/resolver"
)

// Name is the name of both the resolver's scheme ("proglog:///host:port")
// and the balancer that the resolver's service config asks for.
const Name = "proglog"

// gRPC looks resolvers and balancers up by name in two registries that are
// global to the process, and asks that they be filled in init, before any
// client is dialled. This is the one place in the repository where package
// state is set up in init, and it is safe: what is registered is a pair of
// stateless builders. Every client connection gets its own resolver and
// its own pickers from them, so connections share nothing.
func init() {
	resolver.Register(&Resolver{})
	balancer.Register(base.NewBalancerBuilder(Name, &Picker{}, base.Config{}))
}
