package config

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table is the one the options table generates.
func TestREADMETable(t *testing.T) {
	const begin, end = "<!-- config-table -->\n", "<!-- /config-table -->"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q markers", strings.TrimSpace(begin), end)
	}
	if got, want := readme[i+len(begin):j], Table(); got != want {
		t.Errorf("README.md's configuration table is out of date; replace it with:\n%s", want)
	}
}

// Every default passes its own check, and Default is a valid configuration.
func TestDefaultsValid(t *testing.T) {
	c := Default()
	for _, tab := range [][]option{options, homeworkOptions, coreOptions, sessionOptions} {
		for _, o := range tab {
			if o.def == "" {
				continue
			}
			if err := o.set(c, o.def); err != nil {
				t.Errorf("%s: default %q does not set: %v", o.key, o.def, err)
			}
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

// Every option is documented, and environment variables are unique.
func TestOptionsDeclared(t *testing.T) {
	seen := map[string]string{}
	for _, o := range options {
		if o.doc == "" || o.set == nil {
			t.Errorf("%s: no doc or setter", o.key)
		}
		if o.env == "" {
			continue
		}
		if other, dup := seen[o.env]; dup {
			t.Errorf("%s is the variable of %s and %s", o.env, other, o.key)
		}
		seen[o.env] = o.key
	}
}
