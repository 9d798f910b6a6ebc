package groups_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// platform is a chat platform on which every call works.
type platform struct{}

func (platform) BotRights(context.Context, int64) ([]groups.Right, error) {
	return groups.RequiredRights(groups.KindStudent), nil
}
func (platform) MuteAll(context.Context, int64) error { return nil }
func (platform) CreateJoinLink(context.Context, int64, string) (string, error) {
	return "https://t.me/+link", nil
}
func (platform) JoinLinkWorks(context.Context, int64, string, string) (bool, error) { return true, nil }
func (platform) ApproveJoin(context.Context, int64, int64) error                    { return nil }
func (platform) DeclineJoin(context.Context, int64, int64) error                    { return nil }
func (platform) RemoveMember(context.Context, int64, int64) error                   { return nil }
func (platform) LiftBan(context.Context, int64, int64) error                        { return nil }
func (platform) IsMember(context.Context, int64, int64) (bool, error)               { return false, nil }

// notifier records whom it told; telling user 13 panics, as a notice
// whose text key is missing does in the transport.
type notifier struct {
	mu   sync.Mutex
	told []int64
}

func (n *notifier) Tell(_ context.Context, userID int64, _ shequn.Notice) error {
	if userID == 13 {
		panic("bot: no text invite.x")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.told = append(n.told, userID)
	return nil
}
func (n *notifier) Post(context.Context, int64, shequn.Notice) (int, error) { return 1, nil }
func (n *notifier) Pin(context.Context, int64, int) error                   { return nil }

// A step that panics is logged as failed; the pass and the other steps go
// on.
func TestReconcileSurvivesAPanickingStep(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.AddGroup(ctx, groups.Group{ChatID: -1, Kind: groups.KindStudent, Course: "ppt", Capacity: 10, SetUpAt: now}); err != nil {
		t.Fatal(err)
	}
	for i, u := range []int64{13, 14} {
		if _, err := db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: u, Number: i + 1, At: now}); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	n := &notifier{}
	s := &groups.Service{
		Store: db, Posts: db, Platform: platform{}, Notifier: n, Profiles: db,
		Courses: map[string]membership.Course{"ppt": {ID: "ppt"}},
		Now:     func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&log, nil)),
	}
	if err := s.Reconcile(ctx, now); err != nil {
		t.Fatal(err)
	}
	if len(n.told) != 1 || n.told[0] != 14 {
		t.Fatalf("told %v, want the member whose step did not panic", n.told)
	}
	if !strings.Contains(log.String(), "panicked") {
		t.Fatalf("the panic was not logged:\n%s", log.String())
	}
}
