package groups_test

import (
	"errors"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// A seated member's group is found without asking the chat; a member who
// waits for a seat, was released or never bought has none.
func TestSeatedGroup(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 1)
	e.seat(t, "ppt", 11, 1)
	e.seat(t, "ppt", 12, 2) // the group is full: waiting
	asked := e.chat.count("ismember", g.ChatID)
	check := func(user int64, found bool) {
		t.Helper()
		got, err := e.svc.SeatedGroup(ctx, "ppt", user)
		switch {
		case found && (err != nil || got.ChatID != g.ChatID):
			t.Errorf("user %d: %+v, %v; want the group", user, got, err)
		case !found && !errors.Is(err, shequn.ErrNotFound):
			t.Errorf("user %d: %+v, %v; want not found", user, got, err)
		}
	}
	check(11, true)
	check(12, false)
	check(99, false)
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 11, Number: 1, Status: membership.EnrollmentRevoked}); err != nil {
		t.Fatal(err)
	}
	check(11, false)
	if n := e.chat.count("ismember", g.ChatID); n != asked {
		t.Errorf("the chat was asked %d times", n-asked)
	}
}
