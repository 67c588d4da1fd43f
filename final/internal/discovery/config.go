package discovery

import (
	"errors"

	"go.uber.org/zap"
)

// RPCAddrTag is the Serf tag that carries the address (host:port) of a
// member's gRPC service. [Handler.Join] receives its value.
const RPCAddrTag = "rpc_addr"

// Config configures a [Membership].
type Config struct {
	// NodeName names this member; it must be unique in the cluster.
	// Required.
	NodeName string
	// BindAddr is the host:port Serf listens on, for TCP and UDP both.
	// Port 0 picks a free port; [Membership.BindAddr] then holds the
	// address it got. Required.
	BindAddr string
	// Tags are shared with every other member, e.g. RPCAddrTag.
	Tags map[string]string
	// StartJoinAddrs are the Serf addresses of members already in the
	// cluster, to join through. Empty starts a new cluster. One member
	// that answers is enough.
	StartJoinAddrs []string
	// Logger receives Serf's and memberlist's logs and the handler's
	// errors. Nil discards them.
	Logger *zap.Logger
}

// validate reports a Config a Membership cannot run with.
func (c Config) validate() error {
	switch {
	case c.NodeName == "":
		return errors.New("Config.NodeName is empty: every member needs a unique name")
	case c.BindAddr == "":
		return errors.New("Config.BindAddr is empty: Serf needs a host:port to listen on")
	}
	return nil
}
