package pki_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// load reads a certificate and its key as TLS would, and returns the
// parsed certificate.
func load(t *testing.T, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err)
	return pair.Leaf
}

// roots returns a pool holding the CA certificate in file.
func roots(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	block, _ := pem.Decode(data)
	require.NotNil(t, block, "%s holds no PEM block", file)
	ca, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.True(t, ca.IsCA)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

func TestWrite(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cas := roots(t, certs.CAFile)
	asClient := x509.VerifyOptions{Roots: cas, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}

	t.Run("the server certificate is valid for the loopback addresses", func(t *testing.T) {
		server := load(t, certs.ServerCertFile, certs.ServerKeyFile)
		for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
			_, err := server.Verify(x509.VerifyOptions{Roots: cas, DNSName: name})
			require.NoError(t, err, "the server certificate must be valid for %s", name)
		}
		_, err := server.Verify(asClient)
		require.NoError(t, err, "the server certificate must serve as a client's too: Raft presents it when it dials a peer")
	})

	t.Run("the client certificates name root and nobody", func(t *testing.T) {
		for name, files := range map[string][2]string{
			"root":   {certs.RootClientCertFile, certs.RootClientKeyFile},
			"nobody": {certs.NobodyClientCertFile, certs.NobodyClientKeyFile},
		} {
			client := load(t, files[0], files[1])
			require.Equal(t, name, client.Subject.CommonName)
			_, err := client.Verify(asClient)
			require.NoError(t, err)
		}
	})

	t.Run("the bad certificates claim root and fail verification", func(t *testing.T) {
		other := load(t, certs.OtherCAClientCertFile, certs.OtherCAClientKeyFile)
		require.Equal(t, "root", other.Subject.CommonName)
		_, err := other.Verify(asClient)
		require.ErrorAs(t, err, &x509.UnknownAuthorityError{})

		expired := load(t, certs.ExpiredClientCertFile, certs.ExpiredClientKeyFile)
		require.Equal(t, "root", expired.Subject.CommonName)
		_, err = expired.Verify(asClient)
		var invalid x509.CertificateInvalidError
		require.ErrorAs(t, err, &invalid)
		require.Equal(t, x509.Expired, invalid.Reason)
	})

	t.Run("keys are readable by their owner only", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows has no Unix file modes")
		}
		for _, file := range []string{certs.ServerKeyFile, certs.RootClientKeyFile, certs.NobodyClientKeyFile, certs.OtherCAClientKeyFile, certs.ExpiredClientKeyFile} {
			info, err := os.Stat(file)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), file)
		}
	})

	t.Run("every certificate has its own serial number", func(t *testing.T) {
		seen := map[string]bool{}
		for _, files := range [][2]string{
			{certs.ServerCertFile, certs.ServerKeyFile},
			{certs.RootClientCertFile, certs.RootClientKeyFile},
			{certs.NobodyClientCertFile, certs.NobodyClientKeyFile},
			{certs.OtherCAClientCertFile, certs.OtherCAClientKeyFile},
			{certs.ExpiredClientCertFile, certs.ExpiredClientKeyFile},
		} {
			serial := load(t, files[0], files[1]).SerialNumber
			require.Positive(t, serial.Sign())
			require.False(t, seen[serial.String()], "serial %s is used twice", serial)
			seen[serial.String()] = true
		}
	})
}
