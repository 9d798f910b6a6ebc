package storetest

import (
	"sync"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// testPostLog: a post is recorded once per chat with its message, the pin
// on its own; several instances racing to record it agree on who did; a
// forgotten post may be made again.
func testPostLog(t *testing.T, s Stores) {
	ctx := t.Context()
	if p := must(s.PostOf(ctx, "assignment:1", -100))(t); !p.PostedAt.IsZero() || !p.PinnedAt.IsZero() {
		t.Fatalf("PostOf before any post = %+v", p)
	}
	if first := must(s.MarkPosted(ctx, "assignment:1", -100, 77, at(1)))(t); !first {
		t.Fatal("first MarkPosted = false, want true")
	}
	if again := must(s.MarkPosted(ctx, "assignment:1", -100, 78, at(2)))(t); again {
		t.Fatal("second MarkPosted = true, want false")
	}
	p := must(s.PostOf(ctx, "assignment:1", -100))(t)
	if p.MessageID != 77 || !p.PinnedAt.IsZero() {
		t.Fatalf("posted, not pinned: %+v, want message 77 and no pin", p)
	}
	sameTime(t, "PostedAt", p.PostedAt, at(1))
	ok(t, s.MarkPinned(ctx, "assignment:1", -100, at(3)))
	ok(t, s.MarkPinned(ctx, "assignment:1", -100, at(4)))
	sameTime(t, "PinnedAt", must(s.PostOf(ctx, "assignment:1", -100))(t).PinnedAt, at(3))
	cases := []struct {
		key  string
		chat int64
		want bool
	}{
		{"assignment:1", -100, true},
		{"assignment:1", -200, false},
		{"assignment:2", -100, false},
	}
	for _, c := range cases {
		if got := !must(s.PostOf(ctx, c.key, c.chat))(t).PostedAt.IsZero(); got != c.want {
			t.Errorf("posted(%s, %d) = %v; want %v", c.key, c.chat, got, c.want)
		}
	}
	// Forgotten: made again, as a reminder is.
	ok(t, s.ForgetPost(ctx, "assignment:1", -100))
	ok(t, s.ForgetPost(ctx, "never", -100))
	if p := must(s.PostOf(ctx, "assignment:1", -100))(t); !p.PostedAt.IsZero() {
		t.Fatalf("forgotten post still there: %+v", p)
	}
	if again := must(s.MarkPosted(ctx, "assignment:1", -100, 0, at(5)))(t); !again {
		t.Fatal("MarkPosted after ForgetPost = false, want true")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Go(func() {
			ok, err := s.MarkPosted(ctx, "session:7", -300, 1, at(0))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d racing recorders won, want 1", wins)
	}
}

// testGroupProblem: a group's problem is stored, reported as changed only
// when it changes, and cleared.
func testGroupProblem(t *testing.T, s Stores) {
	ctx := t.Context()
	g := must(s.AddGroup(ctx, groups.Group{ChatID: -1, Kind: groups.KindStudent, Course: "ppt", Capacity: 5}))(t)
	if g.Problem != "" {
		t.Fatalf("new group has problem %q", g.Problem)
	}
	steps := []struct {
		p       groups.Problem
		changed bool
	}{
		{"", false},
		{groups.MissingRight(groups.RightPin), true},
		{groups.MissingRight(groups.RightPin), false},
		{groups.ProblemRemoved, true},
		{"", true},
		{"", false},
	}
	for i, st := range steps {
		if got := must(s.SetGroupProblem(ctx, g.ID, st.p))(t); got != st.changed {
			t.Errorf("step %d: SetGroupProblem(%q) changed = %v, want %v", i, st.p, got, st.changed)
		}
		if got := must(s.Group(ctx, g.ID))(t).Problem; got != st.p {
			t.Errorf("step %d: problem %q, want %q", i, got, st.p)
		}
	}
	must(s.SetGroupProblem(ctx, g.ID, groups.ProblemChatGone))(t)
	if got := must(s.GroupByChat(ctx, -1))(t).Problem; got != groups.ProblemChatGone {
		t.Errorf("GroupByChat problem %q", got)
	}
	_, err := s.SetGroupProblem(ctx, g.ID+1000, groups.ProblemRemoved)
	isErr(t, "unknown group", err, shequn.ErrNotFound)
}
