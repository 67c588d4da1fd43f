// Command server serves a commit log over gRPC, without TLS, for trying
// the service by hand.
//
//	go run ./cmd/server -addr 127.0.0.1:8400 -dir /tmp/proglog
//
// Without -dir the log goes to a new temporary directory. Ctrl-C stops the
// server: calls in progress get 5 seconds to finish.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/proglog-workshop/proglog/ch04-grpc/internal/log"
	"github.com/proglog-workshop/proglog/ch04-grpc/internal/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8400", "address to listen on")
	dir := flag.String("dir", "", "directory of the log (default: a new temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run serves the log in dir on addr until ctx is done.
func run(ctx context.Context, addr, dir string) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "proglog-"); err != nil {
			return err
		}
	}
	commitLog, err := log.NewLog(dir, log.Config{})
	if err != nil {
		return err
	}
	// The server's logger gets what clients are not told, such as the
	// file behind a damaged record.
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	gsrv, err := server.NewGRPCServer(&server.Config{CommitLog: commitLog, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		// GracefulStop waits for every call to end, and a ConsumeStream at
		// the end of the log ends only when its client goes away: after a
		// few seconds, Stop cuts the rest off.
		cutOff := time.AfterFunc(5*time.Second, gsrv.Stop)
		defer cutOff.Stop()
		gsrv.GracefulStop()
	}()
	fmt.Fprintf(os.Stderr, "serving the log in %s on %s\n", dir, ln.Addr())
	if err := gsrv.Serve(ln); err != nil {
		return err
	}
	return commitLog.Close()
}
