package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/telemetry"
)

// serveMetrics serves prom's /metrics on addr, over plain HTTP, until the
// returned function is called.
func serveMetrics(addr string, prom *telemetry.Prometheus, logger *zap.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on --metrics-addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: prom.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve metrics", zap.Error(err))
		}
	}()
	logger.Info("serving metrics", zap.String("url", "http://"+ln.Addr().String()+telemetry.MetricsPath))
	return func() { _ = srv.Close() }, nil // the process is ending; nothing to report to
}
