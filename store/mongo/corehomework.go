package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
)

// ExcellentSince returns the students of the course with at least min
// submissions reviewed since the time (the reviews log, by its at index)
// whose grade now is excellent.
func (db *DB) ExcellentSince(ctx context.Context, course string, since time.Time, min int) ([]groups.UserCount, error) {
	reviews, err := findAll[reviewDoc](ctx, db.reviews, bson.M{"at": bson.M{"$gte": ms(since)}, "course": course},
		options.Find().SetProjection(bson.M{"submission_id": 1}))
	if err != nil {
		return nil, fmt.Errorf("reviews of %s: %w", course, err)
	}
	ids := make([]int64, 0, len(reviews))
	for _, r := range reviews {
		ids = append(ids, r.SubmissionID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	count := map[int64]int{}
	for chunk := range slices.Chunk(ids, 1000) {
		subs, err := findAll[submissionDoc](ctx, db.submissions, bson.M{"_id": bson.M{"$in": chunk}, "grade": string(assignments.GradeExcellent)})
		if err != nil {
			return nil, fmt.Errorf("excellent submissions of %s: %w", course, err)
		}
		for _, s := range subs {
			count[s.UserID]++
		}
	}
	var out []groups.UserCount
	for u, n := range count {
		if n >= min {
			out = append(out, groups.UserCount{UserID: u, N: n})
		}
	}
	slices.SortFunc(out, func(a, b groups.UserCount) int { return cmp.Compare(a.UserID, b.UserID) })
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

// HomeworkPoints returns the users' points in the course's month ranking.
func (db *DB) HomeworkPoints(ctx context.Context, course, month string, users []int64) (map[int64]int, error) {
	docs, err := findAll[ledgerDoc](ctx, db.ledger,
		bson.M{"course": course, "period": string(assignments.PeriodMonth), "key": month, "user_id": bson.M{"$in": users}},
		options.Find().SetProjection(withoutEntries))
	if err != nil {
		return nil, fmt.Errorf("homework points of %s %s: %w", course, month, err)
	}
	out := make(map[int64]int, len(docs))
	for _, d := range docs {
		if d.Points > 0 {
			out[d.UserID] = d.Points
		}
	}
	return out, nil
}
