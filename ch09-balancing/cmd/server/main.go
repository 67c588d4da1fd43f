// Command server serves a commit log over gRPC with mutual TLS and an ACL,
// for trying the service by hand. Make the certificates first:
//
//	go run ./cmd/gencert -dir /tmp/proglog-certs
//	go run ./cmd/server -certs /tmp/proglog-certs -dir /tmp/proglog
//
// Without -dir the log goes to a new temporary directory. The ACL defaults
// to the example in internal/auth/testdata (paths relative to the chapter
// directory): root may produce and consume, nobody may do nothing. Ctrl-C
// stops the server: calls in progress get 5 seconds to finish.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/proglog-workshop/proglog/ch09-balancing/internal/auth"
	"github.com/proglog-workshop/proglog/ch09-balancing/internal/config"
	"github.com/proglog-workshop/proglog/ch09-balancing/internal/log"
	"github.com/proglog-workshop/proglog/ch09-balancing/internal/server"
)

// flags are the command's settings.
type flags struct {
	addr, dir, certs, aclModel, aclPolicy string
}

func main() {
	var f flags
	flag.StringVar(&f.addr, "addr", "127.0.0.1:8400", "address to listen on")
	flag.StringVar(&f.dir, "dir", "", "directory of the log (default: a new temporary directory)")
	flag.StringVar(&f.certs, "certs", "", "directory written by cmd/gencert (required)")
	flag.StringVar(&f.aclModel, "acl-model", "internal/auth/testdata/model.conf", "casbin model of the ACL")
	flag.StringVar(&f.aclPolicy, "acl-policy", "internal/auth/testdata/policy.csv", "casbin policy of the ACL")
	flag.Parse()
	if f.certs == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run serves the log until ctx is done.
func run(ctx context.Context, f flags) error {
	if f.dir == "" {
		var err error
		if f.dir, err = os.MkdirTemp("", "proglog-"); err != nil {
			return err
		}
	}
	files := config.FilesIn(f.certs)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: files.ServerCertFile,
		KeyFile:  files.ServerKeyFile,
		CAFile:   files.CAFile,
		Server:   true,
	})
	if err != nil {
		return err
	}
	authorizer, err := auth.New(f.aclModel, f.aclPolicy)
	if err != nil {
		return err
	}
	commitLog, err := log.NewLog(f.dir, log.Config{})
	if err != nil {
		return err
	}
	gsrv, err := server.NewGRPCServer(
		&server.Config{CommitLog: commitLog, Authorizer: authorizer},
		grpc.Creds(credentials.NewTLS(serverTLS)),
	)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
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
	fmt.Fprintf(os.Stderr, "serving the log in %s on %s (mutual TLS, CA %s)\n", f.dir, ln.Addr(), files.CAFile)
	if err := gsrv.Serve(ln); err != nil {
		return err
	}
	return commitLog.Close()
}
