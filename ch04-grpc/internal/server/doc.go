// Package server implements the commit log's gRPC service, log.v1.Log:
// Produce and Consume one record at a time, ConsumeStream to follow the log
// from an offset on, and ProduceStream to append over a bidirectional
// stream. It serves any [CommitLog], such as internal/log's Log.
//
// Clients learn what they can act on: a status code and, for a read, the
// offset. What went wrong on the server's disk goes to [Config.Logger].
// ConsumeStreams are limited in number, over the server and per connection
// ([Config.MaxConsumeStreams], [Config.MaxConsumeStreamsPerConn]), because
// one whose client does not read holds records in memory.
//
// # Usage
//
//	commitLog, err := log.NewLog(dir, log.Config{})
//	if err != nil {
//		return err
//	}
//	gsrv, err := server.NewGRPCServer(&server.Config{CommitLog: commitLog})
//	if err != nil {
//		return err
//	}
//	ln, err := net.Listen("tcp", "127.0.0.1:8400")
//	if err != nil {
//		return err
//	}
//	return gsrv.Serve(ln) // until gsrv.Stop or gsrv.GracefulStop
package server
