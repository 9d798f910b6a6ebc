package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// The elimination benchmark's community: a core group of benchCore members
// (users 1…69), n candidates (users 1001…), and benchEntries ledger entries
// of the period per person, members and candidates alike: 1,000,000
// entries at 100,000 students.
const (
	benchCore     = 69
	benchEntries  = 10
	benchCoreData = 3 // bump when the data set changes, to rebuild cached files
)

var benchPeriodAt = time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)

// BenchmarkElimination measures one elimination run without Telegram, as
// the service makes it: read the members and their standings, rank,
// choose the bottom five, record the run (members marked leaving), and
// invite five candidates from the queue into the freed seats. Between
// runs, untimed, the group is put back. The data sets are built once, by
// SQL, and cached in the temporary directory.
func BenchmarkElimination(b *testing.B) {
	ctx := context.Background()
	sizes := []int{1_000, 20_000, 100_000}
	if testing.Short() {
		sizes = sizes[:1] // CI runs every benchmark once, to keep it from rotting
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			start := time.Now()
			db, err := openBenchCore(ctx, n)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.Logf("%d students ready in %v", n, time.Since(start).Round(time.Millisecond))
			rules := groups.DefaultCoreRules()
			s := &groups.Service{Core: db, Homework: db, Courses: map[string]membership.Course{"ppt": {ID: "ppt"}}, CoreRules: rules, Now: func() time.Time { return benchPeriodAt },
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			for b.Loop() {
				run, err := s.Eliminate(ctx, "", "bench-0")
				if err != nil || len(run.Out) != rules.BottomN || run.Out[0].Points == 0 {
					b.Fatal(run.Out, err)
				}
				in, err := db.InviteNext(ctx, "", rules.Capacity, benchPeriodAt, benchPeriodAt.Add(rules.InviteTimeout))
				if err != nil || len(in) != rules.BottomN {
					b.Fatal(len(in), err)
				}
				b.StopTimer()
				if err := resetBenchCore(ctx, db); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// resetBenchCore puts the core group back as it was before a run.
func resetBenchCore(ctx context.Context, db *DB) error {
	return db.write(ctx, func(t *tx) error {
		for _, q := range []string{
			`UPDATE core_seats SET state = 'member', run_id = 0 WHERE state = 'leaving'`,
			`UPDATE core_seats SET state = 'candidate', invited_at = NULL, expires_at = NULL WHERE state = 'invited'`,
			`DELETE FROM core_runs`,
		} {
			if _, err := t.tx.ExecContext(t.ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// openBenchCore opens the benchmark's store of n students, building it
// first unless a cached copy exists.
func openBenchCore(ctx context.Context, n int) (*DB, error) {
	// The schema's checksum names the file: a migration changed on a
	// branch before its release rebuilds it too.
	schema := crc32.ChecksumIEEE([]byte(strings.Join(migrations, ";")))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("shequn-bench-core-%08x-d%d-n%d.db", schema, benchCoreData, n))
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		if err := buildBenchCore(ctx, tmp, n); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("build %d students: %w", n, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	db, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := resetBenchCore(ctx, db); err != nil { // a run interrupted before
		db.Close()
		return nil, err
	}
	return db, nil
}

// buildBenchCore creates the schema with Open, then fills it on a
// connection of its own without journal or sync.
func buildBenchCore(ctx context.Context, path string, n int) error {
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", "file:"+escapePath(path)+
		"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	joined, at := benchPeriodAt.AddDate(0, -6, 0).UnixNano(), benchPeriodAt.AddDate(0, 0, -10).UnixNano()
	script := []string{
		fmt.Sprintf(`WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < %d)
			INSERT INTO core_seats (scope, user_id, state, reason, qualified_at, joined_at, invite_sent_at, welcomed_at)
			SELECT '', i, 'member', '{"kind":"excellent"}', %d, %d, %d, %d FROM u`, benchCore, joined, joined, joined, joined),
		fmt.Sprintf(`WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < %d)
			INSERT INTO core_seats (scope, user_id, state, reason, score, qualified_at)
			SELECT '', 1000 + i, 'candidate', '{"kind":"excellent"}', (i * 7919) %% 50, %d + i FROM u`, n, at),
		fmt.Sprintf(`WITH RECURSIVE e(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM e WHERE i < %d)
			INSERT INTO core_contrib (scope, user_id, period, source, points, by_user, reason, key, at)
			SELECT '', CASE WHEN i / %d < %d THEN i / %d + 1 ELSE 1000 + i / %d - %d + 1 END, 'bench-0',
				CASE i %% 3 WHEN 0 THEN 'homework' WHEN 1 THEN 'task' ELSE 'award' END,
				1 + (i * 2654435761) %% 20, 900, '', 'k' || (i %% %d), %d + i FROM e`,
			(n+benchCore)*benchEntries-1, benchEntries, benchCore, benchEntries, benchEntries, benchCore, benchEntries, at),
	}
	for _, q := range script {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s…: %w", q, err)
		}
	}
	_, err = raw.ExecContext(ctx, `PRAGMA journal_mode = WAL`)
	return err
}
