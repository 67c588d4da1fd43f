// Package log_v1 holds the protocol buffer types of the commit log,
// generated from log.proto. Import it as api:
//
//	import api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
//
// After editing log.proto, regenerate log.pb.go with `go generate ./...`
// from the chapter directory: it compiles the .proto in pure Go and runs the
// protoc-gen-go version pinned in go.mod, so no protoc install is needed.
//
// # Usage
//
//	record := &api.Record{Value: []byte("hello")}
//	b, err := proto.Marshal(record)   // the binary wire format
//	j, err := protojson.Marshal(record) // the canonical JSON mapping
package log_v1

//go:generate go run github.com/proglog-workshop/proglog/tools/workshop protoc log.proto
