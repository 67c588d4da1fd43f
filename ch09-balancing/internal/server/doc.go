// Package server implements the commit log's gRPC service, log.v1.Log:
// Produce and Consume one record at a time, ConsumeStream to follow the log
// from an offset on, and ProduceStream to append over a bidirectional
// stream. It serves any [CommitLog], such as internal/log's Log, and asks
// an [Authorizer], such as internal/auth's, about every call: the client's
// name is the common name of its verified TLS certificate. The standard
// gRPC health service is served too, open to every client.
//
// # Usage
//
//	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
//		CertFile: files.ServerCertFile, KeyFile: files.ServerKeyFile,
//		CAFile: files.CAFile, Server: true,
//	})
//	if err != nil {
//		return err
//	}
//	gsrv, err := server.NewGRPCServer(
//		&server.Config{CommitLog: commitLog, Authorizer: authorizer},
//		grpc.Creds(credentials.NewTLS(serverTLS)),
//	)
//	if err != nil {
//		return err
//	}
//	return gsrv.Serve(ln) // until gsrv.Stop or gsrv.GracefulStop
package server
