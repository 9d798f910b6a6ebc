package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/assignments"
)

// plan returns the query plan of q, one detail per line.
func plan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestHomeworkQueriesUseIndexes checks that the queue, the ledger and the
// feedback queries search an index: none scans a whole table or sorts
// more than a handful of rows.
func TestHomeworkQueriesUseIndexes(t *testing.T) {
	db := MustOpen(t)
	for _, c := range []struct {
		name string
		q    string
		args []any
		want []string
		sort bool // sorting is allowed: the heads of the queue of each course
	}{
		{"next pending", qHoldNext, []any{1, 2, 3}, []string{"SCAN submissions USING INDEX submissions_pending"}, false},
		{"next pending of courses", qHoldNextOf, []any{1, 2, 3, `["ppt","xls"]`},
			[]string{"SEARCH h USING INDEX submissions_pending_course (course=?)"}, true},
		{"held by", qHeldBy, []any{1, 2}, []string{"USING INDEX submissions_held (held_by=?)"}, false},
		{"standing", qStanding, []any{"ppt", "all", "all", 1}, []string{
			"SEARCH l USING PRIMARY KEY (course=? AND period=? AND period_key=? AND user_id=?)",
			"SEARCH b USING PRIMARY KEY (course=? AND period=? AND period_key=? AND level=? AND points>?)",
			"SEARCH b USING PRIMARY KEY (course=? AND period=? AND period_key=? AND level=? AND points=? AND slot<?)",
			"SEARCH b USING PRIMARY KEY (course=? AND period=? AND period_key=? AND level=? AND points=? AND slot>? AND slot<?)",
			"USING COVERING INDEX ledger_rank (course=? AND period=? AND period_key=? AND points=? AND first_at>? AND first_at<?)",
		}, false},
		{"top", qTop, []any{"ppt", "all", "all", 10},
			[]string{"USING COVERING INDEX ledger_rank (course=? AND period=? AND period_key=?)"}, false},
		{"first counted", qFirstCounted, []any{1, "ppt", "week", "2026-W09"},
			[]string{"USING INDEX submissions_counted (user_id=? AND course=?)"}, false},
		{"unsent feedback", qUnsentFeedback, []any{10}, []string{"USING INDEX submissions_unsent"}, false},
		{"current versions", qSubmissions, []any{1}, []string{"USING INDEX submissions_user (user_id=?)"}, false},
		{"latest version", qLatestVersion, []any{1, 1}, []string{"USING INDEX submissions_latest"}, false},
		{"profiles by username", qProfilesByUsername, []any{"li", 5}, []string{"USING INDEX profiles_username (username=?)"}, false},
	} {
		p := plan(t, db, c.q, c.args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: plan\n%s\nlacks %q", c.name, p, w)
			}
		}
		for _, line := range strings.Split(p, "\n") {
			scan := strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, " USING ") && !strings.Contains(line, "VIRTUAL TABLE")
			if scan || !c.sort && strings.Contains(line, "TEMP B-TREE") {
				t.Errorf("%s: plan\n%s\nhas %q", c.name, p, line)
			}
		}
	}
}

// bucketsOfLedger is the content score_buckets must have for the ledger
// rows that match where: the rows counted per level (see tieShifts).
func bucketsOfLedger(where string) string {
	q := `SELECT course, period, period_key, 0 AS level, points, 0 AS slot, COUNT(*) AS n FROM ledger
		WHERE ` + where + ` GROUP BY course, period, period_key, points`
	for i, shift := range tieShifts {
		q += fmt.Sprintf(`
		UNION ALL SELECT course, period, period_key, %d, points, first_at >> %d AS slot, COUNT(*) FROM ledger
		WHERE %s GROUP BY course, period, period_key, points, slot`, i+1, shift, where)
	}
	return q
}

// The benchmark's community: one course, ten weekly assignments every
// student handed in and had graded (scores 50 to 100), and benchPending
// submissions waiting, the oldest benchHeld of them held by other
// reviewers.
const (
	benchWeeks   = 10
	benchPending = 3000
	benchHeld    = 5
	benchData    = 3 // bump when the data set changes, to rebuild cached files
)

var benchStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday: week k is 2026-W(02+k)

// BenchmarkHomework measures /rank (Standing of a random student, all
// time), /top (Top 10, all time) and /review (Hold then Release of the next
// pending submission) with 1k, 20k and 100k students, each with ten graded
// submissions counted in the week, month and all-time ledgers. The data
// sets are built once, by SQL, and cached in the temporary directory.
//
// With -short (as CI runs every benchmark once) only the 1k community is
// built, so that the run checks the invariants without the minute the large
// data sets take on a cold machine.
func BenchmarkHomework(b *testing.B) {
	sizes := []int{1_000, 20_000, 100_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	dbs := map[int]*DB{}
	open := func(b *testing.B, n int) *DB {
		if db, ok := dbs[n]; ok {
			return db
		}
		start := time.Now()
		db, err := openBenchHomework(b.Context(), n)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d students ready in %v", n, time.Since(start).Round(time.Millisecond))
		dbs[n] = db
		return db
	}
	b.Cleanup(func() {
		for _, db := range dbs {
			db.Close()
		}
	})
	ctx := context.Background()
	b.Run("rank", func(b *testing.B) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
				db := open(b, n)
				rng := rand.New(rand.NewPCG(1, uint64(n)))
				var user int64
				var got assignments.Standing
				for b.Loop() {
					user = rng.Int64N(int64(n)) + 1
					var err error
					if got, err = db.Standing(ctx, "ppt", user, assignments.PeriodAll, "all"); err != nil {
						b.Fatal(err)
					}
				}
				// The last rank read is 1 + the rows ahead, counted one by one.
				var want int
				if err := db.r.QueryRowContext(ctx, `SELECT 1 + COUNT(*) FROM ledger AS o, ledger AS l
					WHERE l.course = 'ppt' AND l.period = 'all' AND l.period_key = 'all' AND l.user_id = ?1
					AND o.course = l.course AND o.period = l.period AND o.period_key = l.period_key
					AND (o.points > l.points OR o.points = l.points AND (o.first_at, o.user_id) < (l.first_at, l.user_id))`,
					user).Scan(&want); err != nil {
					b.Fatal(err)
				}
				if got.Rank != want || got.UserID != user {
					b.Fatalf("user %d ranks %d, want %d", user, got.Rank, want)
				}
			})
		}
	})
	b.Run("top", func(b *testing.B) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
				db := open(b, n)
				var top []assignments.Standing
				for b.Loop() {
					var err error
					if top, err = db.Top(ctx, "ppt", assignments.PeriodAll, "all", 10); err != nil || len(top) != 10 {
						b.Fatal(len(top), err)
					}
				}
				// Best first, ties to the earlier first submission, then the lower id.
				for i, st := range top {
					if st.Rank != i+1 {
						b.Fatalf("top #%d has rank %d", i+1, st.Rank)
					}
					if i > 0 {
						p := top[i-1]
						if p.Points < st.Points || p.Points == st.Points && (p.FirstAt.After(st.FirstAt) ||
							p.FirstAt.Equal(st.FirstAt) && p.UserID > st.UserID) {
							b.Fatalf("top out of order at #%d: %+v before %+v", i+1, p, st)
						}
					}
					if s := must(db.Standing(ctx, "ppt", st.UserID, assignments.PeriodAll, "all")); s.Rank != i+1 {
						b.Fatalf("top #%d ranks %d on its own", i+1, s.Rank)
					}
				}
			})
		}
	})
	b.Run("next", func(b *testing.B) {
		now := benchStart.AddDate(0, 0, 7*(benchWeeks+2))
		for _, n := range sizes {
			b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
				db := open(b, n)
				var first int64
				for b.Loop() {
					s, err := db.Hold(ctx, 700, []string{"ppt"}, now, now.Add(10*time.Minute))
					if err != nil {
						b.Fatal(err)
					}
					// Always the oldest free one, held for 700 and not held by
					// another reviewer.
					if first == 0 {
						first = s.ID
					}
					if s.ID != first || s.HeldBy != 700 || s.State != assignments.StatePending || s.UserID == 700 {
						b.Fatalf("hold gave %+v, want pending %d held by 700", s, first)
					}
					if err := db.Release(ctx, s.ID, 700); err != nil {
						b.Fatal(err)
					}
				}
				var older int
				if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions AS o, submissions AS s
					WHERE s.id = ?1 AND o.state = 'pending' AND o.held_by = 0 AND o.user_id <> 700
					AND (o.submitted_at, o.id) < (s.submitted_at, s.id)`, first).Scan(&older); err != nil || older != 0 {
					b.Fatalf("%d free submissions older than the one held (%v)", older, err)
				}
			})
		}
	})
}

// openBenchHomework opens the benchmark's store of n students, building it
// first unless a cached copy exists.
func openBenchHomework(ctx context.Context, n int) (*DB, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("shequn-bench-homework-s%d-d%d-n%d.db", len(migrations), benchData, n))
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		if err := buildBenchHomework(ctx, tmp, n); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("build %d students: %w", n, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	return Open(ctx, path)
}

// buildBenchHomework creates the schema at path with Open, then fills it
// on a connection of its own without journal or sync: a crash leaves a
// file nobody uses.
func buildBenchHomework(ctx context.Context, path string, n int) error {
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
	// Indexes are dropped for the inserts and made again after, a sort
	// each instead of a random insert a row.
	rows, err := raw.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('submissions', 'ledger')`)
	indexes, err := collect(rows, err, func(s scanner) (ix [2]string, err error) { return ix, s.Scan(&ix[0], &ix[1]) })
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := raw.ExecContext(ctx, `DROP INDEX `+ix[0]); err != nil {
			return err
		}
	}

	var weeks []string
	for k := range benchWeeks {
		weeks = append(weeks, fmt.Sprintf("(%d, '%s')", k, assignments.KeysAt(benchStart.AddDate(0, 0, 7*k), time.UTC).Week))
	}
	const weekNs = int64(7 * 24 * time.Hour)
	start, pendingAt := benchStart.UnixNano(), benchStart.AddDate(0, 0, 7*(benchWeeks+1)).UnixNano()
	script := []string{
		// Assignments 1 to 10 are graded; 11 and after take the pending work.
		fmt.Sprintf(`WITH RECURSIVE a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < %d)
			INSERT INTO assignments (id, course, title, due_at, max_score, created_by, created_at, announced_at)
			SELECT i, 'ppt', 'homework ' || i, %d + i * %d, 100, 900, %d, %d FROM a`,
			benchWeeks+benchPending/n+1, start, weekNs, start, start),
		// Scores are random from 50 to 100, times random in the week to
		// the millisecond; the review came a day later and was sent.
		fmt.Sprintf(`WITH RECURSIVE u(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM u WHERE id < %d),
			w(k, week) AS (VALUES %s),
			g AS (SELECT u.id AS user_id, w.k, w.week,
					%d + w.k * %d + abs(random() %% 604800000) * 1000000 AS at, 50 + abs(random() %% 51) AS score
				FROM u, w)
			INSERT INTO submissions (assignment_id, course, user_id, version, kind, text, submitted_at, state,
				grade, score, reviewed_by, reviewed_at, feedback_sent_at, key_week, key_month, key_all)
			SELECT k + 1, 'ppt', user_id, 1, 'text', '', at, 'reviewed', 'good', score, 900,
				at + 86400000000000, at + 86400000000000, week, strftime('%%Y-%%m', at / 1000000000, 'unixepoch'), 'all'
			FROM g`, n, strings.Join(weeks, ", "), start, weekNs),
		`INSERT INTO ledger (course, period, period_key, user_id, points, first_at)
			SELECT course, 'week', key_week, user_id, score, submitted_at FROM submissions WHERE state = 'reviewed'`,
		`INSERT INTO ledger (course, period, period_key, user_id, points, first_at)
			SELECT course, 'month', key_month, user_id, SUM(score), MIN(submitted_at) FROM submissions
			WHERE state = 'reviewed' GROUP BY course, key_month, user_id`,
		`INSERT INTO ledger (course, period, period_key, user_id, points, first_at)
			SELECT course, 'all', 'all', user_id, SUM(score), MIN(submitted_at) FROM submissions
			WHERE state = 'reviewed' GROUP BY course, user_id`,
		// The pending work, one a second; the oldest held for a long time.
		fmt.Sprintf(`WITH RECURSIVE p(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM p WHERE j < %d)
			INSERT INTO submissions (assignment_id, course, user_id, version, kind, text, submitted_at, state,
				held_by, held_until)
			SELECT %d + j / %d, 'ppt', j %% %d + 1, 1, 'text', '', %d + j * 1000000000, 'pending',
				CASE WHEN j < %d THEN 800 + j ELSE 0 END, CASE WHEN j < %d THEN %d END
			FROM p`, benchPending-1, benchWeeks+1, n, n, pendingAt, benchHeld, benchHeld,
			time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()),
	}
	for _, q := range script {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s…: %w", strings.TrimSpace(q), err)
		}
	}
	for _, ix := range indexes {
		if _, err := raw.ExecContext(ctx, ix[1]); err != nil {
			return fmt.Errorf("%s: %w", ix[0], err)
		}
	}
	// score_buckets one period key at a time: sorting the whole ledger at
	// once takes twice as long.
	rows, err = raw.QueryContext(ctx, `SELECT DISTINCT period, period_key FROM ledger WHERE course = 'ppt'`)
	keys, err := collect(rows, err, func(s scanner) (k [2]string, err error) { return k, s.Scan(&k[0], &k[1]) })
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := raw.ExecContext(ctx, `INSERT INTO score_buckets (course, period, period_key, level, points, slot, n) `+
			bucketsOfLedger("course = 'ppt' AND period = ?1 AND period_key = ?2"), k[0], k[1]); err != nil {
			return fmt.Errorf("buckets of %s %s: %w", k[0], k[1], err)
		}
	}
	if _, err := raw.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return err
	}
	return raw.Close()
}

// TestRankMatchesCount grades and regrades random work of many students,
// spread over weeks so that first_at falls in many slots of every bucket
// level, with few distinct scores so that ties abound; then every rank
// must be 1 + the rows ahead counted one by one, and score_buckets must
// hold what the ledger holds.
func TestRankMatchesCount(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var as []assignments.Assignment
	for range 4 {
		as = append(as, must(db.CreateAssignment(ctx, assignments.Assignment{Course: "ppt", CreatedAt: start})))
	}
	var subs []assignments.Submission
	for user := int64(1); user <= 150; user++ {
		for _, a := range as[:1+rng.IntN(len(as))] {
			// Within 40 days, or a rush of 10 minutes, or all at once; to
			// the millisecond.
			span := []time.Duration{40 * 24 * time.Hour, 10 * time.Minute, time.Millisecond}[rng.IntN(3)]
			at := start.Add(time.Hour + time.Duration(rng.Int64N(int64(span))).Truncate(time.Millisecond))
			subs = append(subs, must(db.Submit(ctx, assignments.Submission{AssignmentID: a.ID, Course: "ppt", UserID: user,
				Content: assignments.Content{Kind: assignments.ContentText}, SubmittedAt: at})))
		}
	}
	grades := []assignments.Grade{assignments.GradeGood, assignments.GradeGood, assignments.GradePass, assignments.GradeRedo}
	for round := range 3 {
		for _, s := range subs {
			if round > 0 && rng.IntN(3) > 0 {
				continue
			}
			g := grades[rng.IntN(len(grades))]
			r := assignments.Review{SubmissionID: s.ID, Reviewer: 1000, Grade: g, Score: 10 * (1 + rng.IntN(3)),
				At: start.AddDate(0, 2, round), Keys: assignments.KeysAt(s.SubmittedAt, time.UTC)}
			if g == assignments.GradeRedo {
				r.Score = 0 // as the assignments service gives it
			}
			if _, err := db.ApplyReview(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}

	var bad int
	if err := db.r.QueryRowContext(ctx, `WITH want AS (`+bucketsOfLedger("1")+`),
		got AS (SELECT course, period, period_key, level, points, slot, n FROM score_buckets)
		SELECT (SELECT COUNT(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM got))
			+ (SELECT COUNT(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM want))`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("score_buckets differ from the ledger in %d rows", bad)
	}

	rows, err := db.r.QueryContext(ctx, `SELECT l.period, l.period_key, l.user_id, 1 + (SELECT COUNT(*) FROM ledger AS o
			WHERE o.course = l.course AND o.period = l.period AND o.period_key = l.period_key
			AND (o.points > l.points OR o.points = l.points AND (o.first_at, o.user_id) < (l.first_at, l.user_id)))
		FROM ledger AS l WHERE l.course = 'ppt'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var checked, ties int
	for rows.Next() {
		var (
			period   assignments.Period
			key      string
			user     int64
			wantRank int
		)
		if err := rows.Scan(&period, &key, &user, &wantRank); err != nil {
			t.Fatal(err)
		}
		got, err := db.Standing(ctx, "ppt", user, period, key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rank != wantRank {
			t.Errorf("%s %s: user %d ranks %d, want %d", period, key, user, got.Rank, wantRank)
		}
		checked++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM score_buckets WHERE level = 0 AND n > 1`).Scan(&ties); err != nil {
		t.Fatal(err)
	}
	if checked < 300 || ties < 20 {
		t.Errorf("checked %d ranks with %d tied points values: too few to tell", checked, ties)
	}
}
