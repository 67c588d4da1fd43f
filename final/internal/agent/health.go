package agent

import (
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// setupHealth serves the gRPC health service, and nothing else, in
// plaintext on HealthAddr, if set, and records in HealthAddr the address
// it got. It is for probes that cannot present a client certificate, such
// as Kubernetes' gRPC probes: it tells whether the agent runs, and nothing
// about the log. The main port serves the same service over mutual TLS.
func (a *Agent) setupHealth() error {
	if a.HealthAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.HealthAddr)
	if err != nil {
		return fmt.Errorf("listen for health checks: %w", err)
	}
	a.HealthAddr = ln.Addr().String()
	a.health = health.NewServer()
	// Both names the main port answers for: the whole server, "", which a
	// new health server reports as SERVING, and the Log service.
	a.health.SetServingStatus(api.Log_ServiceDesc.ServiceName, healthgrpc.HealthCheckResponse_SERVING)
	a.healthServer = grpc.NewServer()
	healthgrpc.RegisterHealthServer(a.healthServer, a.health)
	a.healthServing = make(chan error, 1)
	go func() { a.healthServing <- a.healthServer.Serve(ln) }()
	return nil
}

// stopHealth stops the health port and returns Serve's error. Shutdown
// has reported NOT_SERVING on it from its start (see drainHealth).
func (a *Agent) stopHealth() error {
	// A Watch lasts until its client goes: no graceful stop here.
	a.healthServer.Stop()
	return <-a.healthServing
}

// drainHealth reports NOT_SERVING on the health port, so that a probe sees
// the agent going before it is gone: a load balancer stops sending it
// clients while it finishes their calls.
func (a *Agent) drainHealth() {
	if a.health != nil {
		a.health.Shutdown()
	}
}
