package bot

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strings"
	"testing"
)

// features are the types that hold handlers; see doc.go.
var features = map[string]bool{
	"enrollment": true, "studentWork": true, "assignDesk": true, "reviewDesk": true,
	"standings": true, "groupDesk": true, "roleDesk": true, "dialogueDesk": true,
	"sessionDesk": true, "broadcastDesk": true,
	"coreDesk": true, "coreWork": true, "corePeople": true,
}

// roleLookups are the calls that find out who a user is; only the
// audience middleware makes them.
var roleLookups = map[string]bool{"ReviewScope": true, "CanReview": true, "Grants": true, "isOwner": true}

// stores are the names under which stores are reached.
var stores = map[string]bool{"Store": true, "Members": true, "Profiles": true, "Roles": true, "Dialogues": true}

// The structure holds: no handler looks roles up on its own or reaches a
// service's store, and no type has more than about 25 methods, counting
// those it gets from the core.
func TestFeaturesKeepTheirShape(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := gotoken.NewFileSet()
	methods := map[string]int{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil {
				continue
			}
			recv := receiverType(fn)
			methods[recv]++
			if !features[recv] {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				where := fset.Position(sel.Pos()).String()
				if roleLookups[sel.Sel.Name] {
					t.Errorf("%s: %s.%s looks a role up; use r.Who", where, recv, sel.Sel.Name)
				}
				if stores[sel.Sel.Name] {
					t.Errorf("%s: %s reaches a store (%s); go through a service", where, recv, sel.Sel.Name)
				}
				return true
			})
		}
	}
	for typ, n := range methods {
		if features[typ] {
			n += methods["core"]
		}
		if n > 26 {
			t.Errorf("%s has %d methods", typ, n)
		}
	}
	if methods["core"] == 0 || methods["reviewDesk"] == 0 {
		t.Fatalf("the scan found no methods: %v", methods)
	}
}

func receiverType(fn *ast.FuncDecl) string {
	e := fn.Recv.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
