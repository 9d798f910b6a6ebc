package groups_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// graded stores n submissions of the user in ppt, each to an assignment
// of its own, each reviewed with the grade and score at the time.
func graded(t *testing.T, db *sqlite.DB, user int64, n int, g assignments.Grade, score int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	for range n {
		a, err := db.CreateAssignment(ctx, assignments.Assignment{Course: "ppt", Title: "hw", MaxScore: 100, CreatedBy: 900, CreatedAt: at.AddDate(0, -3, 0)})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := db.Submit(ctx, assignments.Submission{AssignmentID: a.ID, Course: a.Course, UserID: user, SubmittedAt: at,
			Content: assignments.Content{Kind: assignments.ContentText, Text: "work"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyReview(ctx, assignments.Review{SubmissionID: sub.ID, Reviewer: 900, Grade: g, Score: score,
			At: at, Keys: assignments.KeysAt(at, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
}

// Qualify queues who the rule names, with the reason as data, ordered by
// score, and lets someone eliminated back only on work done after.
func TestQualify(t *testing.T) {
	w := newCoreWorld(t, 2, 0)
	ctx := t.Context()
	w.s.Homework = w.db
	w.s.Courses = map[string]membership.Course{"ppt": {ID: "ppt"}}
	w.s.CoreRules.TopK = 1
	w.now = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	recent, old := w.now.AddDate(0, 0, -5), w.now.AddDate(0, 0, -61)
	graded(t, w.db, 1, 4, assignments.GradeExcellent, 10, recent) // 4 excellent: qualifies
	graded(t, w.db, 3, 3, assignments.GradeExcellent, 80, old)    // too long ago
	graded(t, w.db, 2, 2, assignments.GradeExcellent, 90, recent) // 2 excellent, and the month's top
	graded(t, w.db, 4, 1, assignments.GradeGood, 10, recent)
	n, err := w.s.Qualify(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Qualify = %d, %v; want 2 queued", n, err)
	}
	q, err := w.db.CoreSeats(ctx, "", groups.CoreCandidate, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 || q[0].UserID != 1 || q[1].UserID != 2 {
		t.Fatalf("queue = %+v, want 1 then 2", q)
	}
	if r := q[0].Reason; r.Kind != groups.ReasonExcellent || r.Excellent != 4 || r.Days != 60 {
		t.Errorf("reason of 1 = %+v", r)
	}
	if r := q[1].Reason; r.Kind != groups.ReasonTop || r.Rank != 1 || r.Month != "2026-03" {
		t.Errorf("reason of 2 = %+v", r)
	}
	if n, _ := w.s.Qualify(ctx); n != 0 {
		t.Errorf("qualified again: %d", n)
	}
	// 1 is eliminated: his same work does not bring him back at once.
	w.mustReconcile()
	w.joinAll()
	if _, err := w.db.RecordRun(ctx, groups.EliminationRun{Period: "2026-03", At: w.now, Out: []groups.Decision{{UserID: 1}}}); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if c, _ := w.db.CoreSeat(ctx, "", 1); c.State != groups.CoreOut {
		t.Fatalf("1 = %s, want out", c.State)
	}
	if n, _ := w.s.Qualify(ctx); n != 0 {
		t.Errorf("eliminated member queued again at once")
	}
	// A teacher's promotion goes to the head of the queue.
	if err := w.s.Promote(ctx, 900, "", 7); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Promote(ctx, 900, "", 7); err == nil {
		t.Error("promoted twice")
	}
	w.now = w.now.AddDate(0, 0, 61)
	graded(t, w.db, 5, 3, assignments.GradeExcellent, 50, w.now)
	graded(t, w.db, 1, 3, assignments.GradeExcellent, 50, w.now)
	if n, err := w.s.Qualify(ctx); n != 2 || err != nil {
		t.Errorf("after the window: queued %d, %v; want 1 (back) and 5", n, err)
	}
	q, _ = w.db.CoreSeats(ctx, "", groups.CoreCandidate, 0)
	if len(q) != 3 || q[0].UserID != 7 || q[0].Reason.Kind != groups.ReasonPromoted || q[0].Reason.By != 900 {
		t.Errorf("queue = %+v, want the promoted 7 first", q)
	}
}

// A member's standing counts their homework points of the month, read from
// the homework ranking, beside the ledger's other sources.
func TestStandingCountsHomework(t *testing.T) {
	w := newCoreWorld(t, 1, 1)
	ctx := t.Context()
	w.s.Homework = w.db
	w.s.Courses = map[string]membership.Course{"ppt": {ID: "ppt"}}
	w.mustReconcile()
	w.joinAll()
	graded(t, w.db, 100, 2, assignments.GradeGood, 40, w.now)
	graded(t, w.db, 100, 1, assignments.GradeGood, 40, w.now.AddDate(0, -1, 0)) // last month
	if err := w.s.Award(ctx, 900, "", 100, 5, "wrote chapter 3"); err != nil {
		t.Fatal(err)
	}
	st, err := w.s.Contribution(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []groups.Part{{Source: groups.SourceAward, Points: 5}, {Source: groups.SourceHomework, Points: 80}}
	if st.Standing.Points != 85 || !slices.Equal(st.Standing.Parts, want) {
		t.Fatalf("standing = %+v, want 85 = award 5 + homework 80", st.Standing)
	}
	if err := w.s.Award(ctx, 900, "", 100, 5, ""); err == nil {
		t.Error("an award without a reason was taken")
	}
}
