package shequn_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The layout the architecture rests on: the domain packages depend on this
// leaf package and not on each other (beyond membership's courses and
// stores), never on a transport, an SDK or a database, and this package
// depends on nothing of the module.
func TestLayout(t *testing.T) {
	forbidden := map[string][]string{
		".":           {"github.com/shequn/shequn/"},
		"membership":  {"/groups", "/assignments", "/bot", "/payments", "/store", "telegram", "stripe", "mongo", "sql"},
		"groups":      {"/assignments", "/bot", "/payments", "/store", "telegram", "stripe", "mongo", "sql"},
		"desk":        {"/groups", "/assignments", "/bot", "/payments", "/store", "telegram", "stripe", "mongo", "sql"},
		"assignments": {"/groups", "/bot", "/payments", "/store", "telegram", "stripe", "mongo", "sql"},
		"sessions":    {"/assignments", "/bot", "/payments", "/store", "telegram", "stripe", "mongo", "sql"},
	}
	for dir, bad := range forbidden {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if strings.Contains(path, b) {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}
