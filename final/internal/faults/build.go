package faults

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaryPackage is the import path of the proglog command.
const binaryPackage = "github.com/proglog-workshop/proglog/final/cmd/proglog"

// Build compiles the proglog command into dir and returns the binary's
// path. The battery builds it once and starts every node from it: the
// nodes are the real program, not a test double. tags are build tags, such
// as the coordinated crash's crashfs (see [CutToSynced]).
func Build(dir string, tags ...string) (string, error) {
	bin := filepath.Join(dir, "proglog")
	out, err := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-o", bin, binaryPackage).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", binaryPackage, err, out)
	}
	return bin, nil
}
