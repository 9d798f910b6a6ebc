package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	store := filepath.Join(dir, "shequn.db")
	db, err := sqlite.Open(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.RecordPayment(t.Context(), membership.Order{ID: "cs_1", Course: "ppt", UserID: 7, Status: membership.OrderPaid}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SHEQUN_STORE": "sqlite:" + store}
	dest := filepath.Join(dir, "copy.db")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"backup", dest}, &stdout, &stderr, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	copied, err := sqlite.Open(t.Context(), dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if e, err := copied.Enrollment(t.Context(), "ppt", 7); err != nil || e.Number != 1 {
		t.Errorf("the copy holds %+v %v", e, err)
	}

	stderr.Reset()
	env["SHEQUN_STORE"] = "mongodb://admin:hunter2@db.example.com/shequn"
	code := run([]string{"backup", "x.archive"}, &stdout, &stderr, func(k string) string { return env[k] })
	if code != 2 || !strings.Contains(stderr.String(), "mongodump") || strings.Contains(stderr.String(), "hunter2") {
		t.Errorf("mongodb: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"backup"}, &stdout, &stderr, func(k string) string { return env[k] }); code != 2 || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("no file: exit %d, %q", code, stderr.String())
	}
}
