package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// gossipKeyFile is the name of the file gencert writes the gossip key to.
const gossipKeyFile = "gossip.key"

// newGencertCommand returns the gencert command.
func newGencertCommand() *cobra.Command {
	var (
		dir   string
		hosts []string
	)
	cmd := &cobra.Command{
		Use:   "gencert --dir DIR",
		Short: "Write the certificates, ACL and gossip key of a cluster",
		Long: `gencert writes into DIR (made if needed; files already there are
replaced) everything a cluster's nodes and clients need, made in Go with
nothing to install:

  ca.pem                      the CA that signs everything below
  server.pem, server-key.pem  the nodes' certificate, for gRPC and for Raft
                              between nodes; valid for 127.0.0.1, ::1,
                              localhost and every --host
  NAME-client.pem, ...-key    a client certificate for each name of the
                              example ACL: root may do everything,
                              nobody nothing (the CA vouches for it,
                              the ACL does not)
  other-ca-client.pem, expired-client.pem, ...
                              client certificates a server must refuse
  model.conf, policy.csv      the example ACL (casbin) for those clients
  gossip.key                  32 random bytes, base64: a key to encrypt
                              the nodes' gossip with (AES-256)

A client's name in the ACL is the common name of its certificate: add a
client by signing a certificate for it and a line to policy.csv. Keys are
readable by their owner only. The certificates are valid for a year.`,
		Example: `  proglog gencert --dir certs
  proglog gencert --dir certs --host node-1.example.com --host 10.0.0.7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return fmt.Errorf("--dir is required: the directory to write the files to")
			}
			if err := gencert(dir, hosts); err != nil {
				return err
			}
			return listDir(cmd.OutOrStdout(), dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the files to (required)")
	cmd.Flags().StringArrayVar(&hosts, "host", nil, "another DNS name or IP address the server certificate is valid for (repeat for more)")
	return cmd
}

// gencert writes the certificates, the example ACL and a gossip key into
// dir.
func gencert(dir string, hosts []string) error {
	if _, err := pki.Write(dir, hosts...); err != nil {
		return fmt.Errorf("write certificates to %s: %w", dir, err)
	}
	if _, _, err := auth.WriteExample(dir); err != nil {
		return fmt.Errorf("write the ACL to %s: %w", dir, err)
	}
	key := make([]byte, discovery.EncryptKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("make a gossip key: %w", err)
	}
	file := filepath.Join(dir, gossipKeyFile)
	if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return fmt.Errorf("write the gossip key: %w", err)
	}
	// WriteFile keeps the mode of a file that was there.
	return os.Chmod(file, 0o600)
}

// listDir prints the names of the files in dir, one a line.
func listDir(w io.Writer, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range entries {
		if _, err := fmt.Fprintln(w, filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
