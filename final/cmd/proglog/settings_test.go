package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// serveSettingsFrom loads serve's settings as the command would, from
// args, the environment and the config file args or the environment name.
func serveSettingsFrom(t *testing.T, args []string) (dataDir string, rpcPort int, join []string, err error) {
	t.Helper()
	flags := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addServeFlags(flags)
	require.NoError(t, flags.Parse(args))
	v, err := loadSettings(flags)
	if err != nil {
		return "", 0, nil, err
	}
	return v.GetString("data-dir"), v.GetInt("rpc-port"), stringList(v, "start-join-addrs"), nil
}

func TestSettingsPrecedence(t *testing.T) {
	defaultDataDir := filepath.Join(os.TempDir(), "proglog")
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		file     string // YAML; empty means no config file
		wantDir  string
		wantPort int
		wantJoin []string
	}{
		{
			name:     "nothing set gives the defaults",
			wantDir:  defaultDataDir,
			wantPort: 8400,
		},
		{
			name:     "the file overrides the defaults",
			file:     "data-dir: /from/file\nrpc-port: 9000\nstart-join-addrs: [a:1, b:2]\n",
			wantDir:  "/from/file",
			wantPort: 9000,
			wantJoin: []string{"a:1", "b:2"},
		},
		{
			name:     "the environment overrides the file",
			env:      map[string]string{"PROGLOG_DATA_DIR": "/from/env", "PROGLOG_START_JOIN_ADDRS": "c:3,d:4"},
			file:     "data-dir: /from/file\nrpc-port: 9000\nstart-join-addrs: [a:1]\n",
			wantDir:  "/from/env",
			wantPort: 9000,
			wantJoin: []string{"c:3", "d:4"},
		},
		{
			name:     "a flag overrides the environment and the file",
			args:     []string{"--data-dir", "/from/flag", "--start-join-addrs", "e:5"},
			env:      map[string]string{"PROGLOG_DATA_DIR": "/from/env", "PROGLOG_RPC_PORT": "9100", "PROGLOG_START_JOIN_ADDRS": "c:3"},
			file:     "data-dir: /from/file\nrpc-port: 9000\n",
			wantDir:  "/from/flag",
			wantPort: 9100,
			wantJoin: []string{"e:5"},
		},
		{
			name:     "a flag overrides the file without an environment",
			args:     []string{"--rpc-port", "9200"},
			file:     "data-dir: /from/file\nrpc-port: 9000\n",
			wantDir:  "/from/file",
			wantPort: 9200,
		},
		{
			name:     "the environment overrides the defaults without a file",
			env:      map[string]string{"PROGLOG_RPC_PORT": "9300"},
			wantDir:  defaultDataDir,
			wantPort: 9300,
		},
		{
			name:     "a flag given its default value still overrides the environment",
			args:     []string{"--rpc-port", "8400"},
			env:      map[string]string{"PROGLOG_RPC_PORT": "9300"},
			wantDir:  defaultDataDir,
			wantPort: 8400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := tt.args
			if tt.file != "" {
				file := filepath.Join(t.TempDir(), "node.yaml")
				require.NoError(t, os.WriteFile(file, []byte(tt.file), 0o600))
				args = append(args, "--config-file", file)
			}
			dir, port, join, err := serveSettingsFrom(t, args)
			require.NoError(t, err)
			require.Equal(t, tt.wantDir, dir, "data-dir")
			require.Equal(t, tt.wantPort, port, "rpc-port")
			require.Equal(t, tt.wantJoin, join, "start-join-addrs")
		})
	}
}

func TestSettingsConfigFileFromTheEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.yaml")
	require.NoError(t, os.WriteFile(file, []byte("data-dir: /from/file\n"), 0o600))
	t.Setenv("PROGLOG_CONFIG_FILE", file)
	dir, _, _, err := serveSettingsFrom(t, nil)
	require.NoError(t, err)
	require.Equal(t, "/from/file", dir)
}

func TestSettingsRefuseABadConfigFile(t *testing.T) {
	tests := []struct {
		name    string
		content string // empty: the file does not exist
		want    string // what the error must name
	}{
		{name: "a key that is no flag", content: "data_dir: /typo\n", want: `"data_dir" is not a setting`},
		{name: "a file that is not a mapping", content: "- data-dir\n", want: "not a YAML mapping"},
		{name: "a file that is not there", want: "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "node.yaml")
			if tt.content != "" {
				require.NoError(t, os.WriteFile(file, []byte(tt.content), 0o600))
			}
			_, _, _, err := serveSettingsFrom(t, []string{"--config-file", file})
			require.ErrorContains(t, err, tt.want)
		})
	}
}
