package groups_test

import (
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
)

// homework is a notice other domains announce through the groups.
type homework struct{ ID int }

func (homework) NoticeName() string { return "homework" }

// Announce posts and pins the notice once in every student group of the
// course and nowhere else. A group that fails, or has a problem, keeps it
// from being done; a passing failure is retried after its backoff, and a
// group that got it never gets it twice.
func TestAnnounce(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a, b := e.group(t, "ppt", -1, 5), e.group(t, "ppt", -2, 5)
	e.group(t, "xls", -3, 5)
	if _, err := e.db.AddGroup(ctx, groups.Group{ChatID: -4, Kind: groups.KindCore, Capacity: 10, SetUpAt: e.now}); err != nil {
		t.Fatal(err)
	}
	e.notes.failFor(b.ChatID, errDown)
	announce := func(want bool) {
		t.Helper()
		done, err := e.svc.Announce(ctx, "ppt", "homework:1", homework{1}, e.now)
		if err != nil || done != want {
			t.Fatalf("Announce = %v, %v; want done = %v", done, err, want)
		}
	}
	homeworkIn := func(chat int64) (n int) {
		for _, d := range e.notes.to(chat) {
			if _, ok := d.notice.(homework); ok {
				n++
				if !d.pin {
					t.Errorf("chat %d: not pinned", chat)
				}
			}
		}
		return n
	}
	announce(false)
	e.notes.failFor(b.ChatID, nil)
	announce(false) // b waits for its backoff
	if homeworkIn(a.ChatID) != 1 || homeworkIn(b.ChatID) != 0 {
		t.Errorf("during b's backoff: a has %d, b %d; want 1, 0", homeworkIn(a.ChatID), homeworkIn(b.ChatID))
	}
	e.now = e.now.Add(time.Hour)
	announce(true)
	announce(true)
	for chat, want := range map[int64]int{-1: 1, -2: 1, -3: 0, -4: 0} {
		if n := homeworkIn(chat); n != want {
			t.Errorf("chat %d has the homework %d times, want %d", chat, n, want)
		}
	}
	// A group with a problem is left alone, and the announcement is not
	// done while it lasts.
	if _, err := e.db.SetGroupProblem(ctx, a.ID, groups.ProblemRemoved); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.Announce(ctx, "ppt", "homework:2", homework{2}, e.now)
	if err != nil || done {
		t.Errorf("with a group in trouble: %v, %v; want not done", done, err)
	}
	if homeworkIn(a.ChatID) != 1 || homeworkIn(b.ChatID) != 2 {
		t.Errorf("second homework: a has %d, b %d; want 1, 2", homeworkIn(a.ChatID), homeworkIn(b.ChatID))
	}
}

// A pass that lost its lease posts nothing and says so.
func TestAnnounceFenced(t *testing.T) {
	e := newEnv(t)
	g := e.group(t, "ppt", -1, 5)
	lost := jobs.WithFence(t.Context(), func() error { return jobs.ErrLeaseLost })
	if done, err := e.svc.Announce(lost, "ppt", "homework:1", homework{1}, e.now); err == nil || done {
		t.Errorf("fenced Announce = %v, %v; want the fence's error", done, err)
	}
	if n := len(e.notes.to(g.ChatID)); n != 1 { // the rules only
		t.Errorf("a fenced pass posted: %d posts", n)
	}
	if done, err := e.svc.Announce(t.Context(), "xls", "homework:1", homework{1}, e.now); err != nil || !done {
		t.Errorf("a course without groups: %v, %v; want done", done, err)
	}
}

// A group the bot was removed from while posting records the problem at
// once, wakes the reconciler to tell the owners, and is not tried again.
func TestAnnounceRecordsAProblem(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 5)
	e.notes.failFor(g.ChatID, &groups.GroupError{ChatID: g.ChatID, Problem: groups.ProblemRemoved})
	e.logs.count("")
	wakes := e.wakes.Load()
	if done, err := e.svc.Announce(ctx, "ppt", "homework:1", homework{1}, e.now); err != nil || done {
		t.Fatalf("Announce = %v, %v; want not done", done, err)
	}
	if got := must(e.db.Group(ctx, g.ID))(t); got.Problem != groups.ProblemRemoved {
		t.Errorf("problem %q, want %q", got.Problem, groups.ProblemRemoved)
	}
	if n := e.logs.count("group needs its owner"); n != 1 || e.wakes.Load() != wakes+1 {
		t.Errorf("problem logged %d times, %d wakes; want 1, 1", n, e.wakes.Load()-wakes)
	}
}
