package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/status"
	"github.com/proglog-workshop/proglog/final/internal/telemetry"
)

// HTTPAddrTag is the Serf tag that carries the address (host:port) of a
// member's HTTP port, so that any member's status page can ask the others
// for theirs. A member without an HTTP port has no such tag.
const HTTPAddrTag = "http_addr"

// Bounds of the HTTP port's server. Its answers are small and quick; a
// client that takes longer is stuck or hostile.
const (
	httpHeaderTimeout = 5 * time.Second
	// httpWriteTimeout leaves the cluster page room to wait for its
	// slowest member (status.MemberTimeout).
	httpWriteTimeout = 10 * time.Second
	httpIdleTimeout  = time.Minute
	httpHeaderBytes  = 16 << 10
	// httpStopTimeout bounds how long Shutdown lets the requests in flight
	// finish before it closes their connections.
	httpStopTimeout = 2 * time.Second
)

// httpPort is the agent's plaintext HTTP port: metrics and status. Its
// fields are nil without Config.HTTPAddr.
type httpPort struct {
	ln net.Listener
	// metrics is the meter provider the gRPC server records into, and
	// /metrics serves; nil when Config.MeterProvider came from the caller.
	metrics *telemetry.Prometheus
	handler *status.Handler
	server  *http.Server
	serving chan error // receives Serve's result
}

// listenHTTP listens on HTTPAddr, if set, and records there the address it
// got, so that the membership can share it. Unless the caller gave a
// MeterProvider, it makes the one /metrics serves and sets it as
// MeterProvider, for the gRPC server to record into. The port serves
// nothing until serveHTTP, once the agent runs.
func (a *Agent) listenHTTP() error {
	if a.HTTPAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen for HTTP: %w", err)
	}
	a.http.ln = ln
	a.HTTPAddr = ln.Addr().String()
	if a.MeterProvider != nil {
		return nil
	}
	a.http.metrics, err = telemetry.NewPrometheus(sdkmetric.WithResource(resource.NewSchemaless(
		attribute.String("service.name", "proglog"),
		attribute.String("service.instance.id", a.NodeName),
	)))
	if err != nil {
		return err
	}
	a.MeterProvider = a.http.metrics.MeterProvider
	return nil
}

// serveHTTP serves the metrics and the status on the HTTP port, if any.
// It comes last in New: the status reads the log and the membership.
func (a *Agent) serveHTTP() error {
	if a.http.ln == nil {
		return nil
	}
	var metrics http.Handler // none when the caller serves its provider
	if a.http.metrics != nil {
		metrics = a.http.metrics.Handler()
	}
	a.http.handler = status.NewHandler(a, metrics)
	a.http.server = &http.Server{
		Handler:           a.http.handler,
		ReadHeaderTimeout: httpHeaderTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    httpHeaderBytes,
		ErrorLog:          zap.NewStdLog(a.logger.Named("http")),
	}
	a.http.serving = make(chan error, 1)
	go func() { a.http.serving <- a.http.server.Serve(a.http.ln) }()
	return nil
}

// stopHTTP stops the HTTP port, letting requests in flight finish for up
// to httpStopTimeout, and stops the meter provider.
func (a *Agent) stopHTTP() error {
	var errs []error
	if a.http.server == nil {
		errs = append(errs, a.http.ln.Close()) // it never served
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), httpStopTimeout)
		defer cancel()
		if err := a.http.server.Shutdown(ctx); err != nil {
			a.logger.Warn("HTTP requests still in flight after the grace period: closing them", zap.Error(err))
			errs = append(errs, a.http.server.Close())
		}
		if err := <-a.http.serving; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve HTTP: %w", err))
		}
		a.http.handler.Close()
	}
	if a.http.metrics != nil {
		errs = append(errs, a.http.metrics.Shutdown(context.Background()))
	}
	return errors.Join(errs...)
}

// tags returns the Serf tags of this agent: its gRPC address and, if it
// has an HTTP port, that port's address as the others can reach it.
func (a *Agent) tags(rpcAddr string) map[string]string {
	tags := map[string]string{discovery.RPCAddrTag: rpcAddr}
	if a.http.ln != nil {
		tags[HTTPAddrTag] = advertisedHTTPAddr(a.http.ln.Addr().(*net.TCPAddr), rpcAddr)
	}
	return tags
}

// advertisedHTTPAddr returns where the others can reach the HTTP port
// listening at ln. A port on every interface (0.0.0.0 or ::) is reached
// at the host of the gRPC address: "0.0.0.0" would send the other nodes
// to themselves.
func advertisedHTTPAddr(ln *net.TCPAddr, rpcAddr string) string {
	port := strconv.Itoa(ln.Port)
	if !ln.IP.IsUnspecified() {
		return net.JoinHostPort(ln.IP.String(), port)
	}
	host, _, err := net.SplitHostPort(rpcAddr)
	if err != nil {
		return net.JoinHostPort(ln.IP.String(), port) // validate checked rpcAddr; keep what is known
	}
	return net.JoinHostPort(host, port)
}
