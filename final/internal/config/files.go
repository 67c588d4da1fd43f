package config

import "path/filepath"

// Files locates the certificates and keys of one deployment in one
// directory, all PEM: the CA that signs everything, the server's
// certificate, and four clients': root (whom the example ACL lets do
// everything), producer (produce only), consumer (consume only) and nobody
// (nothing). The common name of a client certificate is the client's name
// in the ACL. internal/pki
// generates such a directory for tests, and `proglog gencert` for running
// the service by hand.
type Files struct {
	// CAFile is the CA's certificate.
	CAFile string
	// ServerCertFile and ServerKeyFile are the server's certificate, valid
	// for 127.0.0.1, ::1 and localhost, and its private key. The servers
	// also present it to each other as clients, when Raft dials a peer:
	// its common name, "server", is the identity the Raft port accepts.
	ServerCertFile string
	ServerKeyFile  string
	// RootClientCertFile and RootClientKeyFile are the certificate (common
	// name "root") and key of the client the ACL allows everything.
	RootClientCertFile string
	RootClientKeyFile  string
	// NobodyClientCertFile and NobodyClientKeyFile are the certificate
	// (common name "nobody") and key of a client the CA vouches for but
	// the ACL allows nothing.
	NobodyClientCertFile string
	NobodyClientKeyFile  string
	// ProducerClientCertFile and ProducerClientKeyFile are the certificate
	// (common name "producer") and key of a client the example ACL lets
	// produce and find the servers, but not consume.
	ProducerClientCertFile string
	ProducerClientKeyFile  string
	// ConsumerClientCertFile and ConsumerClientKeyFile are the certificate
	// (common name "consumer") and key of a client the example ACL lets
	// consume and find the servers, but not produce.
	ConsumerClientCertFile string
	ConsumerClientKeyFile  string
}

// FilesIn returns the Files in dir, with the book's file names: ca.pem,
// server.pem, server-key.pem, root-client.pem, root-client-key.pem,
// nobody-client.pem and nobody-client-key.pem; and, for the roles,
// producer-client.pem, producer-client-key.pem, consumer-client.pem and
// consumer-client-key.pem.
func FilesIn(dir string) Files {
	return Files{
		CAFile:               filepath.Join(dir, "ca.pem"),
		ServerCertFile:       filepath.Join(dir, "server.pem"),
		ServerKeyFile:        filepath.Join(dir, "server-key.pem"),
		RootClientCertFile:   filepath.Join(dir, "root-client.pem"),
		RootClientKeyFile:    filepath.Join(dir, "root-client-key.pem"),
		NobodyClientCertFile: filepath.Join(dir, "nobody-client.pem"),
		NobodyClientKeyFile:  filepath.Join(dir, "nobody-client-key.pem"),

		ProducerClientCertFile: filepath.Join(dir, "producer-client.pem"),
		ProducerClientKeyFile:  filepath.Join(dir, "producer-client-key.pem"),
		ConsumerClientCertFile: filepath.Join(dir, "consumer-client.pem"),
		ConsumerClientKeyFile:  filepath.Join(dir, "consumer-client-key.pem"),
	}
}
