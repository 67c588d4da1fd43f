// Package server implements the commit log's gRPC service, log.v1.Log:
// Produce and Consume one record at a time, ConsumeStream to follow the log
// from an offset on, and ProduceStream to append over a bidirectional
// stream. It serves any [CommitLog], such as internal/log's Log, and asks
// an [Authorizer], such as internal/auth's, about every call: the client's
// name is the common name of its verified TLS certificate. The standard
// gRPC health service is served too, open to every client.
//
// Clients learn what they can act on: a status code and, for a read, the
// offset. What went wrong on the server's disk goes to Config.Logger.
// ConsumeStreams are limited in number, over the server and per connection
// ([Config.MaxConsumeStreams], [Config.MaxConsumeStreamsPerConn]), because
// one whose client does not read holds records in memory.
//
// Every call is observed three ways, with what [Config] provides: a
// structured log line in Config.Logger (method, code, duration, subject),
// a span from Config.TracerProvider, and metrics in Config.MeterProvider —
// gRPC's per-call duration and the service's own counts of records and
// bytes produced and records consumed. Left nil, each discards what it is
// given.
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
//	gsrv, err := server.NewGRPCServer(&server.Config{
//		CommitLog: commitLog, Authorizer: authorizer,
//		Logger: logger, MeterProvider: prom.MeterProvider, // optional
//	}, grpc.Creds(credentials.NewTLS(serverTLS)))
//	if err != nil {
//		return err
//	}
//	return gsrv.Serve(ln) // until gsrv.Stop or gsrv.GracefulStop
package server
