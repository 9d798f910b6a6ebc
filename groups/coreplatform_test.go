package groups_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// newQQCoreWorld is a core world whose core group is a QQ group.
func newQQCoreWorld(t *testing.T, capacity int) *coreWorld {
	return newCoreWorldIn(t, shequn.QQGroup(700), capacity, 0)
}

// A core group lives on the platform it was registered on: /promote of an
// account on the other platform is refused, and queues nobody.
func TestPromoteRefusesTheOtherPlatform(t *testing.T) {
	w := newQQCoreWorld(t, 2)
	ctx := t.Context()
	if err := w.s.Promote(ctx, 9, "", 100); !errors.Is(err, groups.ErrCoreOtherPlatform) {
		t.Fatalf("promoting a Telegram account into a QQ core group: %v", err)
	}
	if _, err := w.db.CoreSeat(ctx, "", 100); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("the Telegram account was queued: %v", err)
	}
	if err := w.s.Promote(ctx, 9, "", shequn.QQUser(100)); err != nil {
		t.Fatalf("promoting a QQ account: %v", err)
	}
}

// The promotion rule skips the accounts on the other platform than the
// core group's: they could never ask to join it.
func TestQualifySkipsTheOtherPlatform(t *testing.T) {
	w := newQQCoreWorld(t, 2)
	ctx := t.Context()
	w.s.Homework = w.db
	w.s.Courses = map[string]membership.Course{"ppt": {ID: "ppt"}}
	w.now = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	graded(t, w.db, 1, 3, assignments.GradeExcellent, 90, w.now.AddDate(0, 0, -1))
	graded(t, w.db, shequn.QQUser(2), 3, assignments.GradeExcellent, 90, w.now.AddDate(0, 0, -1))
	if n, err := w.s.Qualify(ctx); err != nil || n != 1 {
		t.Fatalf("Qualify = %d, %v; want the QQ student only", n, err)
	}
	if _, err := w.db.CoreSeat(ctx, "", 1); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("the Telegram student was queued for the QQ core group: %v", err)
	}
}

// Candidates queued before the core group was registered on QQ: the
// Telegram one's invitation is passed on, untold, and the seat goes to the
// next candidate.
func TestInvitationOnTheOtherPlatformPassesOn(t *testing.T) {
	w := newQQCoreWorld(t, 1)
	ctx := t.Context()
	for i, u := range []int64{100, shequn.QQUser(101)} {
		c := groups.CoreSeat{UserID: u, Score: float64(10 - i), QualifiedAt: w.now, Reason: groups.Reason{Kind: groups.ReasonPromoted}}
		if _, err := w.db.AddCandidate(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	w.mustReconcile()
	w.mustReconcile()
	if got := w.n.told["core_invite"]; len(got) != 1 || got[shequn.QQUser(101)] != 1 {
		t.Fatalf("told %v, want the QQ candidate only", got)
	}
	if c, _ := w.db.CoreSeat(ctx, "", 100); c.State != groups.CoreExpired {
		t.Fatalf("the Telegram candidate's record: %+v", c)
	}
	if w.taken() != 1 {
		t.Fatalf("%d seats taken, want 1", w.taken())
	}
}
