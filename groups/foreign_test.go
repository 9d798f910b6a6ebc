package groups_test

import (
	"testing"

	"github.com/shequn/shequn/groups"
)

// A check-in at a sharing session adds to a core member's contribution
// once per session; candidates and strangers gain nothing.
func TestCreditSession(t *testing.T) {
	w := newCoreWorld(t, 2, 3)
	w.mustReconcile()
	w.joinAll()
	w.mustReconcile()
	ctx := t.Context()
	for _, sessionID := range []int64{1, 1, 2} {
		for _, user := range []int64{100, 102, 999} { // a member, a candidate, a stranger
			if err := w.s.CreditSession(ctx, "ppt", user, sessionID, w.now); err != nil {
				t.Fatal(err)
			}
		}
	}
	points := func(user int64) int {
		st, err := w.s.Contribution(ctx, "", user)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range st.Standing.Parts {
			if p.Source == groups.SourceSession {
				return p.Points
			}
		}
		return 0
	}
	if got := points(100); got != 2*groups.SessionPoints {
		t.Errorf("member: %d session points, want %d (two sessions)", got, 2*groups.SessionPoints)
	}
	if _, err := w.s.Contribution(ctx, "", 102); err == nil {
		t.Error("the candidate has a standing in the core group")
	}
	if got, err := w.db.Contributions(ctx, "", 102, w.s.CorePeriod(w.now)); err != nil || len(got) != 0 {
		t.Errorf("candidate: contributions %+v, want none", got)
	}
}
