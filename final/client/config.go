package client

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"
)

// The defaults of the Config's retry settings.
const (
	// DefaultRetryMin is Config.RetryMin when it is zero.
	DefaultRetryMin = 10 * time.Millisecond
	// DefaultRetryMax is Config.RetryMax when it is zero.
	DefaultRetryMax = time.Second
	// DefaultRetryTimeout is Config.RetryTimeout when it is zero: long
	// enough for a cluster to elect a new leader on a loaded machine.
	DefaultRetryTimeout = 30 * time.Second
)

// Config configures a [Client]. Addr and TLS are required; the zero value
// of every other field means its default.
type Config struct {
	// Addr is the host:port of any one server of the cluster. The client
	// asks it for the others, and keeps working when it goes away once the
	// client knows them.
	Addr string
	// TLS is the client's side of mutual TLS: its certificate and the CA
	// that signed the servers'. Required: the servers accept nothing else.
	TLS *tls.Config
	// RetryMin is how long the client waits before it tries a call again
	// after the first failure; the wait doubles after each next one, up to
	// RetryMax. Zero means DefaultRetryMin.
	RetryMin time.Duration
	// RetryMax bounds the wait between two tries. Zero means
	// DefaultRetryMax.
	RetryMax time.Duration
	// RetryTimeout is how long one call keeps trying, from its first try;
	// the call's context may end it sooner. Zero means
	// DefaultRetryTimeout.
	RetryTimeout time.Duration
	// ProducerID names this client's produces, so that the log recognises
	// a retry and appends nothing twice. It must be unique to one client
	// at a time, and at most 256 bytes. Empty means a random one, new for
	// each [New].
	ProducerID string
	// Dialer, if set, opens every connection to a server in place of a
	// plain TCP dial; addr is the server's address as the cluster
	// advertises it (or Addr). A client outside the servers' network,
	// where those addresses mean nothing, uses it to reach the servers
	// where they are published: a container's name mapped to a port of
	// the host (proglog's --connect-to). Nil means a TCP dial of addr.
	Dialer func(ctx context.Context, addr string) (net.Conn, error)
}

// validate reports a Config the client cannot run with.
func (c Config) validate() error {
	switch {
	case c.Addr == "":
		return errors.New("Config.Addr is empty: the client needs the address of a server of the cluster")
	case c.TLS == nil:
		return errors.New("Config.TLS is nil: the servers accept only mutual TLS")
	case c.RetryMin < 0 || c.RetryMax < 0 || c.RetryTimeout < 0:
		return fmt.Errorf("Config.RetryMin (%s), RetryMax (%s) and RetryTimeout (%s) must not be negative", c.RetryMin, c.RetryMax, c.RetryTimeout)
	case len(c.ProducerID) > maxProducerIDBytes:
		return fmt.Errorf("Config.ProducerID is %d bytes long, more than %d", len(c.ProducerID), maxProducerIDBytes)
	case c.RetryMax != 0 && c.RetryMin > c.RetryMax:
		return fmt.Errorf("Config.RetryMin (%s) must not be more than RetryMax (%s)", c.RetryMin, c.RetryMax)
	}
	return nil
}

// maxProducerIDBytes is the servers' bound on a producer ID.
const maxProducerIDBytes = 256

// withDefaults returns c with its zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.ProducerID == "" {
		c.ProducerID = rand.Text() // 26 characters, 130 random bits
	}
	if c.RetryMin == 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax == 0 {
		c.RetryMax = max(DefaultRetryMax, c.RetryMin)
	}
	if c.RetryTimeout == 0 {
		c.RetryTimeout = DefaultRetryTimeout
	}
	return c
}
