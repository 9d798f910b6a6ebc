package storetest

import (
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// testOwnWork: a teacher or assistant who is also an enrolled student
// never gets their own submission from the queue, cannot hold it by id and
// cannot grade it; the store refuses it even when the caller forgets.
func testOwnWork(t *testing.T, s Stores) {
	ctx := t.Context()
	ppt, xls := assign(t, s, "ppt", 100), assign(t, s, "xls", 100)
	const teacher = 7
	mine := submit(t, s, ppt, teacher, 1)    // the oldest of ppt
	other := submit(t, s, ppt, 8, 2)         // the next
	mineXls := submit(t, s, xls, teacher, 0) // the oldest of all

	for _, courses := range [][]string{{"ppt"}, nil, {"xls", "ppt"}} {
		got, err := s.Hold(ctx, teacher, courses, at(10), at(20))
		if err != nil {
			t.Fatalf("hold of %v for the teacher: %v", courses, err)
		}
		if got.ID != other.ID || got.HeldBy != teacher {
			t.Errorf("hold of %v: the teacher got %d by %d, want %d by 8", courses, got.ID, got.UserID, other.ID)
		}
	}
	ok(t, s.Release(ctx, other.ID, teacher))
	_, err := s.Hold(ctx, teacher, []string{"xls"}, at(10), at(20))
	isErr(t, "hold when only the teacher's own work waits", err, shequn.ErrNotFound)

	_, err = s.HoldSubmission(ctx, mine.ID, teacher, at(10), at(20))
	isErr(t, "hold of one's own work by id", err, shequn.ErrConflict)
	_, err = s.ApplyReview(ctx, grade(mine, teacher, assignments.GradeExcellent, 100, 11))
	isErr(t, "grade of one's own work", err, shequn.ErrConflict)
	got := must(s.Submission(ctx, mine.ID))(t)
	if got.State != assignments.StatePending || got.HeldBy != 0 || got.ReviewedBy != 0 {
		t.Errorf("own work after refused hold and grade: %+v", got)
	}
	_, err = s.Standing(ctx, "ppt", teacher, assignments.PeriodAll, "all")
	isErr(t, "points from grading oneself", err, shequn.ErrNotFound)

	// Another reviewer gets the teacher's work, oldest first, and grades it.
	if got := must(s.Hold(ctx, 9, nil, at(12), at(20)))(t); got.ID != mineXls.ID {
		t.Errorf("another reviewer holds %d, want the teacher's %d", got.ID, mineXls.ID)
	}
	if got := review(t, s, mine, 9, assignments.GradeGood, 80, 13); got.State != assignments.StateReviewed || got.ReviewedBy != 9 {
		t.Errorf("another reviewer's grade of the teacher's work: %+v", got)
	}
	// Correcting a grade of one's own work is refused too.
	_, err = s.HoldSubmission(ctx, mine.ID, teacher, at(14), at(20))
	isErr(t, "hold of one's own graded work", err, shequn.ErrConflict)
	_, err = s.ApplyReview(ctx, grade(mine, teacher, assignments.GradeExcellent, 100, 14))
	isErr(t, "correction of one's own grade", err, shequn.ErrConflict)
	if st := must(s.Standing(ctx, "ppt", teacher, assignments.PeriodAll, "all"))(t); st.Points != 80 {
		t.Errorf("teacher's points after a refused self-correction: %d, want 80", st.Points)
	}
}
