package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/storetest"
)

// MustOpen opens a fresh store in a temporary directory, closed when the
// test ends.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "shequn.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return MustOpen(t) })
}

func TestOpenCreatesFileAndReopens(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a", "b?#%", "shequn.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	paidAt := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	e, err := db.RecordPayment(ctx, membership.Order{ID: "cs_1", Course: "ppt", UserID: 1, PaymentIntent: "pi_1",
		Status: membership.OrderPaid, PaidAt: paidAt})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		db, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		var version, rows int
		if err := db.r.QueryRowContext(ctx, `SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&version, &rows); err != nil {
			t.Fatal(err)
		}
		if version != len(migrations) || rows != len(migrations) {
			t.Errorf("schema version %d in %d rows, want %d", version, rows, len(migrations))
		}
		got, err := db.Enrollment(ctx, "ppt", 1)
		if err != nil {
			t.Fatalf("enrollment lost on reopen: %v", err)
		}
		if got.Number != e.Number || !got.EnrolledAt.Equal(paidAt) || got.EnrolledAt.Location() != time.UTC {
			t.Errorf("enrollment after reopen = %+v, want %+v in UTC", got, e)
		}
		orders, err := db.Orders(ctx, 1)
		if err != nil || len(orders) != 1 || !orders[0].PaidAt.Equal(paidAt) || !orders[0].UpdatedAt.IsZero() {
			t.Errorf("orders after reopen = %+v, %v", orders, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shequn.db")
	db := must(Open(t.Context(), path))
	if _, err := db.w.ExecContext(t.Context(), `INSERT INTO schema_migrations VALUES (?, 0)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := Open(t.Context(), path); err == nil {
		db.Close()
		t.Fatal("opened a database newer than the program")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPragmas(t *testing.T) {
	db := MustOpen(t)
	want := map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1", "synchronous": "1"}
	for pragma, v := range want {
		for _, pool := range []struct {
			name string
			q    func() (string, error)
		}{
			{"writer", func() (s string, err error) {
				return s, db.w.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&s)
			}},
			{"reader", func() (s string, err error) {
				return s, db.r.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&s)
			}},
		} {
			got, err := pool.q()
			if err != nil || got != v {
				t.Errorf("%s: PRAGMA %s = %q, %v; want %q", pool.name, pragma, got, err, v)
			}
		}
	}
	var qo int
	if err := db.r.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Errorf("reader query_only = %d, %v", qo, err)
	}
}

// TestPendingSeatsUseIndexes checks that every stage is served by its
// partial index rather than a scan of all seats.
func TestPendingSeatsUseIndexes(t *testing.T) {
	db := MustOpen(t)
	for stage, q := range pendingSeats {
		rows, err := db.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan += detail + "; "
		}
		rows.Close()
		if want := "USING INDEX seats_pending_" + string(stage); !strings.Contains(plan, want) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("stage %s: plan %q, want %q without a sort", stage, plan, want)
		}
	}
}
