package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/desk"
)

// TestDeskQueriesUseIndexes checks that handing a ticket out reads the
// candidates' counts by primary key and the stale tickets by index: no
// query of the hand-out scans the tickets.
func TestDeskQueriesUseIndexes(t *testing.T) {
	db := MustOpen(t)
	ids := `[1,2,3]`
	for _, c := range []struct {
		name string
		q    string
		args []any
		want string
	}{
		{"least loaded", qLeastLoaded, []any{ids}, "SEARCH desk_load USING INTEGER PRIMARY KEY (rowid=?)"},
		{"next seq", qNextSeq, nil, "SEARCH desk_load USING COVERING INDEX desk_load_seq"},
		{"ticket", qTicket, []any{1}, "SEARCH desk_tickets USING INTEGER PRIMARY KEY (rowid=?)"},
		{"stale", qStaleTickets, []any{0, 0, 10}, "SEARCH desk_tickets USING INDEX desk_tickets_stale (state=? AND level=? AND assigned_at<?)"},
	} {
		p := plan(t, db, c.q, c.args...)
		if !strings.Contains(p, c.want) || strings.Contains(p, "SCAN desk_tickets") {
			t.Errorf("%s: plan\n%s\nlacks %q", c.name, p, c.want)
		}
	}
}

// benchAssistants is how many assistants the hand-out chooses among.
const benchAssistants = 50

// openBenchDesk builds a store holding n open tickets spread evenly over
// the assistants, with their counts, by SQL.
func openBenchDesk(ctx context.Context, b *testing.B, n int) *DB {
	db, err := Open(ctx, filepath.Join(b.TempDir(), "desk.db"))
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	err = db.write(ctx, func(x *tx) error {
		if _, err := x.tx.ExecContext(ctx, `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
			INSERT INTO desk_tickets (course, group_id, student, text, state, level, assignee, assigned_at, created_at,
				faq_id, faq_failed, answered_by, answer, rating)
			SELECT 'ppt', 1, 100000 + i, 'question', 'open', 0, 1 + i % ?2, ?3 + i, ?3 + i, 0, 0, 0, '', 0 FROM s`, n, benchAssistants, at); err != nil {
			return err
		}
		_, err := x.tx.ExecContext(ctx, `INSERT INTO desk_load (user_id, open, seq)
			SELECT assignee, COUNT(*), assignee FROM desk_tickets GROUP BY assignee`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkDeskAssign hands out new tickets among 50 assistants holding
// 1,000, 10,000 and 100,000 open tickets, and checks that the hand-out
// costs at most three times as much at 100,000 as at 1,000 (it reads the
// assistants' counts, never the tickets) and keeps the counts even. The
// median of the hand-outs is compared, so that a pause of the machine in
// one of them does not decide. Reported per size: the median µs of one
// hand-out.
func BenchmarkDeskAssign(b *testing.B) {
	ctx := context.Background()
	sizes := []int{1_000, 10_000, 100_000}
	per := 300
	if testing.Short() {
		per = 50
	}
	assistants := make([]int64, benchAssistants)
	for i := range assistants {
		assistants[i] = int64(i + 1)
	}
	took := map[int][]time.Duration{}
	for range b.N {
		for _, n := range sizes {
			db := openBenchDesk(ctx, b, n)
			took[n] = append(took[n], handOut(ctx, b, db, assistants, per)...)
			db.Close()
		}
	}
	costs := map[int]time.Duration{}
	for _, n := range sizes {
		slices.Sort(took[n])
		costs[n] = took[n][len(took[n])/2]
		b.ReportMetric(float64(costs[n].Nanoseconds())/1e3, fmt.Sprintf("µs/assign@%d", n))
	}
	if ratio := float64(costs[100_000]) / float64(costs[1_000]); ratio > 3 {
		b.Fatalf("a hand-out costs %v at 100,000 open tickets, %v at 1,000: %.1f×, want ≤ 3×", costs[100_000], costs[1_000], ratio)
	}
}

// handOut opens per tickets (untimed) and hands them out (each timed),
// then checks that every assistant's count grew evenly.
func handOut(ctx context.Context, b *testing.B, db *DB, assistants []int64, per int) []time.Duration {
	var ids []int64
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range per {
		t, err := db.OpenTicket(ctx, desk.Ticket{Course: "ppt", Student: int64(i + 1), Text: "q", State: desk.StateOpen, CreatedAt: at, AssignedAt: at})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, t.ID)
	}
	took := make([]time.Duration, 0, per)
	for _, id := range ids {
		start := time.Now()
		if _, err := db.AssignTicket(ctx, id, assistants, desk.LevelAssistant, at); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	var lo, hi int
	if err := db.r.QueryRowContext(ctx, `SELECT MIN(open), MAX(open) FROM desk_load`).Scan(&lo, &hi); err != nil {
		b.Fatal(err)
	}
	if hi-lo > 1 {
		b.Fatalf("open tickets per assistant range from %d to %d after the hand-out, want even", lo, hi)
	}
	return took
}
