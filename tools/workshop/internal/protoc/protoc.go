// Package protoc compiles .proto files in pure Go and runs protoc plugins on
// them, so that regenerating a chapter's protobuf code needs no system protoc.
//
// The .proto files are parsed with github.com/bufbuild/protocompile. The
// plugins are the ones pinned as `tool` lines in the chapter's go.mod and run
// with `go tool`, which means the chapter decides the generator versions.
//
// # Usage
//
//	files, err := protoc.Generate(ctx, protoc.Request{
//		Root:  "ch02-protobuf",
//		Files: []string{"api/v1/log.proto"},
//	})
//	// files maps paths relative to Root to their generated contents.
package protoc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"

	"github.com/bufbuild/protocompile"
	"golang.org/x/mod/modfile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Request says what to compile and which plugins to run.
type Request struct {
	// Root is the module directory: the import path of every .proto file and
	// the directory the plugins run in (so `go tool` finds the pinned versions).
	Root string
	// Files are the .proto files to generate code for, relative to Root.
	Files []string
	// Plugins are `go tool` names, e.g. "protoc-gen-go", "protoc-gen-go-grpc".
	// Each runs with the parameter "paths=source_relative". When empty, the
	// plugins Root's go.mod pins as tools are used ([PinnedPlugins]).
	Plugins []string
	// Open, when set, reads a .proto file given its path relative to Root.
	// It lets a caller compile reference files that live elsewhere.
	Open func(path string) (io.ReadCloser, error)
}

// Generate compiles the request's files and returns the plugins' output,
// keyed by path relative to Root.
func Generate(ctx context.Context, req Request) (map[string][]byte, error) {
	protos, err := compile(ctx, req)
	if err != nil {
		return nil, err
	}
	plugins := req.Plugins
	if len(plugins) == 0 {
		if plugins, err = PinnedPlugins(req.Root); err != nil {
			return nil, err
		}
	}
	out := map[string][]byte{}
	for _, plugin := range plugins {
		files, err := runPlugin(ctx, req.Root, plugin, &pluginpb.CodeGeneratorRequest{
			FileToGenerate: req.Files,
			Parameter:      proto.String("paths=source_relative"),
			ProtoFile:      protos,
		})
		if err != nil {
			return nil, err
		}
		for name, content := range files {
			out[name] = content
		}
	}
	return out, nil
}

// knownPlugins are the generators a module may pin for Generate.
var knownPlugins = []string{"protoc-gen-go", "protoc-gen-go-grpc"}

// PinnedPlugins returns the protoc plugins that root's go.mod pins as tools,
// so that the module, not this package, decides the generator versions.
func PinnedPlugins(root string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	mod, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	var plugins []string
	for _, tool := range mod.Tool {
		if name := path.Base(tool.Path); slices.Contains(knownPlugins, name) {
			plugins = append(plugins, name)
		}
	}
	if len(plugins) == 0 {
		return nil, fmt.Errorf("%s/go.mod pins no protoc plugin as a tool (want one of %v)", root, knownPlugins)
	}
	return plugins, nil
}

// compile parses the files and returns them with all their imports as
// descriptors, every file after the files it imports (as protoc sends them).
func compile(ctx context.Context, req Request) ([]*descriptorpb.FileDescriptorProto, error) {
	open := req.Open
	if open == nil {
		open = func(path string) (io.ReadCloser, error) {
			return os.Open(filepath.Join(req.Root, path))
		}
	}
	compiler := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: open}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := compiler.Compile(ctx, req.Files...)
	if err != nil {
		return nil, fmt.Errorf("compile %v: %w", req.Files, err)
	}
	var ordered []*descriptorpb.FileDescriptorProto
	seen := map[string]bool{}
	var visit func(fd protoreflect.FileDescriptor)
	visit = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := range imports.Len() {
			visit(imports.Get(i).FileDescriptor)
		}
		ordered = append(ordered, protodesc.ToFileDescriptorProto(fd))
	}
	for _, fd := range compiled {
		visit(fd)
	}
	return ordered, nil
}

// runPlugin feeds one CodeGeneratorRequest to `go tool <plugin>` in root.
func runPlugin(ctx context.Context, root, plugin string, req *pluginpb.CodeGeneratorRequest) (map[string][]byte, error) {
	in, err := proto.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode request for %s: %w", plugin, err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", plugin)
	cmd.Dir = root
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go tool %s in %s: %w: %s", plugin, root, err, stderr.String())
	}
	var resp pluginpb.CodeGeneratorResponse
	if err := proto.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("decode response of %s: %w", plugin, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("%s: %s", plugin, resp.GetError())
	}
	files := map[string][]byte{}
	for _, f := range resp.File {
		files[f.GetName()] = []byte(f.GetContent())
	}
	return files, nil
}
