package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// Validity is how long the certificates Write makes are valid, from an
// hour before it runs (to allow for clocks that disagree a little).
const Validity = 365 * 24 * time.Hour

// Files are the files Write creates: those of config.Files, and three
// client certificates the server must refuse.
type Files struct {
	config.Files
	// OtherCAClientCertFile and OtherCAClientKeyFile are a client
	// certificate with common name "root", signed by a CA the server does
	// not trust, and its key.
	OtherCAClientCertFile string
	OtherCAClientKeyFile  string
	// ExpiredClientCertFile and ExpiredClientKeyFile are a client
	// certificate with common name "root", signed by the real CA but
	// expired a day ago, and its key.
	ExpiredClientCertFile string
	ExpiredClientKeyFile  string
	// SelfSignedClientCertFile and SelfSignedClientKeyFile are a client
	// certificate with common name "root" that signs itself, the forgery
	// anyone can make, and its key.
	SelfSignedClientCertFile string
	SelfSignedClientKeyFile  string
}

// Write generates a new CA and every certificate of [Files] into dir,
// creating dir if needed and replacing files already there. Keys are
// written readable by their owner only. The server's certificate is valid
// for 127.0.0.1, ::1 and localhost, and for every one of hosts, each a DNS
// name or an IP address.
func Write(dir string, hosts ...string) (Files, error) {
	files := Files{
		Files:                 config.FilesIn(dir),
		OtherCAClientCertFile: filepath.Join(dir, "other-ca-client.pem"),
		OtherCAClientKeyFile:  filepath.Join(dir, "other-ca-client-key.pem"),
		ExpiredClientCertFile: filepath.Join(dir, "expired-client.pem"),
		ExpiredClientKeyFile:  filepath.Join(dir, "expired-client-key.pem"),

		SelfSignedClientCertFile: filepath.Join(dir, "self-signed-client.pem"),
		SelfSignedClientKeyFile:  filepath.Join(dir, "self-signed-client-key.pem"),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Files{}, err
	}
	now := time.Now()
	notBefore, notAfter := now.Add(-time.Hour), now.Add(Validity)
	ca, err := newCA("proglog workshop CA", notBefore, notAfter)
	if err != nil {
		return Files{}, err
	}
	otherCA, err := newCA("some other CA", notBefore, notAfter)
	if err != nil {
		return Files{}, err
	}
	if err := writePEM(files.CAFile, "CERTIFICATE", ca.cert.Raw, 0o644); err != nil {
		return Files{}, err
	}
	server, err := serverTemplateFor(notBefore, notAfter, hosts)
	if err != nil {
		return Files{}, err
	}
	leaves := []struct {
		issuer            *authority
		template          *x509.Certificate
		certFile, keyFile string
	}{
		{ca, server, files.ServerCertFile, files.ServerKeyFile},
		{ca, clientTemplate("root", notBefore, notAfter), files.RootClientCertFile, files.RootClientKeyFile},
		{ca, clientTemplate("nobody", notBefore, notAfter), files.NobodyClientCertFile, files.NobodyClientKeyFile},
		{ca, clientTemplate("producer", notBefore, notAfter), files.ProducerClientCertFile, files.ProducerClientKeyFile},
		{ca, clientTemplate("consumer", notBefore, notAfter), files.ConsumerClientCertFile, files.ConsumerClientKeyFile},
		{otherCA, clientTemplate("root", notBefore, notAfter), files.OtherCAClientCertFile, files.OtherCAClientKeyFile},
		{ca, clientTemplate("root", now.Add(-48*time.Hour), now.Add(-24*time.Hour)), files.ExpiredClientCertFile, files.ExpiredClientKeyFile},
	}
	for _, l := range leaves {
		if err := l.issuer.issue(l.template, l.certFile, l.keyFile); err != nil {
			return Files{}, fmt.Errorf("certificate for %s: %w", l.template.Subject.CommonName, err)
		}
	}
	if err := writeSelfSigned(clientTemplate("root", notBefore, notAfter), files.SelfSignedClientCertFile, files.SelfSignedClientKeyFile); err != nil {
		return Files{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	return files, nil
}

// authority is a CA: its certificate and the key it signs with.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// newCA returns a self-signed CA that may sign end certificates only.
func newCA(name string, notBefore, notAfter time.Time) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"proglog workshop"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create CA %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

// serverTemplate is a server certificate for this machine's loopback
// addresses. It is a client certificate too: a server presents it when its
// Raft dials another server, whose Raft port accepts only server
// identities.
func serverTemplate(notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: "server", Organization: []string{"proglog workshop"}},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
}

// clientTemplate is a client certificate whose common name, the subject of
// the ACL, is name.
func clientTemplate(name string, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: name, Organization: []string{"proglog workshop"}},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

// issue signs template, with a new key and serial number, and writes the
// certificate and the key.
func (a *authority) issue(template *x509.Certificate, certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	return a.issueWithKey(template, key, certFile, keyFile)
}

// issueWithKey signs template, for key and with a new serial number, and
// writes the certificate and the key.
func (a *authority) issueWithKey(template *x509.Certificate, key *ecdsa.PrivateKey, certFile, keyFile string) error {
	var err error
	if template.SerialNumber, err = serialNumber(); err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, template, a.cert, key.Public(), a.key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(certFile, "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writePEM(keyFile, "PRIVATE KEY", keyDER, 0o600)
}

// writeSelfSigned signs template with its own new key and writes the
// certificate and the key: a certificate no CA vouches for.
func writeSelfSigned(template *x509.Certificate, certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	self := &authority{cert: template, key: key}
	return self.issueWithKey(template, key, certFile, keyFile)
}

// serialNumber returns a random serial number from 1 to 2^127: positive
// and unpredictable, and well within the 20 bytes RFC 5280 allows.
func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// writePEM writes one PEM block of the given type to file.
func writePEM(file, blockType string, der []byte, perm os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(file, data, perm); err != nil {
		return err
	}
	// WriteFile keeps the mode of a file that already exists.
	return os.Chmod(file, perm)
}
