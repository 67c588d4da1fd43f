package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

func TestAcceptOnly(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	mutual := setup(t, config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true})
	serverOnly := config.AcceptOnly(mutual, "server")

	tests := []struct {
		name              string
		certFile, keyFile string
		accepted          bool
	}{
		{"a certificate named server is accepted", certs.ServerCertFile, certs.ServerKeyFile, true},
		{"root's is refused", certs.RootClientCertFile, certs.RootClientKeyFile, false},
		{"consumer's is refused", certs.ConsumerClientCertFile, certs.ConsumerClientKeyFile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := setup(t, config.TLSConfig{CertFile: tt.certFile, KeyFile: tt.keyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
			serverErr, clientErr := handshake(t, serverOnly, client)
			if tt.accepted {
				require.NoError(t, serverErr)
				require.NoError(t, clientErr)
				return
			}
			require.ErrorContains(t, serverErr, "only", "the server must say whom it accepts")
			require.Error(t, clientErr, "the client must learn of the refusal")
		})
	}

	require.Nil(t, mutual.VerifyConnection, "AcceptOnly must not change the config it was given: the gRPC side shares it")
}
