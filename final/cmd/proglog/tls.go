package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// loadTLS returns the tls.Config of files, whose flags are named prefix +
// "-cert-file", "-key-file" and "-ca-file". All three are required: every
// connection of a cluster is mutual TLS. A file that is not named, or not
// there, is an error that says which flag to fix.
func loadTLS(prefix string, files config.TLSConfig) (*tls.Config, error) {
	for _, f := range []struct{ flag, file string }{
		{prefix + "-cert-file", files.CertFile},
		{prefix + "-key-file", files.KeyFile},
		{prefix + "-ca-file", files.CAFile},
	} {
		if err := checkFile(f.flag, f.file); err != nil {
			return nil, err
		}
	}
	tlsConfig, err := config.SetupTLSConfig(files)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	return tlsConfig, nil
}

// checkFile returns an error saying what to do if file, the value of
// --flag, is empty or does not exist.
func checkFile(flag, file string) error {
	if file == "" {
		return fmt.Errorf("--%s is required: every connection is mutual TLS (proglog gencert --dir DIR writes the files)", flag)
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--%s: %s does not exist (proglog gencert --dir DIR writes the files; proglog cluster writes them for its nodes)", flag, file)
	} else if err != nil {
		return fmt.Errorf("--%s: %w", flag, err)
	}
	return nil
}
