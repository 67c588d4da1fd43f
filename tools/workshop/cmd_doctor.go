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
// the race detector, loopback ports and disk space. Modules not downloaded
// yet are a notice, not a failure: on a fresh clone the first `go test` of a
// chapter downloads them, and `prefetch` downloads them all at once.
func runDoctor(ctx context.Context, u ui, _ []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	c := colour(stdout)
	failed := 0
	report := func(name string, err error, ok string) {
		if err != nil {
			failed++
			fmt.Printf("  %s %s %v\n", red(c, "✗"), pad(name, 14), err)
			return
		}
		fmt.Printf("  %s %s %s\n", green(c, "✓"), pad(name, 14), ok)
	}
	version, err := goVersion(ctx)
	report("Go", err, version)
	report(u.t("race detector", "레이스 탐지기"), raceWorks(ctx), u.t("go test -race works (it needs cgo and a C compiler)", "go test -race가 동작합니다(cgo와 C 컴파일러가 필요합니다)"))
	report("loopback", loopback(), u.t("can listen on 127.0.0.1", "127.0.0.1에서 연결을 받을 수 있습니다"))
	report(u.t("port 8080", "포트 8080"), portFree("127.0.0.1:8080"), u.t("free for the HTTP cmd/server of chapters 1–3", "1–3장의 HTTP cmd/server가 쓸 수 있습니다"))
	free, err := freeDisk(u, root)
	report(u.t("disk", "디스크"), err, free)
	missing, err := modulesMissing(ctx, root)
	switch {
	case err != nil:
		report(u.t("modules", "모듈"), err, "")
	case len(missing) == 0:
		report(u.t("modules", "모듈"), nil, u.t("every module's dependencies are downloaded", "모든 모듈의 의존성을 내려받았습니다"))
	default:
		fmt.Printf("  %s %s %s\n", yellow(c, "!"), pad(u.t("modules", "모듈"), 14), u.t(
			"not downloaded yet: "+strings.Join(missing, ", ")+"\n"+
				"                   a chapter's first `go test` downloads its own (it needs the network);\n"+
				"                   to download them all now and work offline: go run ./tools/workshop prefetch",
			"아직 내려받지 않음: "+strings.Join(missing, ", ")+"\n"+
				"                   장에서 처음 `go test`를 실행하면 그 장의 모듈을 내려받습니다(네트워크 필요).\n"+
				"                   지금 모두 내려받아 오프라인으로 작업하려면: go run ./tools/workshop prefetch"))
	}
	if failed > 0 {
		return fmt.Errorf(u.t("%d checks failed", "점검 %d개 실패"), failed)
	}
	fmt.Println(green(c, u.t("Ready for the workshop.", "워크숍 준비가 끝났습니다.")))
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

func freeDisk(u ui, dir string) (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", err
	}
	free := st.Bavail * uint64(st.Bsize)
	text := fmt.Sprintf(u.t("%.1f GiB free", "%.1f GiB 남음"), float64(free)/(1<<30))
	if free < 2<<30 {
		return text, fmt.Errorf(u.t("%s: the build cache and test data need about 2 GiB", "%s: 빌드 캐시와 테스트 데이터에 2 GiB쯤 필요합니다"), text)
	}
	return text, nil
}

// modulesMissing lists the modules whose dependencies are not in the module
// cache yet, by listing them with the network turned off.
func modulesMissing(ctx context.Context, root string) ([]string, error) {
	var missing []string
	for _, dir := range moduleDirs(root) {
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off")
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Other errors (a learner's syntax error) are not the machine's
		// problem: check reports them.
		if err != nil && needsDownload(string(out)) {
			rel, _ := filepath.Rel(root, dir)
			missing = append(missing, filepath.ToSlash(rel))
		}
	}
	return missing, nil
}

// needsDownload reports whether go's output says a module is missing from
// the cache, as opposed to a real problem such as a syntax error.
func needsDownload(out string) bool {
	return strings.Contains(out, "GOPROXY=off") || strings.Contains(out, "missing go.sum entry") ||
		strings.Contains(out, "module lookup disabled") || strings.Contains(out, "cannot find module providing package")
}
