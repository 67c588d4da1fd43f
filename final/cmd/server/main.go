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
//
// Every call is logged to stderr as a JSON line. -metrics-addr serves the
// metrics for Prometheus over plain HTTP at http://<addr>/metrics;
// -trace prints every call's span to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/server"
	"github.com/proglog-workshop/proglog/final/internal/telemetry"
)

// flags are the command's settings.
type flags struct {
	addr, dir, certs, aclModel, aclPolicy string
	metricsAddr                           string
	trace                                 bool
}

func main() {
	var f flags
	flag.StringVar(&f.addr, "addr", "127.0.0.1:8400", "address to listen on")
	flag.StringVar(&f.dir, "dir", "", "directory of the log (default: a new temporary directory)")
	flag.StringVar(&f.certs, "certs", "", "directory written by cmd/gencert (required)")
	flag.StringVar(&f.aclModel, "acl-model", "internal/auth/testdata/model.conf", "casbin model of the ACL")
	flag.StringVar(&f.aclPolicy, "acl-policy", "internal/auth/testdata/policy.csv", "casbin policy of the ACL")
	flag.StringVar(&f.metricsAddr, "metrics-addr", "", "address to serve /metrics on for Prometheus, over plain HTTP (default: none)")
	flag.BoolVar(&f.trace, "trace", false, "print every call's span to stderr")
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
	logger, err := zap.NewProduction()
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }() // stderr: nothing to lose if it fails
	cfg := &server.Config{CommitLog: commitLog, Authorizer: authorizer, Logger: logger}
	if f.trace {
		tracerProvider, err := newSpanPrinter()
		if err != nil {
			return err
		}
		defer shutdown(logger, "span printer", tracerProvider.Shutdown)
		cfg.TracerProvider = tracerProvider
	}
	if f.metricsAddr != "" {
		prom, err := telemetry.NewPrometheus(sdkmetric.WithResource(service))
		if err != nil {
			return err
		}
		defer shutdown(logger, "meter provider", prom.Shutdown)
		cfg.MeterProvider = prom.MeterProvider
		stopMetrics, err := serveMetrics(f.metricsAddr, prom, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	gsrv, err := server.NewGRPCServer(cfg, grpc.Creds(credentials.NewTLS(serverTLS)))
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

// service names the process in its spans and metrics (Prometheus shows
// it in target_info).
var service = resource.NewSchemaless(attribute.String("service.name", "proglog"))

// newSpanPrinter returns a tracer provider that prints every span to
// stderr, as JSON, shortly after it ends.
func newSpanPrinter() (*sdktrace.TracerProvider, error) {
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("new span printer: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(service)), nil
}

// shutdown calls stop, which flushes what a provider still holds, giving
// it 5 seconds, and logs its error.
func shutdown(logger *zap.Logger, what string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		logger.Error("shut down "+what, zap.Error(err))
	}
}

// serveMetrics serves prom's /metrics on addr, over plain HTTP, until the
// returned function is called.
func serveMetrics(addr string, prom *telemetry.Prometheus, logger *zap.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	srv := &http.Server{Handler: prom.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve metrics", zap.Error(err))
		}
	}()
	fmt.Fprintf(os.Stderr, "serving metrics on http://%s%s\n", ln.Addr(), telemetry.MetricsPath)
	return func() { _ = srv.Close() }, nil // the process is ending; nothing to report to
}
