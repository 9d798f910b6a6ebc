package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
)

// qExcellent counts, per student, the submissions reviewed in the window
// (the reviews log, by its at index) whose grade now is excellent: a grade
// corrected away from excellent no longer counts.
var qExcellent = stmt(`SELECT s.user_id, COUNT(DISTINCT s.id) FROM reviews AS r JOIN submissions AS s ON s.id = r.submission_id
	WHERE r.at >= ? AND r.course = ? AND s.grade = 'excellent'
	GROUP BY s.user_id HAVING COUNT(DISTINCT s.id) >= ? ORDER BY s.user_id`)

// ExcellentSince returns the students of the course with at least min
// excellent submissions reviewed since the time.
func (db *DB) ExcellentSince(ctx context.Context, course string, since time.Time, min int) ([]groups.UserCount, error) {
	rows, err := db.query(ctx, qExcellent, mark(since), course, min)
	out, err := collect(rows, err, func(r scanner) (groups.UserCount, error) {
		var c groups.UserCount
		return c, r.Scan(&c.UserID, &c.N)
	})
	if err != nil {
		return nil, fmt.Errorf("excellent reviews of %s: %w", course, err)
	}
	return out, nil
}

// MonthTop returns the first k students of the course's month ranking.
func (db *DB) MonthTop(ctx context.Context, course, month string, k int) ([]int64, error) {
	top, err := db.Top(ctx, course, assignments.PeriodMonth, month, k)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(top))
	for i, st := range top {
		ids[i] = st.UserID
	}
	return ids, nil
}

var _ groups.Homework = (*DB)(nil)

var qHomeworkPoints = stmt(`SELECT user_id, points FROM ledger
	WHERE course = ? AND period = 'month' AND period_key = ? AND user_id IN (SELECT value FROM json_each(?))`)

// HomeworkPoints returns the users' points in the course's month ranking.
func (db *DB) HomeworkPoints(ctx context.Context, course, month string, users []int64) (map[int64]int, error) {
	ids, err := json.Marshal(users)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, qHomeworkPoints, course, month, string(ids))
	pairs, err := collect(rows, err, func(r scanner) (groups.UserCount, error) {
		var c groups.UserCount
		return c, r.Scan(&c.UserID, &c.N)
	})
	if err != nil {
		return nil, fmt.Errorf("homework points of %s %s: %w", course, month, err)
	}
	out := make(map[int64]int, len(pairs))
	for _, p := range pairs {
		out[p.UserID] = p.N
	}
	return out, nil
}
