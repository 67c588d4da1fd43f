// Package pki generates a small public key infrastructure for tests and for
// running the service by hand: a CA; a server certificate for 127.0.0.1,
// ::1 and localhost; client certificates for root and nobody, the two
// names of the example ACL; and two certificates the server must refuse,
// though both claim the name root: one from a CA the server does not know,
// and one that has expired. Keys are ECDSA P-256, serial numbers random.
//
// Tests write a fresh set into their temporary directory, so nothing is
// read from or left in the home directory; "proglog gencert" writes the same set
// to a directory of your choice.
//
// # Usage
//
//	certs, err := pki.Write(t.TempDir())
//	require.NoError(t, err)
//	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
//		CertFile: certs.ServerCertFile,
//		KeyFile:  certs.ServerKeyFile,
//		CAFile:   certs.CAFile,
//		Server:   true,
//	})
package pki
