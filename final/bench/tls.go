package bench

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"

	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// aclModel and aclPolicy are the ACL every served case runs with: the
// example ACL's model, and a policy that lets root, the benchmarks' client,
// produce, consume and find the servers.
const (
	aclModel = `[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
`
	aclPolicy = `p, root, *, produce
p, root, *, consume
p, root, *, discover
`
)

// credentials are the certificates, TLS configs and ACL files of one served
// case, all in its directory.
type credentials struct {
	certs     pki.Files
	server    *tls.Config // the servers' side of mutual TLS 1.3
	peer      *tls.Config // what servers dial each other with (Raft)
	root      *tls.Config // the client's side, as root
	aclModel  string      // file
	aclPolicy string      // file
}

// newCredentials generates a CA and certificates in dir, and writes the
// ACL there.
func newCredentials(dir string) (*credentials, error) {
	dir = filepath.Join(dir, "certs")
	certs, err := pki.Write(dir)
	if err != nil {
		return nil, fmt.Errorf("generate certificates: %w", err)
	}
	c := &credentials{
		certs:     certs,
		aclModel:  filepath.Join(dir, "model.conf"),
		aclPolicy: filepath.Join(dir, "policy.csv"),
	}
	if err := os.WriteFile(c.aclModel, []byte(aclModel), 0o644); err != nil {
		return nil, fmt.Errorf("write ACL model: %w", err)
	}
	if err := os.WriteFile(c.aclPolicy, []byte(aclPolicy), 0o644); err != nil {
		return nil, fmt.Errorf("write ACL policy: %w", err)
	}
	if c.server, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	}); err != nil {
		return nil, fmt.Errorf("server TLS: %w", err)
	}
	if c.peer, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	}); err != nil {
		return nil, fmt.Errorf("peer TLS: %w", err)
	}
	if c.root, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	}); err != nil {
		return nil, fmt.Errorf("client TLS: %w", err)
	}
	return c, nil
}
