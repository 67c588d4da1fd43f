// Package log_v1 holds the commit log's API: the protocol buffer messages
// and the gRPC service Log, generated from log.proto, and
// [ErrOffsetOutOfRange], the error that crosses the wire as a gRPC status.
// Import it as api:
//
//	import api "github.com/proglog-workshop/proglog/final/api/v1"
//
// After editing log.proto, regenerate log.pb.go (messages) and
// log_grpc.pb.go (client and server) with `go generate ./...` from the
// chapter directory: it compiles the .proto in pure Go and runs the
// protoc-gen-go and protoc-gen-go-grpc versions pinned in go.mod, so no
// protoc install is needed.
//
// # Usage
//
//	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
//		CertFile: files.RootClientCertFile, KeyFile: files.RootClientKeyFile,
//		CAFile: files.CAFile,
//	})
//	if err != nil {
//		return err
//	}
//	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
//	if err != nil {
//		return err
//	}
//	client := api.NewLogClient(conn)
//	res, err := client.Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: []byte("hello")}})
package log_v1

//go:generate go run github.com/proglog-workshop/proglog/tools/workshop protoc log.proto
