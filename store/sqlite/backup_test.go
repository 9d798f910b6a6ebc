package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shequn/shequn/membership"
)

// A backup taken while payments are being recorded is a consistent,
// openable store: every order it holds has its enrollment.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shequn.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(1); ctx.Err() == nil; i++ {
			o := membership.Order{ID: fmt.Sprint("cs_", i), Course: "ppt", UserID: i, PaymentIntent: fmt.Sprint("pi_", i),
				Amount: 19900, Currency: "cny", Status: membership.OrderPaid}
			if _, err := db.RecordPayment(context.WithoutCancel(ctx), o); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var last int
	for i := range 3 {
		dest := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if err := Backup(t.Context(), path, dest); err != nil {
			t.Fatal(err)
		}
		orders, enrollments := backupCounts(t, dest)
		if orders != enrollments || orders < last {
			t.Errorf("backup %d: %d orders, %d enrollments (previous backup %d)", i, orders, enrollments, last)
		}
		last = orders
	}
	stop()
	wg.Wait()
	if last == 0 {
		t.Error("no write happened during the backups")
	}
	if err := Backup(t.Context(), path, filepath.Join(dir, "backup-0.db")); err == nil {
		t.Error("a backup overwrote an existing file")
	}
}

func backupCounts(t *testing.T, path string) (orders, enrollments int) {
	t.Helper()
	b, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var check string
	if err := b.r.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity of %s: %q %v", path, check, err)
	}
	b.r.QueryRowContext(t.Context(), "SELECT count(*) FROM orders").Scan(&orders)
	b.r.QueryRowContext(t.Context(), "SELECT count(*) FROM enrollments").Scan(&enrollments)
	return orders, enrollments
}
