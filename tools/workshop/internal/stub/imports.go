package stub

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/imports"
)

// FixGo removes the imports a learner file no longer uses (the reference
// code that used them is gone), adds the exercise package when a stub calls
// it, and formats the result.
func FixGo(src []byte, exerciseImport string) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("stubbed file does not parse: %w", err)
	}
	specs := append([]*ast.ImportSpec(nil), file.Imports...) // deleting edits file.Imports
	for _, spec := range specs {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, err
		}
		if spec.Name != nil && (spec.Name.Name == "_" || spec.Name.Name == ".") {
			continue
		}
		name, alias := assumedName(path), ""
		if spec.Name != nil {
			name, alias = spec.Name.Name, spec.Name.Name
		}
		if !usesName(file, name) {
			astutil.DeleteNamedImport(fset, file, alias, path)
		}
	}
	if exerciseImport != "" && bytes.Contains(src, []byte("exercise.NotDone(")) {
		astutil.AddImport(fset, file, exerciseImport)
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, file); err != nil {
		return nil, err
	}
	// goimports groups the standard library apart from other modules.
	return imports.Process("", buf.Bytes(), &imports.Options{FormatOnly: true, Comments: true, TabIndent: true, TabWidth: 8})
}

// assumedName is the package name an import path most likely declares, by
// the convention goimports relies on: the last path element, skipping a
// major-version element (".../casbin/v2" is casbin), without a "go-" prefix
// or a ".v3"-style suffix.
func assumedName(importPath string) string {
	base := path.Base(importPath)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		if dir := path.Dir(importPath); dir != "." {
			base = path.Base(dir)
		}
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexFunc(base, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}); i >= 0 {
		base = base[:i]
	}
	return base
}

// usesName reports whether the file refers to name.Something.
func usesName(file *ast.File, name string) bool {
	used := false
	ast.Inspect(file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && id.Obj == nil {
				used = true
			}
		}
		return !used
	})
	return used
}
