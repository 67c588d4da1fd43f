package config

import (
	"crypto/tls"
	"fmt"
	"slices"
)

// AcceptOnly returns a copy of a server's tlsConfig that also refuses, in
// the handshake, every client whose verified certificate's common name is
// not one of names. tlsConfig must verify client certificates (see
// SetupTLSConfig with a CAFile); a client without one is refused too.
//
// A server's Raft port uses it to accept only the other servers: any
// client of the CA has a valid certificate, but one that is not a
// server's must not be able to append to Raft's log or vote.
func AcceptOnly(tlsConfig *tls.Config, names ...string) *tls.Config {
	accepting := tlsConfig.Clone()
	accepting.VerifyConnection = func(cs tls.ConnectionState) error {
		// The verified chain, not the certificates presented: a name
		// counts only in a certificate the CA signed.
		if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
			return fmt.Errorf("refused: the peer presented no verified certificate; only %q may connect", names)
		}
		name := cs.VerifiedChains[0][0].Subject.CommonName
		if !slices.Contains(names, name) {
			return fmt.Errorf("refused %q: only %q may connect", name, names)
		}
		return nil
	}
	return accepting
}
