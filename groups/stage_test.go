package groups_test

import (
	"testing"
	"time"
)

// A stage whose every batch has failures among its successes still works
// through every seat in one pass: the failed seats are logged, back off
// and are looked past, never end the stage early, and never hide the
// seats after them.
func TestFailuresAmongSuccessesDoNotEndTheStage(t *testing.T) {
	e := newEnv(t)
	g := e.group(t, "ppt", -1, 1000)
	const n = 450
	for u := int64(1); u <= n; u++ {
		if u%2 == 1 {
			e.notes.failFor(1000+u, errDown) // every other member's DM fails
		}
		e.seat(t, "ppt", 1000+u, int(u))
	}
	e.logs.count("")
	e.reconcile(t)
	for u := int64(2); u <= n; u += 2 {
		if len(e.notes.to(1000+u)) != 1 {
			t.Fatalf("after one pass member %d got %d invites, want 1", 1000+u, len(e.notes.to(1000+u)))
		}
	}
	if c := e.logs.count("reconcile step failed"); c != n/2 {
		t.Errorf("%d failed steps logged, want %d", c, n/2)
	}
	// The failed ones back off: a pass at the same moment does not try them.
	e.reconcile(t)
	if c := e.logs.count("reconcile step failed"); c != 0 {
		t.Errorf("a pass during the backoff retried %d steps", c)
	}
	for u := int64(1); u <= n; u += 2 {
		e.notes.failFor(1000+u, nil)
	}
	e.now = e.now.Add(time.Hour)
	e.reconcile(t)
	for u := int64(1); u <= n; u++ {
		if got := len(e.notes.to(1000 + u)); got != 1 {
			t.Fatalf("member %d got %d invites after the retry, want 1", 1000+u, got)
		}
	}
	if s := must(e.db.Group(t.Context(), g.ID))(t); s.SeatsUsed != n {
		t.Errorf("seats used %d, want %d", s.SeatsUsed, n)
	}
}
