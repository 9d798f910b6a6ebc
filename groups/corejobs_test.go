package groups_test

import (
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
)

// The core job warns within the lead before the period's end, in the
// community's time zone, and eliminates the month that ended once, however
// often it runs.
func TestCoreTick(t *testing.T) {
	w := newCoreWorld(t, 5, 5)
	ctx := t.Context()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	w.s.Location = shanghai
	w.s.CoreRules.Grace = 0
	w.mustReconcile()
	w.joinAll()
	for u, p := range map[int64]int{100: 9, 101: 1, 102: 7, 103: 2, 104: 5} {
		if _, err := w.db.AddContribution(ctx, groups.Contribution{UserID: u, Period: "2026-03", Source: groups.SourceAward, Points: p, Key: "a", At: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	tick := func(at time.Time) {
		t.Helper()
		w.now = at
		if err := w.s.CoreTick(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	tick(time.Date(2026, 3, 28, 23, 0, 0, 0, shanghai)) // 3 days and 1 hour before the end
	if len(w.n.told["core_warning"]) != 0 {
		t.Fatalf("warned too early: %v", w.n.told["core_warning"])
	}
	tick(time.Date(2026, 3, 29, 1, 0, 0, 0, shanghai))
	tick(time.Date(2026, 3, 31, 23, 59, 0, 0, shanghai))
	if got := w.n.told["core_warning"]; len(got) != 2 || got[101] != 1 || got[103] != 1 {
		t.Fatalf("warned %v, want 101 and 103 once", got)
	}
	if c, _ := w.db.CoreSeat(ctx, "", 101); c.State != groups.CoreMember {
		t.Fatalf("eliminated before the end (17:00 UTC is not midnight in Shanghai): %s", c.State)
	}
	tick(time.Date(2026, 4, 1, 0, 30, 0, 0, shanghai))
	tick(time.Date(2026, 4, 1, 1, 30, 0, 0, shanghai))
	runs, err := w.db.OpenRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].Period != "2026-03" || len(runs[0].Out) != 2 {
		t.Fatalf("runs = %+v, %v; want one run of 2026-03 with two out", runs, err)
	}
	tick(time.Date(2026, 4, 2, 1, 0, 0, 0, shanghai))
	if runs, _ := w.db.OpenRuns(ctx); len(runs) != 1 {
		t.Fatalf("runs a day later = %+v", runs)
	}
}
