package discovery

import (
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// EncryptKeyBytes is the length of Config.EncryptKey: 32 bytes, a key of
// AES-256.
const EncryptKeyBytes = 32

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
	// that answers is enough. If none answers, New still succeeds and the
	// member retries in the background until it joins (see retry_join.go).
	// The list may hold this member's own address, written as BindAddr
	// is: it is skipped, so that every node of a cluster can be given
	// the same list.
	StartJoinAddrs []string
	// DisableRetryJoin makes New fail when no member of StartJoinAddrs
	// answers, instead of retrying in the background: for a caller that
	// would rather stop at once on an address that leads nowhere.
	DisableRetryJoin bool
	// retryJoinWait, when not zero, is every wait between join attempts,
	// instead of retryJoinFirstWait doubling to retryJoinMaxWait. The
	// tests wait an hour, to show that Leave does not wait for it.
	retryJoinWait time.Duration
	// EncryptKey, when set, encrypts and authenticates all gossip with
	// AES-256-GCM (memberlist's SecretKey): it must be EncryptKeyBytes
	// long, and the same on every member. A member without it, or with
	// another, cannot join, and its packets are dropped. Empty gossips in
	// the clear, names and addresses readable by anyone on the network.
	EncryptKey []byte
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
	case len(c.EncryptKey) != 0 && len(c.EncryptKey) != EncryptKeyBytes:
		return fmt.Errorf("Config.EncryptKey is %d bytes: it must be %d (AES-256), or empty for no encryption", len(c.EncryptKey), EncryptKeyBytes)
	}
	return nil
}
