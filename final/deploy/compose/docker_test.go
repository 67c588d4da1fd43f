package compose

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// requireDockerEnv names the variable that turns a skip for want of Docker
// into a failure: CI sets it where Docker works, so the compose test
// cannot pass there by not running.
const requireDockerEnv = "PROGLOG_REQUIRE_DOCKER"

// skipWithoutDocker skips the test, with one line saying why, if Docker
// does not answer, or fails it if requireDockerEnv is "1".
func skipWithoutDocker(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(requireDockerEnv) == "1" {
		t.Fatalf("%s, and %s=1 says Docker must be here", why, requireDockerEnv)
	}
	t.Skip(why + ": the compose cluster is not tested")
}

// composeCommand returns the command that runs compose: the "docker
// compose" plugin if it is installed, else docker-compose.
func composeCommand(ctx context.Context) ([]string, error) {
	if exec.CommandContext(ctx, "docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}, nil
	}
	if exec.CommandContext(ctx, "docker-compose", "version").Run() == nil {
		return []string{"docker-compose"}, nil
	}
	return nil, fmt.Errorf(`neither "docker compose" nor docker-compose runs`)
}

// run runs name with args and env added to this process's environment,
// and returns its standard output; its error carries what it wrote to
// stderr.
func run(ctx context.Context, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
