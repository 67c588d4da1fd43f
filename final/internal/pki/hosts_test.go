package pki_test

import (
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

func TestWriteMakesTheServerValidForMoreHosts(t *testing.T) {
	files, err := pki.Write(t.TempDir(), "node-1.example.com", "10.0.0.7")
	require.NoError(t, err)
	server := load(t, files.ServerCertFile, files.ServerKeyFile)
	for _, host := range []string{"node-1.example.com", "10.0.0.7", "localhost", "127.0.0.1"} {
		_, err := server.Verify(x509.VerifyOptions{
			DNSName:   host,
			Roots:     roots(t, files.CAFile),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		require.NoError(t, err, "the server certificate must be valid for %s", host)
	}
	_, err = server.Verify(x509.VerifyOptions{DNSName: "node-2.example.com", Roots: roots(t, files.CAFile)})
	require.Error(t, err, "the server certificate must not be valid for a host it was not given")
}

func TestWriteRefusesAHostThatIsNoName(t *testing.T) {
	for _, host := range []string{"", "exa mple.com", "-bad.example.com", "a..b"} {
		_, err := pki.Write(t.TempDir(), host)
		require.Error(t, err, "host %q", host)
	}
}
