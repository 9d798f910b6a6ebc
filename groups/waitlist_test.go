package groups_test

import (
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// The owners are told when a waitlist starts, reminded every 24 hours
// while it lasts, and told again when a new one starts after it emptied.
// An owner who cannot be reached is told on a later pass.
func TestWaitlistEpisodes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.group(t, "ppt", -1, 1)
	e.seat(t, "ppt", 11, 1)
	e.notes.failFor(2, errDown)
	e.seat(t, "ppt", 12, 2) // waits
	start := e.now
	alerts := func() (n map[int64]int) {
		n = map[int64]int{}
		for _, o := range e.svc.Owners {
			for _, d := range e.notes.to(o) {
				if _, ok := d.notice.(groups.WaitlistAlert); ok {
					n[o]++
				}
			}
		}
		return n
	}
	steps := []struct {
		name   string
		at     time.Duration // after the waitlist started
		do     func()
		o1, o2 int // alerts each owner has after the pass
	}{
		{"starts", 0, nil, 1, 0},
		{"owner 2 back", time.Minute, func() { e.notes.failFor(2, nil) }, 1, 1},
		{"a moment before a day", 24*time.Hour - time.Second, nil, 1, 1},
		{"a day after", 24 * time.Hour, nil, 2, 1},
		{"owner 2's day", 24*time.Hour + time.Minute, nil, 2, 2},
		{"emptied", 25 * time.Hour, func() {
			if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 11}); err != nil {
				t.Fatal(err)
			}
		}, 2, 2},
		{"starts again", 25*time.Hour + time.Second, func() { e.seat(t, "ppt", 13, 3) }, 3, 3},
	}
	e.logs.count("")
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		e.now = start.Add(s.at)
		e.reconcile(t)
		if a := alerts(); a[owner] != s.o1 || a[2] != s.o2 {
			t.Errorf("%s: alerts %v, want %d and %d", s.name, a, s.o1, s.o2)
		}
		if s.name == "starts" {
			if n := e.logs.count("owner alert not delivered"); n != 1 {
				t.Errorf("%d lines for the undelivered alert, want 1", n)
			}
		}
	}
	if n := e.logs.count("owner alert not recorded"); n != 0 {
		t.Errorf("%d alerts not recorded", n)
	}
}
