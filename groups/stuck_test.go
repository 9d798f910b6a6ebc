package groups_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// More members waiting in a group with a problem than one batch holds do
// not hold up the members of a healthy group seated after them.
func TestStuckGroupDoesNotBlockTheOthers(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const stuck = 450
	broken, err := db.AddGroup(ctx, groups.Group{ChatID: -1, Kind: groups.KindStudent, Course: "ppt", Capacity: stuck, SetUpAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddGroup(ctx, groups.Group{ChatID: -2, Kind: groups.KindStudent, Course: "ppt", Capacity: 10, SetUpAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetGroupProblem(ctx, broken.ID, groups.MissingRight(groups.RightInvite)); err != nil {
		t.Fatal(err)
	}
	for u := range int64(stuck + 1) {
		if _, err := db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: 100 + u, Number: int(u) + 1, At: now.Add(time.Duration(u))}); err != nil {
			t.Fatal(err)
		}
	}
	n := &notifier{}
	s := &groups.Service{
		Store: db, Posts: db, Platform: platform{}, Notifier: n, Profiles: db,
		Courses: map[string]membership.Course{"ppt": {ID: "ppt"}},
		Now:     func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := s.Reconcile(ctx, now); err != nil {
		t.Fatal(err)
	}
	if len(n.told) != 1 || n.told[0] != 100+stuck {
		t.Fatalf("told %v, want only the member of the healthy group, %d", n.told, 100+stuck)
	}
}
