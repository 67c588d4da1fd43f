// Command statuspage runs a 3-node cluster in one process, on 127.0.0.1,
// produces a few records, shuts the leader down, and serves the status
// page until it is interrupted: it is how final/docs/status-page.png was
// made. From final/:
//
//	go run ./internal/agent/testdata/statuspage &
//	chromium --headless --screenshot=docs/status-page.png --window-size=1280,720 http://<printed address>/status
//
// It lives under testdata so that it is no command of the module: the
// proglog command runs real clusters.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/agent"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "statuspage:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "proglog-statuspage-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a demo's scratch space
	certs, err := pki.Write(dir + "/certs")
	if err != nil {
		return err
	}
	var agents []*agent.Agent
	defer func() {
		for _, a := range agents {
			_ = a.Shutdown() // the demo is ending
		}
	}()
	for i := range 3 {
		cfg, err := nodeConfig(certs, dir, i)
		if err != nil {
			return err
		}
		if i > 0 {
			cfg.StartJoinAddrs = []string{agents[0].BindAddr}
		}
		a, err := agent.New(cfg)
		if err != nil {
			return err
		}
		agents = append(agents, a)
	}
	if err := produce(certs, agents[0], 42); err != nil {
		return err
	}
	// node-0 led from the start; its shutdown hands the leadership over.
	if err := agents[0].Shutdown(); err != nil {
		return err
	}
	fmt.Printf("http://%s/status\n", agents[1].HTTPAddr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	return nil
}

// nodeConfig returns the configuration of node i, on free ports.
func nodeConfig(certs pki.Files, dir string, i int) (agent.Config, error) {
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	if err != nil {
		return agent.Config{}, err
	}
	peerTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	})
	if err != nil {
		return agent.Config{}, err
	}
	return agent.Config{
		NodeName:        fmt.Sprintf("node-%d", i),
		Bootstrap:       i == 0,
		DataDir:         fmt.Sprintf("%s/node-%d", dir, i),
		BindAddr:        "127.0.0.1:0",
		HTTPAddr:        "127.0.0.1:0",
		ServerTLSConfig: serverTLS,
		PeerTLSConfig:   peerTLS,
		ACLModelFile:    "internal/auth/testdata/model.conf",
		ACLPolicyFile:   "internal/auth/testdata/policy.csv",
	}, nil
}

// produce produces n records on a, as root.
func produce(certs pki.Files, a *agent.Agent, n int) error {
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	})
	if err != nil {
		return err
	}
	addr, err := a.RPCAddr()
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // nothing to flush
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := api.NewLogClient(conn)
	for i := range n {
		req := &api.ProduceRequest{Record: &api.Record{Value: fmt.Appendf(nil, "record %d", i)}}
		if _, err := c.Produce(ctx, req, grpc.WaitForReady(true)); err != nil {
			return fmt.Errorf("produce: %w", err)
		}
	}
	return nil
}
