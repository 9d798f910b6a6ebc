package groups_test

import (
	"errors"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

func TestFree(t *testing.T) {
	for _, c := range []struct{ capacity, used, free int }{{10, 3, 7}, {10, 10, 0}, {10, 12, 0}, {0, 0, 0}} {
		if got := (groups.Group{Capacity: c.capacity, SeatsUsed: c.used}).Free(); got != c.free {
			t.Errorf("Free of %d/%d = %d, want %d", c.used, c.capacity, got, c.free)
		}
	}
}

// One pass does every stage, and works through more seats than one batch
// of the store (200) and more arrivals than one greeting names (30).
func TestOnePassDoesItAll(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	big := e.group(t, "ppt", -1, 240)
	const n = 230
	for u := int64(1); u <= n; u++ {
		e.seat(t, "ppt", 1000+u, int(u))
	}
	e.reconcile(t)
	for u := int64(1); u <= n; u++ {
		if len(e.notes.to(1000+u)) != 1 {
			t.Fatalf("after one pass member %d got %d invites", 1000+u, len(e.notes.to(1000+u)))
		}
		e.chat.setMember(big.ChatID, 1000+u, true)
		if err := e.svc.MemberJoined(ctx, big.ChatID, 1000+u); err != nil {
			t.Fatal(err)
		}
	}
	e.reconcile(t)
	greeted := 0
	for _, p := range e.notes.to(big.ChatID) {
		if a, ok := p.notice.(groups.ArrivalNotice); ok {
			if len(a.Arrivals) > 30 {
				t.Errorf("one greeting names %d arrivals", len(a.Arrivals))
			}
			greeted += len(a.Arrivals)
		}
	}
	if greeted != n {
		t.Errorf("one pass greeted %d of %d arrivals", greeted, n)
	}

	// Now a refund, a waiting buyer and a new seat at once: one pass
	// removes, tells the waiting and invites.
	e.group(t, "xls", -2, 1)
	e.seat(t, "xls", 31, 1)
	e.seat(t, "xls", 32, 2) // waits
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 1001}); err != nil {
		t.Fatal(err)
	}
	e.reconcile(t)
	if len(e.notes.to(31)) != 1 || len(e.notes.to(32)) != 1 || e.chat.count("remove", big.ChatID, 1001) != 1 {
		t.Errorf("one pass: invite %d, waitlist note %d, removal %d; want 1 each",
			len(e.notes.to(31)), len(e.notes.to(32)), e.chat.count("remove", big.ChatID, 1001))
	}
}

// The owners are asked for a new group once when buyers start waiting.
func TestWaitlistAlert(t *testing.T) {
	e := newEnv(t)
	e.group(t, "ppt", -1, 1)
	e.seat(t, "ppt", 11, 1)
	e.reconcile(t)
	for _, o := range e.svc.Owners {
		if n := len(e.notes.to(o)); n != 0 {
			t.Fatalf("owner %d alerted with no one waiting", o)
		}
	}
	e.seat(t, "ppt", 12, 2)
	e.reconcile(t)
	for _, o := range e.svc.Owners {
		if n := len(e.notes.to(o)); n != 1 {
			t.Fatalf("owner %d got %d alerts when the first buyer waits, want 1", o, n)
		}
	}
	e.seat(t, "ppt", 13, 3)
	e.reconcile(t)
	for _, o := range e.svc.Owners {
		alerts := e.notes.to(o)
		if len(alerts) != 1 {
			t.Fatalf("owner %d got %d alerts, want 1", o, len(alerts))
		}
		if a, ok := alerts[0].notice.(groups.WaitlistAlert); !ok || a.Course != "ppt" || a.Waiting < 1 {
			t.Errorf("alert %+v", alerts[0].notice)
		}
	}
}

// A core group can be registered beside student groups, once.
func TestRegisterCoreBesideStudentGroups(t *testing.T) {
	e := newEnv(t)
	e.group(t, "ppt", -1, 5)
	e.chat.admin(-9, groups.RequiredRights(groups.KindCore)...)
	r := groups.RegisterRequest{ChatID: -9, Kind: groups.KindCore, Capacity: 69, By: owner}
	if _, err := e.svc.Register(t.Context(), r); err != nil {
		t.Fatalf("core group beside a student group: %v", err)
	}
	r.ChatID = -10
	e.chat.admin(-10, groups.RequiredRights(groups.KindCore)...)
	if _, err := e.svc.Register(t.Context(), r); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("a second core group: %v, want a conflict", err)
	}
}

// /me reports a join link that cannot be made.
func TestWayBackWithoutLink(t *testing.T) {
	e := newEnv(t)
	e.group(t, "ppt", -1, 5)
	e.seat(t, "ppt", 11, 1)
	e.chat.failOn("link", errDown)
	if _, err := e.svc.WayBack(t.Context(), "ppt", 11); !errors.Is(err, errDown) {
		t.Errorf("way back without a link: %v", err)
	}
}
