package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	noToken := filepath.Join(dir, "no-token.yaml")
	os.WriteFile(noToken, []byte("timezone: Asia/Shanghai\nlog_level: warn\n"), 0o600)
	badCourse := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badCourse, []byte("courses:\n  - id: ppt\n    title: PPT\n    prefix: ppt!\n    amount: 100\n    currency: cny\n"), 0o600)
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		inStderr string
		inStdout string
	}{
		{"no command", nil, nil, 2, "usage", ""},
		{"unknown command", []string{"dance"}, nil, 2, `unknown command "dance"`, ""},
		{"version", []string{"version"}, nil, 0, "", "shequn dev"},
		{"serve with a missing config file", []string{"serve", "-config", filepath.Join(dir, "none.yaml")}, nil, 2, "none.yaml: no such file", ""},
		{"serve without a token", []string{"serve", "-config", noToken}, map[string]string{"SHEQUN_STORE": "sqlite:" + filepath.Join(dir, "y.db")}, 2, "SHEQUN_TELEGRAM_TOKEN", ""},
		{"serve without a token, default config", []string{"serve"}, map[string]string{"SHEQUN_STORE": "sqlite:" + filepath.Join(dir, "x.db")}, 2, "SHEQUN_TELEGRAM_TOKEN", ""},
		{"bad course prefix", []string{"serve", "-config", badCourse}, nil, 2, "courses[0].prefix", ""},
		{"stripe key without webhook secret", []string{"serve"}, map[string]string{"SHEQUN_TELEGRAM_TOKEN": "1:abc", "SHEQUN_STRIPE_SECRET_KEY": "sk_test_1"}, 2,
			"shequn: SHEQUN_STRIPE_WEBHOOK_SECRET is not set but the Stripe secret key is", ""},
		{"webhook secret without stripe key", []string{"serve"}, map[string]string{"SHEQUN_TELEGRAM_TOKEN": "1:abc", "SHEQUN_STRIPE_WEBHOOK_SECRET": "whsec_1"}, 2,
			"shequn: SHEQUN_STRIPE_SECRET_KEY is not set", ""},
		{"bad owners", []string{"serve"}, map[string]string{"SHEQUN_OWNERS": "12x"}, 2, "SHEQUN_OWNERS", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr, func(k string) string { return c.env[k] })
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.inStderr) || !strings.Contains(stdout.String(), c.inStdout) {
				t.Fatalf("stdout %q stderr %q; want %q / %q", stdout.String(), stderr.String(), c.inStdout, c.inStderr)
			}
			if strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 && c.code == 2 && c.name != "no command" {
				t.Errorf("a configuration error should be one line: %q", stderr.String())
			}
		})
	}
}
