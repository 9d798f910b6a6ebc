package mongo

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// The tests of this file stop a review or a submission after its first
// write, or replay a stale one, and check that the ledger ends as if each
// review had been applied once, in order (see ledger.go).

// homework creates n assignments of course ppt and a submission of user 1
// to each, made at t0 plus i minutes.
func homework(t *testing.T, db *DB, n int) []assignments.Submission {
	t.Helper()
	var subs []assignments.Submission
	for i := range n {
		a, err := db.CreateAssignment(t.Context(), assignments.Assignment{Course: "ppt", Title: "hw", MaxScore: 100})
		check(t, err)
		s, err := db.Submit(t.Context(), assignments.Submission{AssignmentID: a.ID, UserID: 1,
			SubmittedAt: t0.Add(time.Duration(i) * time.Minute), Content: assignments.Content{Kind: assignments.ContentText}})
		check(t, err)
		subs = append(subs, s)
	}
	return subs
}

func reviewOf(s assignments.Submission, reviewer int64, g assignments.Grade, score int) assignments.Review {
	return assignments.Review{SubmissionID: s.ID, Reviewer: reviewer, Grade: g, Score: score, At: t0.Add(time.Hour),
		Keys: assignments.KeysAt(s.SubmittedAt, time.UTC)}
}

// recordOnly makes a review's first write only, as a call that died after
// it would leave it.
func recordOnly(t *testing.T, db *DB, r assignments.Review) submissionDoc {
	t.Helper()
	s, err := db.recordReview(t.Context(), r)
	check(t, err)
	if !s.Pending {
		t.Fatalf("recorded review not pending: %+v", s)
	}
	return s
}

// rowPoints reads user 1's all-time row of ppt as stored, without
// finishing anything; 0 when there is none.
func rowPoints(t *testing.T, db *DB) int {
	t.Helper()
	var row ledgerDoc
	err := findOne(t.Context(), db.ledger, bson.M{"_id": ledgerID("ppt", assignments.PeriodAll, "all", 1)}, &row)
	if err != nil && !errors.Is(notFound(err), shequn.ErrNotFound) {
		t.Fatal(err)
	}
	return row.Points
}

// wantPoints checks user 1's all-time points in ppt through Standing, and
// that no review is left pending.
func wantPoints(t *testing.T, db *DB, want int) {
	t.Helper()
	st, err := db.Standing(t.Context(), "ppt", 1, assignments.PeriodAll, "all")
	switch {
	case want == 0:
		if !errors.Is(err, shequn.ErrNotFound) {
			t.Errorf("standing = %+v, %v; want no points", st, err)
		}
	case err != nil:
		t.Fatal(err)
	case st.Points != want:
		t.Errorf("points %d, want %d", st.Points, want)
	}
	n, err := db.submissions.CountDocuments(t.Context(), bson.M{"pending": true})
	check(t, err)
	if n != 0 {
		t.Errorf("%d reviews left pending", n)
	}
}

func TestStandingFinishesAnInterruptedReview(t *testing.T) {
	db := mustOpen(t)
	s := homework(t, db, 1)[0]
	rec := recordOnly(t, db, reviewOf(s, 100, assignments.GradeGood, 80))
	if got := rowPoints(t, db); got != 0 {
		t.Errorf("row has %d points before the review is finished", got)
	}
	wantPoints(t, db, 80)
	// Finishing it again, as a stalled call would, counts it once.
	check(t, db.finishReview(t.Context(), rec))
	wantPoints(t, db, 80)
	q, err := db.Queue(t.Context(), nil, t0)
	check(t, err)
	if q.ReviewsBy[100] != 1 {
		t.Errorf("reviews logged %v, want one by 100", q.ReviewsBy)
	}
}

func TestApplyReviewFinishesTheStudentsInterruptedReview(t *testing.T) {
	db := mustOpen(t)
	subs := homework(t, db, 2)
	recordOnly(t, db, reviewOf(subs[0], 100, assignments.GradeGood, 80))
	_, err := db.ApplyReview(t.Context(), reviewOf(subs[1], 101, assignments.GradeExcellent, 90))
	check(t, err)
	if got := rowPoints(t, db); got != 170 {
		t.Errorf("row has %d points, want 170", got)
	}
	// The same submission, reviewed again over an unfinished review: the
	// first is finished, then the correction moves the difference.
	recordOnly(t, db, reviewOf(subs[0], 100, assignments.GradePass, 60))
	_, err = db.ApplyReview(t.Context(), reviewOf(subs[0], 100, assignments.GradeGood, 70))
	check(t, err)
	wantPoints(t, db, 160)
}

func TestStaleFinishChangesNothing(t *testing.T) {
	db := mustOpen(t)
	s := homework(t, db, 1)[0]
	first := recordOnly(t, db, reviewOf(s, 100, assignments.GradeGood, 80))
	check(t, db.finishReview(t.Context(), first))
	redo := recordOnly(t, db, reviewOf(s, 100, assignments.GradeRedo, 0))
	check(t, db.finishReview(t.Context(), redo))
	wantPoints(t, db, 0)
	check(t, db.finishReview(t.Context(), first)) // late: the redo is newer
	wantPoints(t, db, 0)
	_, err := db.ApplyReview(t.Context(), reviewOf(s, 101, assignments.GradeExcellent, 95))
	check(t, err)
	check(t, db.finishReview(t.Context(), redo))
	check(t, db.finishReview(t.Context(), first))
	wantPoints(t, db, 95)
}

func TestConcurrentReviewsOfOneStudent(t *testing.T) {
	db := mustOpen(t)
	subs := homework(t, db, 6)
	var wg sync.WaitGroup
	errs := make([]error, 2*len(subs))
	for i, s := range subs {
		// Each submission is graded by two reviewers at once, one right
		// after the other: either may be last.
		for j := range 2 {
			wg.Go(func() {
				_, errs[2*i+j] = db.ApplyReview(t.Context(), reviewOf(s, int64(100+j), assignments.GradeGood, 10*(i+1)+j))
			})
		}
	}
	wg.Wait()
	check(t, errors.Join(errs...))
	want := 0
	for _, s := range subs {
		got, err := db.Submission(t.Context(), s.ID)
		check(t, err)
		want += got.Score
	}
	wantPoints(t, db, want)
}

func TestSubmitFinishesAnInterruptedSubmit(t *testing.T) {
	db := mustOpen(t)
	v1 := homework(t, db, 1)[0]
	// A resubmission retired the first version and died before inserting.
	version, err := db.retire(t.Context(), v1.AssignmentID, 1, t0.Add(time.Minute))
	check(t, err)
	if version != 2 {
		t.Fatalf("next version %d, want 2", version)
	}
	v2, err := db.Submit(t.Context(), assignments.Submission{AssignmentID: v1.AssignmentID, UserID: 1,
		SubmittedAt: t0.Add(2 * time.Minute), Content: assignments.Content{Kind: assignments.ContentText}})
	check(t, err)
	versions, err := db.Versions(t.Context(), v1.AssignmentID, 1)
	check(t, err)
	var got []string
	for _, v := range versions {
		got = append(got, fmt.Sprintf("%d:%s", v.Version, v.State))
	}
	if want := []string{"1:superseded", "2:pending"}; !slices.Equal(got, want) || v2.Version != 2 {
		t.Errorf("versions %v, want %v", got, want)
	}
}
