package groups_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
)

// alerts returns the problem alerts each owner got.
func (e *env) problemAlerts() map[int64][]groups.Problem {
	out := map[int64][]groups.Problem{}
	for _, o := range e.svc.Owners {
		for _, d := range e.notes.to(o) {
			if a, ok := d.notice.(groups.GroupProblemAlert); ok {
				out[o] = append(out[o], a.Problem)
			}
		}
	}
	return out
}

// notAdmin takes every right of the bot in the chat away.
func (p *chatPlatform) notAdmin(chatID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.rights, chatID)
}

// RightsChanged records the problem a change of the bot's rights makes,
// clears it when the rights come back, and the owners are told each
// problem once, again when it comes back after being solved.
func TestRightsChanged(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 5)
	all := groups.RequiredRights(groups.KindStudent)
	steps := []struct {
		name    string
		change  func()
		problem groups.Problem
		alerts  int // problem alerts each owner has after two passes
	}{
		{"removed", func() { e.chat.notAdmin(g.ChatID) }, groups.ProblemRemoved, 1},
		{"back", func() { e.chat.admin(g.ChatID, all...) }, "", 1},
		{"pin taken", func() { e.chat.admin(g.ChatID, all[:len(all)-1]...) }, groups.MissingRight(all[len(all)-1]), 2},
		{"back again", func() { e.chat.admin(g.ChatID, all...) }, "", 2},
		{"removed again", func() { e.chat.notAdmin(g.ChatID) }, groups.ProblemRemoved, 3},
		{"chat deleted", func() {
			e.chat.failOn("rights", &groups.GroupError{ChatID: g.ChatID, Problem: groups.ProblemChatGone, Err: errors.New("Bad Request: chat not found")})
		}, groups.ProblemChatGone, 4},
	}
	for _, s := range steps {
		s.change()
		wakes := e.wakes.Load()
		if err := e.svc.RightsChanged(ctx, g.ChatID); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := must(e.db.Group(ctx, g.ID))(t); got.Problem != s.problem {
			t.Errorf("%s: problem %q, want %q", s.name, got.Problem, s.problem)
		}
		if e.wakes.Load() == wakes {
			t.Errorf("%s: the reconciler was not woken", s.name)
		}
		e.reconcile(t)
		e.now = e.now.Add(25 * time.Hour) // a problem alert is never repeated
		e.reconcile(t)
		for o, ps := range e.problemAlerts() {
			if len(ps) != s.alerts {
				t.Errorf("%s: owner %d told %v, want %d alerts", s.name, o, ps, s.alerts)
			}
		}
		if len(e.problemAlerts()) != 2 {
			t.Errorf("%s: owners told %v", s.name, e.problemAlerts())
		}
	}
	if n := e.logs.count("owner alert not recorded"); n != 0 {
		t.Errorf("%d alerts not recorded", n)
	}
	// A passing failure is returned and changes nothing; another chat is
	// not the community's.
	e.chat.failOn("rights", errDown)
	if err := e.svc.RightsChanged(ctx, g.ChatID); !errors.Is(err, errDown) {
		t.Errorf("rights unreadable: %v, want errDown", err)
	}
	if got := must(e.db.Group(ctx, g.ID))(t); got.Problem != groups.ProblemChatGone {
		t.Errorf("a passing failure changed the problem to %q", got.Problem)
	}
	if err := e.svc.RightsChanged(ctx, -99); err != nil {
		t.Errorf("a chat that is not ours: %v", err)
	}
}

// A set-up that finds a problem tells the owners in the same pass (an
// owner who cannot be reached is logged and told on a later pass); one
// that succeeds tells the owner who registered the group, once, and a lost
// word to them is logged, not retried.
func TestSetUpEnds(t *testing.T) {
	for _, c := range []struct {
		name     string
		mute     error // the mute of the pass that finishes the set-up
		failTo   int64 // deliveries to this user fail in that pass
		problem  groups.Problem
		ready    int // ready notices the registering owner got
		untold   int // "set-up done but not told" lines
		lostWarn int // "owner alert not delivered" lines
	}{
		{"ready", nil, 0, "", 1, 0, 0},
		{"owner unreachable", nil, owner, "", 0, 1, 0},
		{"problem", &groups.GroupError{Problem: groups.MissingRight(groups.RightRestrict), Err: errors.New("Bad Request: not enough rights")},
			0, groups.MissingRight(groups.RightRestrict), 0, 0, 0},
		{"problem, owner 2 unreachable", &groups.GroupError{Problem: groups.ProblemRemoved, Err: errors.New("Forbidden: bot was kicked")},
			2, groups.ProblemRemoved, 0, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			e.chat.failOn("mute", errDown)
			g := e.group(t, "ppt", -1, 5)
			e.chat.failOn("mute", c.mute)
			e.notes.failFor(c.failTo, errDown)
			e.now = e.now.Add(time.Hour)
			e.logs.count("")
			e.reconcile(t)
			got := must(e.db.Group(ctx, g.ID))(t)
			if got.Problem != c.problem {
				t.Errorf("problem %q, want %q", got.Problem, c.problem)
			}
			if c.problem == "" && !got.SetUpAt.Equal(e.now) {
				t.Errorf("set up at %v, want %v", got.SetUpAt, e.now)
			}
			var ready []groups.Group
			for _, d := range e.notes.to(owner) {
				if n, ok := d.notice.(groups.GroupReadyNotice); ok {
					ready = append(ready, n.Group)
				}
			}
			if len(ready) != c.ready || (c.ready > 0 && !ready[0].SetUpAt.Equal(e.now)) {
				t.Errorf("ready notices %+v, want %d saying set up at %v", ready, c.ready, e.now)
			}
			alerts := e.problemAlerts()
			if c.problem != "" {
				if len(alerts[owner]) != 1 || alerts[owner][0] != c.problem {
					t.Errorf("owner told %v in the pass that found the problem, want [%s]", alerts[owner], c.problem)
				}
			}
			lines := e.logs.buf.String()
			if n := countLines(lines, "set-up done but not told"); n != c.untold {
				t.Errorf("%d lines for a lost ready notice, want %d", n, c.untold)
			}
			if n := countLines(lines, "owner alert not delivered"); n != c.lostWarn {
				t.Errorf("%d lines for an undelivered alert, want %d", n, c.lostWarn)
			}
			// The next passes retry what failed, and nothing else.
			e.notes.failFor(c.failTo, nil)
			e.now = e.now.Add(time.Hour)
			e.reconcile(t)
			e.reconcile(t)
			if n := len(e.notes.to(owner)); n != max(c.ready, len(alerts[owner])) {
				t.Errorf("owner got %d notices in all, want no more than before", n)
			}
			if c.problem != "" && len(e.problemAlerts()[2]) != 1 {
				t.Errorf("owner 2 told %v, want one alert", e.problemAlerts()[2])
			}
		})
	}
}

func countLines(log, s string) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
