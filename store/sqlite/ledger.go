package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// The ledger has a row per course, student, period and key while the
// student has points there; first_at is the earliest submitted_at among the
// reviewed submissions counted in the row. A rank is 1 + the rows ahead:
// those with more points, then those with as many points and an earlier
// (first_at, user_id). Counting them row by row grows with the number of
// students, ties included (scores are coarse, many students share one), so
// score_buckets counts the ledger rows, in the same write as the ledger:
//
//	level 0: per points value (slot 0), a few hundred buckets at most;
//	level i >= 1: per points value and slot first_at >> tieShifts[i-1].
//
// Each slot of a level holds 64 of the level below. The rows ahead are
// then the level-0 buckets above my points, the top level's slots before
// mine, on each lower level the slots before mine within my slot of the
// level above (at most 63), and, counted one by one from ledger_rank, the
// rows tied on points within my slot of level 1 (4.3 seconds).
var tieShifts = [...]int{32, 38, 44, 50} // first_at in ns: 4.3 s, 4.6 min, 4.9 h, 13 days

// standingQuery returns the query of a standing and its rank. Parameters:
// course, period, key, user.
func standingQuery() string {
	const bucketSum = `
			+ (SELECT COALESCE(SUM(b.n), 0) FROM score_buckets AS b
				WHERE b.course = ?1 AND b.period = ?2 AND b.period_key = ?3 AND b.level = %d AND %s)`
	q := `SELECT l.points, l.first_at, 1` + fmt.Sprintf(bucketSum, 0, "b.points > l.points")
	top := len(tieShifts)
	q += fmt.Sprintf(bucketSum, top, fmt.Sprintf("b.points = l.points AND b.slot < (l.first_at >> %d)", tieShifts[top-1]))
	for level := top - 1; level >= 1; level-- {
		up, shift := tieShifts[level], tieShifts[level-1]
		q += fmt.Sprintf(bucketSum, level, fmt.Sprintf(
			"b.points = l.points AND b.slot >= ((l.first_at >> %d) << %d) AND b.slot < (l.first_at >> %d)", up, up-shift, shift))
	}
	return q + fmt.Sprintf(`
			+ (SELECT COUNT(*) FROM ledger AS o
				WHERE o.course = ?1 AND o.period = ?2 AND o.period_key = ?3 AND o.points = l.points
				AND o.first_at >= ((l.first_at >> %d) << %d) AND (o.first_at, o.user_id) < (l.first_at, l.user_id))
		FROM ledger AS l WHERE l.course = ?1 AND l.period = ?2 AND l.period_key = ?3 AND l.user_id = ?4`,
		tieShifts[0], tieShifts[0])
}

// bucket is one score_buckets row a ledger row is counted in.
type bucket struct {
	level, points int
	slot          int64
}

// bucketsOf returns the buckets of a ledger row, one per level.
func bucketsOf(points int, firstAt int64) []bucket {
	bs := []bucket{{0, points, 0}}
	for i, shift := range tieShifts {
		bs = append(bs, bucket{i + 1, points, firstAt >> shift})
	}
	return bs
}

var (
	qLedgerRow = stmt(`SELECT points, first_at FROM ledger
		WHERE course = ? AND period = ? AND period_key = ? AND user_id = ?`)
	// Parameters: user, course, period, key.
	qFirstCounted = stmt(`SELECT MIN(submitted_at) FROM submissions
		WHERE user_id = ?1 AND course = ?2 AND state = 'reviewed' AND score > 0
		AND CASE ?3 WHEN 'week' THEN key_week WHEN 'month' THEN key_month ELSE key_all END = ?4`)
	qPutLedger = stmt(`INSERT INTO ledger (course, period, period_key, user_id, points, first_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (course, period, period_key, user_id) DO UPDATE SET
			points = excluded.points, first_at = excluded.first_at`)
	qDeleteLedger = stmt(`DELETE FROM ledger WHERE course = ? AND period = ? AND period_key = ? AND user_id = ?`)
	// Bucket parameters: course, period, key, level, points, slot.
	qBucketAdd = stmt(`INSERT INTO score_buckets (course, period, period_key, level, points, slot, n)
		VALUES (?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT (course, period, period_key, level, points, slot) DO UPDATE SET n = n + 1`)
	qBucketDropLast = stmt(`DELETE FROM score_buckets
		WHERE course = ? AND period = ? AND period_key = ? AND level = ? AND points = ? AND slot = ? AND n = 1`)
	qBucketSub = stmt(`UPDATE score_buckets SET n = n - 1
		WHERE course = ? AND period = ? AND period_key = ? AND level = ? AND points = ? AND slot = ?`)

	qStanding = stmt(standingQuery())
	qTop      = stmt(`SELECT user_id, points, first_at FROM ledger
		WHERE course = ? AND period = ? AND period_key = ?
		ORDER BY points DESC, first_at, user_id LIMIT ?`)
)

// ledgerRow names one of a student's ledger rows in a course.
type ledgerRow struct {
	period assignments.Period
	key    string
}

// ledgerRows returns the week, month and all-time rows of k.
func ledgerRows(k assignments.PeriodKeys) [3]ledgerRow {
	return [3]ledgerRow{
		{assignments.PeriodWeek, k.Week}, {assignments.PeriodMonth, k.Month}, {assignments.PeriodAll, k.All},
	}
}

// moveScore moves a submission's counted score: old points out of the rows
// of oldKeys, score points into the rows of newKeys. A row whose points do
// not change is left alone: the same submission counts in it before and
// after, so its first_at stays too.
func moveScore(t *tx, course string, userID int64, oldKeys assignments.PeriodKeys, old int,
	newKeys assignments.PeriodKeys, score int) error {
	type move struct {
		row   ledgerRow
		delta int
	}
	var moves []move
	add := func(keys assignments.PeriodKeys, delta int) {
	rows:
		for _, r := range ledgerRows(keys) {
			for i := range moves {
				if moves[i].row == r {
					moves[i].delta += delta
					continue rows
				}
			}
			moves = append(moves, move{r, delta})
		}
	}
	if old > 0 {
		add(oldKeys, -old)
	}
	if score > 0 {
		add(newKeys, score)
	}
	for _, m := range moves {
		if m.delta == 0 {
			continue
		}
		if err := moveRow(t, course, userID, m.row, m.delta); err != nil {
			return fmt.Errorf("ledger %s %s: %w", m.row.period, m.row.key, err)
		}
	}
	return nil
}

// moveRow adds delta to one ledger row, creating or deleting it as its
// points leave or reach zero, recomputes its first_at from the submissions
// counted in it (the caller stored the review already), and moves the row
// from its old buckets to its new ones.
func moveRow(t *tx, course string, userID int64, r ledgerRow, delta int) error {
	period := string(r.period)
	var points int
	var firstAt int64
	err := t.queryRow(qLedgerRow, course, period, r.key, userID).Scan(&points, &firstAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	now, nowFirst := points+delta, int64(0)
	switch {
	case now < 0:
		return fmt.Errorf("points of %d would fall from %d to %d", userID, points, now)
	case now == 0:
		if _, err := t.exec(qDeleteLedger, course, period, r.key, userID); err != nil {
			return err
		}
	default:
		var first sql.NullInt64
		if err := t.queryRow(qFirstCounted, userID, course, period, r.key).Scan(&first); err != nil {
			return err
		}
		if !first.Valid {
			return fmt.Errorf("%d points of %d but no submission counted", now, userID)
		}
		nowFirst = first.Int64
		if _, err := t.exec(qPutLedger, course, period, r.key, userID, now, nowFirst); err != nil {
			return err
		}
	}
	if points > 0 {
		for _, b := range bucketsOf(points, firstAt) {
			n, err := t.exec(qBucketDropLast, course, period, r.key, b.level, b.points, b.slot)
			if err == nil && n == 0 {
				_, err = t.exec(qBucketSub, course, period, r.key, b.level, b.points, b.slot)
			}
			if err != nil {
				return err
			}
		}
	}
	if now > 0 {
		for _, b := range bucketsOf(now, nowFirst) {
			if _, err := t.exec(qBucketAdd, course, period, r.key, b.level, b.points, b.slot); err != nil {
				return err
			}
		}
	}
	return nil
}

// Standing returns the user's points in a course for one period and key,
// with their rank: ties go to the earlier FirstAt, then the lower user id.
// ErrNotFound when they have no points there.
func (db *DB) Standing(ctx context.Context, course string, userID int64, period assignments.Period, key string) (assignments.Standing, error) {
	if !period.Valid() {
		return assignments.Standing{}, shequn.Errorf(shequn.CodeInvalid, "standing: unknown period %q", period)
	}
	s := assignments.Standing{Course: course, UserID: userID, Period: period, Key: key}
	err := db.queryRow(ctx, qStanding, course, string(period), key, userID).Scan(&s.Points, tcol(&s.FirstAt), &s.Rank)
	if err != nil {
		return assignments.Standing{}, fmt.Errorf("standing of %d in %s %s %s: %w", userID, course, period, key, notFound(err))
	}
	return s, nil
}

// Top returns the first n standings of a course for one period and key,
// best first.
func (db *DB) Top(ctx context.Context, course string, period assignments.Period, key string, n int) ([]assignments.Standing, error) {
	if !period.Valid() {
		return nil, shequn.Errorf(shequn.CodeInvalid, "top: unknown period %q", period)
	}
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, qTop, course, string(period), key, n)
	rank := 0
	top, err := collect(rows, err, func(sc scanner) (assignments.Standing, error) {
		rank++
		s := assignments.Standing{Course: course, Period: period, Key: key, Rank: rank}
		return s, sc.Scan(&s.UserID, &s.Points, tcol(&s.FirstAt))
	})
	if err != nil {
		return nil, fmt.Errorf("top %d of %s %s %s: %w", n, course, period, key, err)
	}
	return top, nil
}
