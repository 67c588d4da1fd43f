package auth

import (
	_ "embed" // for the example ACL below
	"fmt"
	"os"
	"path/filepath"
)

// The example ACL, the one this package's tests run against: a model that
// allows a request when one policy line names its subject, object and
// action exactly, and a policy for the client certificates internal/pki
// writes. Deployments write it out with [WriteExample] and then edit it.
var (
	//go:embed testdata/model.conf
	exampleModel []byte
	//go:embed testdata/policy.csv
	examplePolicy []byte
)

// The names WriteExample gives the files it writes.
const (
	// ModelFileName is the name of the casbin model file.
	ModelFileName = "model.conf"
	// PolicyFileName is the name of the casbin policy file.
	PolicyFileName = "policy.csv"
)

// WriteExample writes the example ACL into dir, which must exist, as
// ModelFileName and PolicyFileName, replacing files already there, and
// returns their paths for [New].
func WriteExample(dir string) (modelFile, policyFile string, err error) {
	modelFile = filepath.Join(dir, ModelFileName)
	policyFile = filepath.Join(dir, PolicyFileName)
	if err := os.WriteFile(modelFile, exampleModel, 0o644); err != nil {
		return "", "", fmt.Errorf("write ACL model: %w", err)
	}
	if err := os.WriteFile(policyFile, examplePolicy, 0o644); err != nil {
		return "", "", fmt.Errorf("write ACL policy: %w", err)
	}
	return modelFile, policyFile, nil
}
