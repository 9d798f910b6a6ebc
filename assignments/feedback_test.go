package assignments_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/store/sqlite"
)

// What Grade returns tells the reviewer whether the student got the
// review: FeedbackSentAt is set only when the DM was delivered, never for
// a student who blocked the bot or a DM that failed.
func TestGradeReportsDelivery(t *testing.T) {
	for _, c := range []struct {
		name      string
		fail      error
		delivered bool
	}{
		{"delivered", nil, true},
		{"telegram down", errDown, false},
		{"bot blocked", shequn.ErrUnreachable, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			sub := e.submit(t, student, e.assignment(t, "ppt"))
			e.notes.failFor(student, c.fail)
			got, err := e.svc.Grade(t.Context(), pptTeacher, sub.ID, assignments.GradeGood, -1, "")
			if err != nil {
				t.Fatal(err)
			}
			if sent := !got.FeedbackSentAt.IsZero(); sent != c.delivered {
				t.Errorf("FeedbackSentAt %v, want delivered = %v", got.FeedbackSentAt, c.delivered)
			}
			if c.delivered && !got.FeedbackSentAt.Equal(e.now) {
				t.Errorf("FeedbackSentAt %v, want %v", got.FeedbackSentAt, e.now)
			}
		})
	}
}

// unmarkable is the real store whose record of a delivered feedback
// fails.
type unmarkable struct{ *sqlite.DB }

var errDiskFull = errors.New("database or disk is full")

func (unmarkable) MarkFeedbackSent(context.Context, int64, time.Time, time.Time) error {
	return errDiskFull
}

// When the store cannot record that the feedback was delivered, Grade
// still succeeds (the review is applied) and tells the reviewer the
// student got it, but the failure is logged and the reconciler woken, so
// that the record is retried.
func TestFeedbackRecordFailureIsRetried(t *testing.T) {
	e := newEnv(t)
	sub := e.submit(t, student, e.assignment(t, "ppt"))
	e.svc.Store = unmarkable{e.db}
	woken := 0
	e.svc.Wake = func() { woken++ }
	e.logs.count("")
	got, err := e.svc.Grade(t.Context(), pptTeacher, sub.ID, assignments.GradeGood, -1, "")
	if err != nil {
		t.Fatal(err)
	}
	if !got.FeedbackSentAt.Equal(e.now) {
		t.Errorf("the student got the review, yet the reviewer is told FeedbackSentAt %v", got.FeedbackSentAt)
	}
	if n := e.logs.count("database or disk is full"); n != 1 || woken != 1 {
		t.Errorf("record failure logged %d times, reconciler woken %d times; want 1 and 1", n, woken)
	}
	if got := must(e.db.Submission(t.Context(), sub.ID))(t); got.State != assignments.StateReviewed || !got.FeedbackSentAt.IsZero() {
		t.Errorf("after a failed record: %+v", got)
	}
}
