package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// minGo is the Go release every module of the workshop declares.
const minGo = "go1.26"

// runDoctor checks that this machine can run the workshop: Go version,
// the race detector, loopback ports, disk space and downloaded modules.
func runDoctor(ctx context.Context, _ []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	c := colour(stdout)
	failed := 0
	report := func(name string, err error, ok string) {
		if err != nil {
			failed++
			fmt.Printf("  %s %-14s %v\n", red(c, "✗"), name, err)
			return
		}
		fmt.Printf("  %s %-14s %s\n", green(c, "✓"), name, ok)
	}
	version, err := goVersion(ctx)
	report("Go", err, version)
	report("race detector", raceWorks(ctx), "go test -race works (it needs cgo and a C compiler)")
	report("loopback", loopback(), "can listen on 127.0.0.1")
	report("port 8080", portFree("127.0.0.1:8080"), "free for the HTTP cmd/server of chapters 1–3")
	free, err := freeDisk(root)
	report("disk", err, free)
	report("modules", modulesReady(ctx, root), "every module's dependencies are downloaded")
	if failed > 0 {
		return fmt.Errorf("%d checks failed", failed)
	}
	fmt.Println(green(c, "Ready for the workshop."))
	return nil
}

func goVersion(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("go is not on PATH: install Go 1.26 or later from go.dev/dl")
	}
	v := strings.TrimSpace(string(out))
	if versionLess(v, minGo) {
		return v, fmt.Errorf("%s is too old: the workshop needs %s or later", v, minGo)
	}
	return v + " (" + runtime.GOOS + "/" + runtime.GOARCH + ")", nil
}

// versionLess compares "go1.25.3" with "go1.26" by their numbers.
func versionLess(a, b string) bool {
	parse := func(v string) [3]int {
		var n [3]int
		for i, part := range strings.SplitN(strings.TrimPrefix(v, "go"), ".", 3) {
			fmt.Sscanf(part, "%d", &n[i])
		}
		return n
	}
	x, y := parse(a), parse(b)
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

func raceWorks(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "workshop-doctor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"go.mod":  "module doctor\n\ngo 1.26.0\n",
		"main.go": "package main\n\nfunc main() {}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-race", "-o", os.DevNull, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -race failed (install gcc, or set CGO_ENABLED=1): %s", strings.TrimSpace(string(out)))
	}
	return nil
}

func loopback() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	return ln.Close()
}

func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s is taken: pass -addr to cmd/server", addr)
	}
	return ln.Close()
}

func freeDisk(dir string) (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", err
	}
	free := st.Bavail * uint64(st.Bsize)
	text := fmt.Sprintf("%.1f GiB free", float64(free)/(1<<30))
	if free < 2<<30 {
		return text, fmt.Errorf("%s: the build cache and test data need about 2 GiB", text)
	}
	return text, nil
}

// modulesReady lists every module's dependencies without the network.
func modulesReady(ctx context.Context, root string) error {
	for _, dir := range moduleDirs(root) {
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			rel, _ := filepath.Rel(root, dir)
			return fmt.Errorf("%s needs downloads: run `go run ./tools/workshop prefetch` (%s)", rel, firstLine(string(out)))
		}
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
