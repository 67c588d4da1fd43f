// Command server serves the in-memory commit log as JSON over HTTP.
//
//	go run ./cmd/server -addr 127.0.0.1:8080
//	curl -X POST localhost:8080 -d '{"record":{"value":"aGVsbG8="}}'
//	curl -X GET localhost:8080 -d '{"offset":0}'
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/proglog-workshop/proglog/ch03-log/internal/server"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()

	srv := server.NewHTTPServer(*addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}()
	log.Printf("serving the log on %s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
