package stub

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strconv"

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
		if !astutil.UsesImport(file, path) {
			name := ""
			if spec.Name != nil {
				name = spec.Name.Name
			}
			astutil.DeleteNamedImport(fset, file, name, path)
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
