package assignments_test

import (
	"testing"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
)

// A pass whose lease was lost announces nothing, says so in the log and
// leaves the assignment for the next pass; a pass that announces logs no
// such line.
func TestAnnounceFencedOffIsLoggedAndRetried(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.db.AddGroup(ctx, groups.Group{ChatID: -1, Kind: groups.KindStudent, Course: "ppt", Capacity: 10}); err != nil {
		t.Fatal(err)
	}
	a := e.assignment(t, "ppt")
	e.logs.count("") // forget the set-up's lines
	lost := jobs.WithFence(ctx, func() error { return jobs.ErrLeaseLost })
	if err := e.svc.Reconcile(lost, e.now); err != nil {
		t.Fatal(err)
	}
	if n := e.logs.count("assignment not announced yet"); n != 1 {
		t.Errorf("fenced-off pass logged %d lines, want 1", n)
	}
	if posts := e.notes.to(-1); len(posts) != 0 {
		t.Errorf("a fenced-off pass posted %+v", posts)
	}
	if got := must(e.db.Assignment(ctx, a.ID))(t); !got.AnnouncedAt.IsZero() {
		t.Error("announced by a fenced-off pass")
	}
	if err := e.svc.Reconcile(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	if n := e.logs.count("assignment not announced yet"); n != 0 {
		t.Errorf("an announcing pass logged %d failures", n)
	}
	if got := must(e.db.Assignment(ctx, a.ID))(t); !got.AnnouncedAt.Equal(e.now) || len(e.notes.to(-1)) != 1 {
		t.Errorf("not announced by the next pass: %+v, posts %+v", got, e.notes.to(-1))
	}
}
