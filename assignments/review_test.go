package assignments_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/store/sqlite"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		g         assignments.Grade
		score     int
		wantGrade assignments.Grade
		wantScore int
		wantCode  shequn.Code
	}{
		{assignments.GradeExcellent, -1, assignments.GradeExcellent, 50, ""},
		{assignments.GradeGood, -1, assignments.GradeGood, 40, ""},
		{assignments.GradePass, -1, assignments.GradePass, 30, ""},
		{assignments.GradeGood, 33, assignments.GradeGood, 33, ""}, // a named score stands
		{"", 45, assignments.GradeExcellent, 45, ""},               // 90 %
		{"", 38, assignments.GradeGood, 38, ""},                    // 76 %
		{"", 10, assignments.GradePass, 10, ""},
		{assignments.GradeRedo, 40, assignments.GradeRedo, 0, ""}, // redo scores nothing
		{assignments.GradeGood, 51, "", 0, shequn.CodeInvalid},
		{"", 51, "", 0, shequn.CodeInvalid},
		{"brilliant", 10, "", 0, shequn.CodeInvalid},
		{"", -1, "", 0, shequn.CodeInvalid},
	}
	for _, tt := range tests {
		g, score, err := assignments.Choose(tt.g, tt.score, 50)
		if g != tt.wantGrade || score != tt.wantScore || shequn.ErrorCode(err) != tt.wantCode {
			t.Errorf("Choose(%q, %d, 50) = %q, %d, %v; want %q, %d, code %q", tt.g, tt.score, g, score, err, tt.wantGrade, tt.wantScore, tt.wantCode)
		}
	}
}

// homework is a service over a real SQLite store with one submission of
// user 7 waiting, reviewed by the owners 1 and 2.
func homework(t *testing.T) (*assignments.Service, assignments.Submission) {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, err := db.CreateAssignment(ctx, assignments.Assignment{Course: "ppt", Title: "Slides", MaxScore: 50, CreatedBy: 1, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := db.Submit(ctx, assignments.Submission{AssignmentID: a.ID, Course: "ppt", UserID: 7, SubmittedAt: now,
		Content: assignments.Content{Kind: assignments.ContentText, Text: "ten slides"}})
	if err != nil {
		t.Fatal(err)
	}
	s := &assignments.Service{Store: db, Roles: db, Owners: []int64{1, 2}, Location: time.UTC,
		Now: func() time.Time { return now.Add(time.Hour) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return s, sub
}

// A review that breaks a rule is refused before anything is written: it
// leaves no hold behind that would keep the work from other reviewers.
func TestRefusedReviewHoldsNothing(t *testing.T) {
	s, sub := homework(t)
	for _, tt := range []struct {
		g     assignments.Grade
		score int
	}{{assignments.GradeGood, 51}, {"brilliant", -1}} {
		if _, err := s.Grade(t.Context(), 1, sub.ID, tt.g, tt.score, ""); shequn.ErrorCode(err) != shequn.CodeInvalid {
			t.Fatalf("Grade(%q, %d) = %v, want invalid", tt.g, tt.score, err)
		}
	}
	got, _, err := s.Next(t.Context(), 2)
	if err != nil || got.ID != sub.ID {
		t.Fatalf("the other reviewer's Next = %+v, %v; want submission %d", got, err, sub.ID)
	}
}

// The review's one hold is the one its reviewer took when opening the
// work; grading it takes no second one, and another reviewer's hold stops
// a grade by the store's atomic check.
func TestGradeUsesTheOpeningHold(t *testing.T) {
	s, sub := homework(t)
	if _, _, err := s.Next(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Grade(t.Context(), 1, sub.ID, assignments.GradeGood, -1, ""); err != assignments.ErrHeld {
		t.Fatalf("grade of work another holds: %v, want ErrHeld", err)
	}
	got, err := s.Store.Submission(t.Context(), sub.ID)
	if err != nil || got.HeldBy != 2 {
		t.Fatalf("after a refused grade the hold is %d (%v), want reviewer 2's", got.HeldBy, err)
	}
}
