package config_test

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// handshake runs one TLS connection between server and client on
// 127.0.0.1 and returns what each side saw. The server writes one byte
// once its handshake succeeds and the client reads it: under TLS 1.3 the
// client finishes its handshake before the server has checked the client's
// certificate, and learns of a refusal only when it reads.
func handshake(t *testing.T, server, client *tls.Config) (serverErr, clientErr error) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() }) // only stops the accept loop

	served := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if err := conn.(*tls.Conn).Handshake(); err != nil {
			served <- err
			return
		}
		_, err = conn.Write([]byte{1})
		served <- err
	}()

	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", ln.Addr().String(), client)
	if err == nil {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = conn.Read(make([]byte, 1))
		_ = conn.Close()
	}
	return <-served, err
}

// setup returns the tls.Config of cfg, which must be valid.
func setup(t *testing.T, cfg config.TLSConfig) *tls.Config {
	t.Helper()
	c, err := config.SetupTLSConfig(cfg)
	require.NoError(t, err)
	return c
}

func TestSetupTLSConfig(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	// Server authentication only: the server proves who it is, and asks
	// the client for nothing.
	server := setup(t, config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, Server: true})

	t.Run("a client that trusts the CA accepts the server", func(t *testing.T) {
		for _, name := range []string{"127.0.0.1", "localhost"} {
			client := setup(t, config.TLSConfig{CAFile: certs.CAFile, ServerAddress: name})
			serverErr, clientErr := handshake(t, server, client)
			require.NoError(t, clientErr, "the client must accept the server's certificate for %s, signed by its CA", name)
			require.NoError(t, serverErr)
		}
	})

	t.Run("both sides speak TLS 1.3", func(t *testing.T) {
		client := setup(t, config.TLSConfig{CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
		require.Equal(t, "TLS 1.3", tls.VersionName(server.MinVersion), "the server must require TLS 1.3 (MinVersion)")
		require.Equal(t, "TLS 1.3", tls.VersionName(client.MinVersion), "the client must require TLS 1.3 (MinVersion)")
	})

	t.Run("the server refuses TLS 1.2", func(t *testing.T) {
		client := setup(t, config.TLSConfig{CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
		client.MinVersion, client.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
		serverErr, _ := handshake(t, server, client)
		require.Error(t, serverErr, "the server must refuse a client that speaks only TLS 1.2: set MinVersion")
	})

	t.Run("a client checks the server's name", func(t *testing.T) {
		client := setup(t, config.TLSConfig{CAFile: certs.CAFile, ServerAddress: "db.example.com"})
		_, clientErr := handshake(t, server, client)
		require.Error(t, clientErr, "the client must check the server's name against ServerAddress: the certificate is not for db.example.com")
	})

	t.Run("a client without the CA does not trust the server", func(t *testing.T) {
		client := setup(t, config.TLSConfig{ServerAddress: "127.0.0.1"})
		_, clientErr := handshake(t, server, client)
		require.Error(t, clientErr, "with no CAFile the client trusts only the system's roots, which did not sign the server's certificate")
	})

	t.Run("bad files are errors", func(t *testing.T) {
		dir := t.TempDir()
		garbage := filepath.Join(dir, "garbage.pem")
		require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
		missing := filepath.Join(dir, "missing.pem")
		for name, cfg := range map[string]config.TLSConfig{
			"a missing certificate":      {CertFile: missing, KeyFile: certs.ServerKeyFile, Server: true},
			"a key that does not match":  {CertFile: certs.ServerCertFile, KeyFile: certs.RootClientKeyFile, Server: true},
			"a missing CA file":          {CAFile: missing},
			"a CA file with no PEM":      {CAFile: garbage},
			"a server without a keypair": {CAFile: certs.CAFile, Server: true},
		} {
			_, err := config.SetupTLSConfig(cfg)
			require.Error(t, err, "%s must be an error", name)
		}
	})
}

func TestSetupTLSConfigMutual(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	// Mutual TLS: with a CAFile, the server checks every client too.
	server := setup(t, config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true})
	clientAs := func(certFile, keyFile string) *tls.Config {
		client := setup(t, config.TLSConfig{CertFile: certFile, KeyFile: keyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
		if len(client.Certificates) > 0 {
			// Present the certificate even when the server names CAs
			// that did not sign it, as a client that wants in would: a
			// Go client would otherwise send none.
			cert := &client.Certificates[0]
			client.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
		}
		return client
	}

	t.Run("clients with a certificate from the CA are accepted", func(t *testing.T) {
		for _, files := range [][2]string{
			{certs.RootClientCertFile, certs.RootClientKeyFile},
			{certs.NobodyClientCertFile, certs.NobodyClientKeyFile},
		} {
			serverErr, clientErr := handshake(t, server, clientAs(files[0], files[1]))
			require.NoError(t, serverErr, "the server must accept %s", filepath.Base(files[0]))
			require.NoError(t, clientErr)
		}
	})

	tests := []struct {
		name              string
		certFile, keyFile string
		why               string
	}{
		{"a client without a certificate is refused", "", "", "a server with a CAFile must require a client certificate"},
		{"a client certificate from another CA is refused", certs.OtherCAClientCertFile, certs.OtherCAClientKeyFile, "the server must verify client certificates against its CA"},
		{"an expired client certificate is refused", certs.ExpiredClientCertFile, certs.ExpiredClientKeyFile, "the server must verify client certificates, and an expired one does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serverErr, clientErr := handshake(t, server, clientAs(tt.certFile, tt.keyFile))
			require.Error(t, serverErr, tt.why)
			require.Error(t, clientErr, "the client must learn that it was refused")
		})
	}
}
