package groups_test

import (
	"testing"
	"time"
)

// A stored join link is checked before it is handed out again, at most
// once a minute: a member asking twice within the minute costs one check,
// and at a minute the link is checked again.
func TestJoinLinkCheckedOnceAMinute(t *testing.T) {
	e := newEnv(t)
	g := e.group(t, "ppt", -1, 5)
	e.seat(t, "ppt", 11, 1)
	first, err := e.svc.WayBack(t.Context(), "ppt", 11)
	if err != nil {
		t.Fatal(err)
	}
	start := e.now
	for _, c := range []struct {
		at     time.Duration
		checks int
	}{{0, 0}, {59 * time.Second, 0}, {time.Minute, 1}, {time.Minute + 30*time.Second, 1}, {2 * time.Minute, 2}} {
		e.now = start.Add(c.at)
		w, err := e.svc.WayBack(t.Context(), "ppt", 11)
		if err != nil || w.Link != first.Link {
			t.Fatalf("at +%v: %q, %v; want the stored link %q", c.at, w.Link, err, first.Link)
		}
		if n := e.chat.count("check_link", g.ChatID); n != c.checks {
			t.Errorf("at +%v: %d checks, want %d", c.at, n, c.checks)
		}
	}
}
