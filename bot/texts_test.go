package bot

import (
	"bytes"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/sessions"
)

// runtimeKeys are the texts whose keys are built at run time: a prefix
// and every value the program may append to it.
var runtimeKeys = map[string][]string{
	"error.": {string(shequn.CodeInvalid), string(shequn.CodeNotFound), string(shequn.CodeConflict),
		string(shequn.CodeForbidden), string(shequn.CodeNotYet), string(shequn.CodeUnavailable),
		string(shequn.CodeInternal)},
	"role.":            {string(membership.RoleTeacher), string(membership.RoleAssistant)},
	"grade.":           {string(assignments.GradeExcellent), string(assignments.GradeGood), string(assignments.GradePass), string(assignments.GradeRedo)},
	"period.":          {string(assignments.PeriodWeek), string(assignments.PeriodMonth), string(assignments.PeriodAll)},
	"right.":           {string(groups.RightInvite), string(groups.RightRestrict), string(groups.RightPin), string(groups.RightDelete)},
	"session.state.":   {string(sessions.Scheduled), string(sessions.Live), string(sessions.QA), string(sessions.Ended)},
	"broadcast.state.": {string(sessions.Sending), string(sessions.Cancelled), string(sessions.Done)},
}

// Every key the code can ask for, literal or built at run time, renders in
// both languages without a formatting error.
func TestEveryTextKeyRenders(t *testing.T) {
	keys := textKeysInCode(t)
	for prefix, values := range runtimeKeys {
		for _, v := range values {
			keys[prefix+v] = "built at run time"
		}
	}
	if len(keys) < 50 {
		t.Fatalf("only %d keys found in the code: the scan is broken", len(keys))
	}
	for key, where := range keys {
		if _, ok := catalog[key]; !ok {
			t.Errorf("%s: no text %q", where, key)
		}
	}
	for key, forms := range catalog {
		for i, lang := range []Lang{Chinese, English} {
			got := T(lang, key, sampleArgs(forms[i])...)
			if strings.Contains(got, "%!") {
				t.Errorf("%s in %s renders badly: %q", key, lang, got)
			}
		}
	}
}

// A missing key is a bug, but never a panic: it is logged and a neutral
// text is shown.
func TestMissingTextDoesNotPanic(t *testing.T) {
	var buf bytes.Buffer
	textLog.Store(slog.New(slog.NewTextHandler(&buf, nil)))
	defer textLog.Store(nil)
	got := T(English, "no.such.key", 42)
	if got != catalog[missingText][1] {
		t.Errorf("T of a missing key = %q", got)
	}
	if !strings.Contains(buf.String(), "no.such.key") {
		t.Errorf("the missing key was not logged: %q", buf.String())
	}
}

// sampleArgs makes an argument of the right kind for every verb of form.
func sampleArgs(form string) []any {
	var args []any
	next := 0
	for i := 0; i < len(form)-1; i++ {
		if form[i] != '%' {
			continue
		}
		i++
		if form[i] == '%' {
			continue
		}
		idx := next
		if form[i] == '[' {
			end := strings.IndexByte(form[i:], ']')
			n, _ := strconv.Atoi(form[i+1 : i+end])
			idx, i = n-1, i+end+1
		}
		for i < len(form) && strings.IndexByte("+-# 0123456789.", form[i]) >= 0 {
			i++
		}
		for len(args) <= idx {
			args = append(args, nil)
		}
		switch form[i] {
		case 'd':
			args[idx] = 7
		default:
			args[idx] = "x"
		}
		next = idx + 1
	}
	return args
}

// textKeysInCode finds the key of every T call in the package's code: a
// literal, a literal prefix (checked against runtimeKeys), or a variable
// whose literal values are found where it is set or passed.
func textKeysInCode(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	fset := gotoken.NewFileSet()
	keys := map[string]string{}
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
			if !ok || fn.Body == nil {
				continue
			}
			scanFunc(t, fset, fn.Body, keys)
		}
	}
	return keys
}

func scanFunc(t *testing.T, fset *gotoken.FileSet, body *ast.BlockStmt, keys map[string]string) {
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "T" {
			return true
		}
		where := fset.Position(call.Pos()).String()
		switch k := call.Args[1].(type) {
		case *ast.Ident:
			vals := valuesOf(body, k.Name)
			if len(vals) == 0 {
				t.Errorf("%s: the key %s has no literal value the test can find", where, k.Name)
			}
			for _, v := range vals {
				addKey(t, where, v, keys)
			}
		default:
			addKey(t, where, call.Args[1], keys)
		}
		return true
	})
}

// addKey records a literal key, or checks a literal prefix.
func addKey(t *testing.T, where string, e ast.Expr, keys map[string]string) {
	switch k := e.(type) {
	case *ast.BasicLit:
		s, _ := strconv.Unquote(k.Value)
		keys[s] = where
	case *ast.BinaryExpr:
		lit, ok := k.X.(*ast.BasicLit)
		if !ok {
			t.Errorf("%s: a key built without a literal prefix", where)
			return
		}
		s, _ := strconv.Unquote(lit.Value)
		if _, ok := runtimeKeys[s]; !ok {
			t.Errorf("%s: keys built from the prefix %q: list its values in runtimeKeys", where, s)
		}
	case *ast.CallExpr:
		// shequn.TextKey(code): TestEveryErrorCodeHasAText renders those.
		if sel, ok := k.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "TextKey" {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "shequn" {
				return
			}
		}
		t.Errorf("%s: a key the test cannot follow (a call)", where)
	default:
		t.Errorf("%s: a key the test cannot follow (%T)", where, e)
	}
}

// valuesOf returns what the function sets the variable name to: in an
// assignment, or as the argument of a call to a local function whose
// parameter it is.
func valuesOf(body *ast.BlockStmt, name string) []ast.Expr {
	var out []ast.Expr
	params := map[string]int{} // local function -> index of the parameter
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, lhs := range as.Lhs {
			id, ok := lhs.(*ast.Ident)
			if !ok || i >= len(as.Rhs) {
				continue
			}
			if id.Name == name {
				out = append(out, as.Rhs[i])
			}
			if fl, ok := as.Rhs[i].(*ast.FuncLit); ok {
				idx := 0
				for _, field := range fl.Type.Params.List {
					for _, pn := range field.Names {
						if pn.Name == name {
							params[id.Name] = idx
						}
						idx++
					}
				}
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); ok {
			if idx, ok := params[id.Name]; ok && idx < len(call.Args) {
				out = append(out, call.Args[idx])
			}
		}
		return true
	})
	return out
}
