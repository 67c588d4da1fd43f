package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSConfig names the files a tls.Config is made of, and the side it is
// for.
type TLSConfig struct {
	// CertFile and KeyFile are this side's certificate and private key, PEM.
	// A server needs them. A client needs them for mutual TLS: they are what
	// it proves its name with. Set both or neither.
	CertFile string
	KeyFile  string
	// CAFile is the certificate, PEM, of the CA that must have signed the
	// other side's certificate. A client checks the server with it (empty:
	// the system's roots). A server that has it asks every client for a
	// certificate and refuses one the CA did not sign; a server without it
	// asks for none.
	CAFile string
	// ServerAddress is, for a client, the name the server's certificate
	// must carry: a DNS name or an IP address, without a port. Empty lets
	// the caller decide; gRPC then uses the host of the address it dials.
	ServerAddress string
	// Server says the config is for a server.
	Server bool
}

// SetupTLSConfig returns the tls.Config that cfg describes. Both sides
// speak TLS 1.3 or nothing. It returns an error if a file cannot be read
// or parsed, or if cfg is for a server without a certificate.
func SetupTLSConfig(cfg TLSConfig) (*tls.Config, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS13}
	if cfg.CertFile != "" || cfg.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load key pair: %w", err)
		}
		tlsConfig.Certificates = []tls.Certificate{cert}
	}
	if cfg.Server && len(tlsConfig.Certificates) == 0 {
		return nil, errors.New("a server needs CertFile and KeyFile")
	}
	if cfg.CAFile != "" {
		cas, err := loadCAs(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		if cfg.Server {
			if err := verifyClients(tlsConfig, cas); err != nil {
				return nil, err
			}
		} else {
			tlsConfig.RootCAs = cas
		}
	}
	tlsConfig.ServerName = cfg.ServerAddress
	return tlsConfig, nil
}

// verifyClients makes a server's tlsConfig ask every client for a
// certificate, and refuse the handshake unless cas signed it and it is
// valid now. It returns an error if it cannot.
func verifyClients(tlsConfig *tls.Config, cas *x509.CertPool) error {
	tlsConfig.ClientCAs = cas
	tlsConfig.ClientAuth = tls.RequireAndVerifyClientCert
	return nil
}

// loadCAs reads a PEM file of CA certificates into a pool.
func loadCAs(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	cas := x509.NewCertPool()
	if !cas.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", file)
	}
	return cas, nil
}
