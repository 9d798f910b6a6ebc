package desk_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// The service is tested over the real embedded store (a fresh file per
// test) and an in-memory notifier; this file is the one place that knows
// how they are put together.

// sent is one notice the fake notifier delivered.
type sent struct {
	to     int64
	notice shequn.Notice
}

// notifier records notices; a user in fail cannot be written to.
type notifier struct {
	mu   sync.Mutex
	sent []sent
	fail map[int64]bool
}

func (n *notifier) Tell(_ context.Context, userID int64, no shequn.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail[userID] {
		return shequn.ErrUnreachable
	}
	n.sent = append(n.sent, sent{userID, no})
	return nil
}

// tickets returns the ids of the tickets handed to a user, in order.
func (n *notifier) tickets(userID int64) []int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	var ids []int64
	for _, s := range n.sent {
		if tn, ok := s.notice.(desk.TicketNotice); ok && s.to == userID {
			ids = append(ids, tn.Ticket.ID)
		}
	}
	return ids
}

// of returns the notices of type N delivered to a user.
func of[N shequn.Notice](n *notifier, userID int64) []N {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []N
	for _, s := range n.sent {
		if x, ok := s.notice.(N); ok && s.to == userID {
			out = append(out, x)
		}
	}
	return out
}

// Users of the community the tests use.
const (
	owner     = 1
	teacher   = 10 // teacher of ppt
	asst1     = 20 // assistant of ppt
	asst2     = 21 // assistant of ppt
	xlsAsst   = 22 // assistant of xls
	student   = 100
	student2  = 101
	outsider  = 102
	groupOf   = 7 // every student of ppt sits in group 7
	xlsCourse = "xls"
)

// t0 is a Wednesday, 9:00 in Shanghai.
var t0 = time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)

type env struct {
	svc   *desk.Service
	db    *sqlite.DB
	notes *notifier
	now   time.Time
}

func (e *env) advance(d time.Duration) time.Time { e.now = e.now.Add(d); return e.now }

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, notes: &notifier{fail: map[int64]bool{}}, now: t0}
	e.svc = &desk.Service{
		Store: db, Members: db, Roles: db, Staff: desk.GrantedStaff{Roles: db}, Notifier: e.notes,
		Owners: []int64{owner}, Location: shanghai, Now: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		GroupOf: func(context.Context, string, int64) (desk.Place, error) {
			return desk.Place{GroupID: groupOf, Ordinal: 3}, nil
		},
	}
	for _, g := range []membership.Grant{
		{UserID: teacher, Role: membership.RoleTeacher, Course: "ppt"},
		{UserID: asst1, Role: membership.RoleAssistant, Course: "ppt"},
		{UserID: asst2, Role: membership.RoleAssistant, Course: "ppt"},
		{UserID: xlsAsst, Role: membership.RoleAssistant, Course: xlsCourse},
	} {
		g.GrantedBy, g.GrantedAt = owner, t0
		if err := db.GrantRole(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range []int64{student, student2} {
		o := membership.Order{ID: "cs_" + string(rune('a'+i)), Course: "ppt", UserID: u, PaymentIntent: "pi_" + string(rune('a'+i)),
			Amount: 100, Currency: "cny", Status: membership.OrderPaid, PaidAt: t0, UpdatedAt: t0}
		if _, err := db.RecordPayment(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// faq adds entries to ppt as the teacher.
func (e *env) faq(t *testing.T, answer string, keywords ...string) desk.FAQ {
	t.Helper()
	f, err := e.svc.AddFAQ(t.Context(), teacher, "ppt", keywords, answer)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// is fails unless errors.Is(err, want).
func is(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}
