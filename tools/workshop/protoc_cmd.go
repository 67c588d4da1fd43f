package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/protoc"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runProtoc regenerates Go code for .proto files given relative to the
// current directory, writing the output next to them. It is what a chapter's
// `go generate` runs.
func runProtoc(ctx context.Context, _ ui, args []string) error {
	fs := flag.NewFlagSet("protoc", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop protoc FILE.proto...\n\nCompiles the files in pure Go and runs the protoc plugins pinned in the\nenclosing module's go.mod (go tool protoc-gen-go, protoc-gen-go-grpc).")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no .proto files given")
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := moduleRoot(cwd)
	if err != nil {
		return err
	}
	var files []string
	for _, arg := range fs.Args() {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
	}
	// The exercise marker lines are not part of the schema: without them,
	// they would become comments of the fields next to them.
	out, err := protoc.Generate(ctx, protoc.Request{Root: root, Files: files, Open: func(name string) (io.ReadCloser, error) {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		plain, err := stub.Reference(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return io.NopCloser(bytes.NewReader(plain)), nil
	}})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(root, name), out[name], 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", name)
	}
	return nil
}

// moduleRoot returns the nearest directory at or above dir holding a go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}
