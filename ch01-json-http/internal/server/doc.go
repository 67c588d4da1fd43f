// Package server implements the commit log's first API: a [Log] kept in
// memory and served as JSON over HTTP, producing with POST / and consuming
// with GET /.
//
// # Usage
//
//	srv := server.NewHTTPServer("127.0.0.1:8080")
//	go srv.ListenAndServe()
//	defer srv.Close()
//
//	// curl -X POST 127.0.0.1:8080 -d '{"record":{"value":"aGVsbG8="}}'  → {"offset":0}
//	// curl -X POST 127.0.0.1:8080 -d '{"record":{"value":"d29ybGQ="}}'  → {"offset":1}
//	// curl -X GET 127.0.0.1:8080 -d '{"offset":1}'  → {"record":{"value":"d29ybGQ=","offset":1}}
package server
