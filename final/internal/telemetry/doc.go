// Package telemetry makes the OpenTelemetry providers a server records
// with and the operators read from: [NewPrometheus] returns a meter
// provider whose metrics are served at /metrics for Prometheus to scrape,
// from a registry of its own.
//
// # Usage
//
//	prom, err := telemetry.NewPrometheus()
//	if err != nil {
//		return err
//	}
//	defer prom.Shutdown(context.Background())
//	gsrv, err := server.NewGRPCServer(&server.Config{
//		CommitLog: commitLog, Authorizer: authorizer,
//		MeterProvider: prom.MeterProvider,
//	}, grpc.Creds(creds))
//	// ...
//	metrics := &http.Server{Handler: prom.Handler(), ReadHeaderTimeout: 5 * time.Second}
//	go metrics.Serve(metricsListener) // curl http://<addr>/metrics
package telemetry
