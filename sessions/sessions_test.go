package sessions_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// schedule makes a ppt session starting 30 hours after t0.
func (w *world) schedule(t *testing.T) sessions.Session {
	t.Helper()
	x, err := w.svc.New(t.Context(), sessions.Session{Course: "ppt", StartAt: t0.Add(30 * time.Hour), Topic: "封面设计",
		Speaker: speaker, SpeakerName: "Ann", CreatedBy: admin})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestSessionFromRemindersToRecap(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.group(t, "ppt", -2)
	w.group(t, "xls", -3)
	w.seat(t, "ppt", 42, 42)
	x := w.schedule(t)

	w.pass(t) // 30 h ahead: no reminder yet
	wantEffects(t, w.chat, -1)

	w.now = x.StartAt.Add(-24 * time.Hour)
	w.pass(t)
	w.pass(t) // a second pass repeats nothing
	w.now = x.StartAt.Add(-time.Hour)
	w.pass(t)
	wantEffects(t, w.chat, -1, "post reminder:24h0m0s", "pin 1", "post reminder:1h0m0s", "pin 2")
	wantEffects(t, w.chat, -3) // another course

	if _, err := w.svc.CheckIn(ctx, x.ID, -1, 42); err != nil {
		t.Fatal(err)
	}
	if added, err := w.svc.CheckIn(ctx, x.ID, -2, 42); err != nil || added {
		t.Errorf("second check-in: added %v, err %v", added, err)
	}
	w.svc.CheckIn(ctx, x.ID, -2, 43)

	// At the start time the session goes live by itself.
	w.now = x.StartAt
	w.pass(t)
	if got, _ := w.db.Session(ctx, x.ID); got.State != sessions.Live {
		t.Fatalf("state at start = %s, want live", got.State)
	}
	for i, ids := range [][]int{{100}, {101, 102, 103}, {104}} {
		ok, err := w.svc.Relay(ctx, speaker, false, sessions.MessageRef{ChatID: speaker, MessageIDs: ids})
		if err != nil || !ok {
			t.Fatalf("relay %d: %v %v", i, ok, err)
		}
	}
	if ok, _ := w.svc.Relay(ctx, 99, false, sessions.MessageRef{ChatID: 99, MessageIDs: []int{1}}); ok {
		t.Error("a stranger's message was relayed")
	}
	w.pass(t)

	if _, err := w.svc.OpenQA(ctx, x.ID, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	w.pass(t)
	if ok, err := w.svc.Ask(ctx, -1, 42, "怎么对齐?"); err != nil || !ok {
		t.Fatalf("ask: %v %v", ok, err)
	}
	w.svc.Ask(ctx, -2, 43, "字体?")
	if ok, _ := w.svc.Ask(ctx, -3, 44, "not this course"); ok {
		t.Error("a question from another course's group was taken")
	}
	w.pass(t)
	wantEffects(t, w.chat, speaker, "tell question:1:42:怎么对齐?", "tell question:2:0:字体?")

	// A restart during the window: the new process mutes at its end.
	w.svc = w.service()
	w.now = x.StartAt.Add(11 * time.Minute)
	w.pass(t)
	if got, _ := w.db.Session(ctx, x.ID); got.State != sessions.Live {
		t.Errorf("state after the window = %s, want live", got.State)
	}
	if got := w.chat.effects(-2); len(got) < 2 || got[len(got)-2] != "mute" {
		t.Errorf("group -2 after the window: %q, want it muted again", got)
	}
	if ok, _ := w.svc.Ask(ctx, -1, 42, "late"); ok {
		t.Error("a question after the window was taken")
	}
	if _, err := w.svc.End(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	w.pass(t)
	w.pass(t)
	wantEffects(t, w.chat, -1,
		"post reminder:24h0m0s", "pin 1", "post reminder:1h0m0s", "pin 2",
		"post session_header", "copy 100", "copy 101,102,103", "copy 104",
		"open", "post session_qa_open", "mute", "post session_qa_closed",
		"post recap:1/2:q2:r3", "unpin 1", "unpin 2")
	if got, _ := w.db.Session(ctx, x.ID); got.State != sessions.Closed {
		t.Errorf("state after the recap = %s, want closed", got.State)
	}
	wantEffects(t, w.chat, -3)
	if _, err := w.svc.CheckIn(ctx, x.ID, -1, 50); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("check-in after the end: %v, want a conflict", err)
	}
}

func TestRemovedGroupIsReportedAndSkipped(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	bad := w.group(t, "ppt", -2)
	w.group(t, "ppt", -3)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	w.chat.failOn("copy -2", removed(-2))
	for _, id := range []int{100, 101} {
		w.svc.Relay(ctx, admin, true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{id}})
	}
	w.pass(t)
	w.pass(t)
	for _, c := range []int64{-1, -3} {
		wantEffects(t, w.chat, c, "post session_header", "copy 100", "copy 101")
	}
	wantEffects(t, w.chat, -2, "post session_header")
	g, _ := w.db.Group(ctx, bad.ID)
	if g.Problem != groups.ProblemRemoved {
		t.Errorf("problem = %q, want %q", g.Problem, groups.ProblemRemoved)
	}
	// Once the group is back, it gets what it missed, in order.
	w.chat.failOn("copy -2", nil)
	w.db.SetGroupProblem(ctx, bad.ID, "")
	w.pass(t)
	wantEffects(t, w.chat, -2, "post session_header", "copy 100", "copy 101")
}

func TestRelayKeepsOrderAfterAPassingFailure(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	for _, id := range []int{100, 101, 102} {
		w.svc.Relay(ctx, speaker, false, sessions.MessageRef{ChatID: speaker, MessageIDs: []int{id}})
	}
	w.chat.failOn("copy -1 101", errors.New("Too Many Requests: retry after 5"))
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "copy 100")
	w.chat.failOn("copy -1 101", nil)
	w.now = w.now.Add(time.Hour) // past the backoff
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "copy 100", "copy 101", "copy 102")
}

func TestSessionRules(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	for _, bad := range []sessions.Session{
		{StartAt: t0.Add(time.Hour), Speaker: speaker},
		{StartAt: t0.Add(time.Hour), Topic: "x"},
		{StartAt: t0, Topic: "x", Speaker: speaker},
		{StartAt: t0.Add(time.Hour), Topic: strings.Repeat("封", sessions.MaxTopic+1), Speaker: speaker},
	} {
		if _, err := w.svc.New(ctx, bad); shequn.ErrorCode(err) != shequn.CodeInvalid {
			t.Errorf("New(%+v) = %v, want invalid", bad, err)
		}
	}
	x := w.schedule(t)
	if _, err := w.svc.New(ctx, sessions.Session{Course: "ppt", StartAt: x.StartAt, Topic: "again", Speaker: speaker}); !errors.Is(err, shequn.ErrConflict) {
		t.Errorf("a second session at the same start: %v, want a conflict", err)
	}
	if _, err := w.svc.OpenQA(ctx, x.ID, 10*time.Minute); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("questions before the start: %v", err)
	}
	if _, err := w.svc.End(ctx, x.ID); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("end before the start: %v", err)
	}
	w.svc.Start(ctx, x.ID)
	if _, err := w.svc.Start(ctx, x.ID); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("second start: %v", err)
	}
	for _, d := range []time.Duration{0, 30 * time.Second, 4 * time.Hour} {
		if _, err := w.svc.OpenQA(ctx, x.ID, d); shequn.ErrorCode(err) != shequn.CodeInvalid {
			t.Errorf("OpenQA(%v) = %v, want invalid", d, err)
		}
	}
	if ok, _ := w.svc.Ask(ctx, -1, 42, "no window"); ok {
		t.Error("a question outside a window was taken")
	}
}

func TestBroadcastToGroupsAndMembers(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.group(t, "xls", -2)
	for u := int64(10); u < 20; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	w.seat(t, "xls", 30, 1)
	w.chat.failOn("copy 13", shequn.ErrUnreachable) // blocked the bot
	w.chat.failOn("copy 15", errors.New("network")) // a passing failure
	album := sessions.MessageRef{ChatID: admin, MessageIDs: []int{5, 6}}
	b, err := w.svc.Announce(ctx, admin, "ppt", true, album)
	if err != nil {
		t.Fatal(err)
	}
	w.broadcast(t)
	wantEffects(t, w.chat, -1, "copy 5,6")
	wantEffects(t, w.chat, -2)
	wantEffects(t, w.chat, 30)
	got, _ := w.db.Broadcast(ctx, b.ID)
	if got.State != sessions.Sending || got.Sent != 8 || got.Blocked != 1 {
		t.Errorf("after the first pass: %+v, want sending, 8 sent, 1 blocked", got)
	}
	// The next pass (or the next process) sends only what is missing.
	w.chat.failOn("copy 15", nil)
	w.svc = w.service()
	w.broadcast(t)
	for u := int64(10); u < 20; u++ {
		want := []string{"copy 5,6"}
		if u == 13 {
			want = nil
		}
		wantEffects(t, w.chat, u, want...)
	}
	got, _ = w.db.Broadcast(ctx, b.ID)
	if got.State != sessions.Done || got.Sent != 9 || got.Blocked != 1 {
		t.Errorf("after the second pass: %+v, want done, 9 sent, 1 blocked", got)
	}
	wantEffects(t, w.chat, admin, "tell broadcast_done")

	// A member who blocked the bot is not tried again.
	w.chat.failOn("copy 13", nil)
	if _, err := w.svc.Announce(ctx, admin, "", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{9}}); err != nil {
		t.Fatal(err)
	}
	w.broadcast(t)
	wantEffects(t, w.chat, 13)
	wantEffects(t, w.chat, 30, "copy 9")
	wantEffects(t, w.chat, -2, "copy 9")
}

func TestCancelledBroadcastStops(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	for u := int64(10); u < 15; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	b, _ := w.svc.Announce(ctx, admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	if err := w.svc.Cancel(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Cancel(ctx, b.ID); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("second cancel: %v", err)
	}
	w.broadcast(t)
	for u := int64(10); u < 15; u++ {
		wantEffects(t, w.chat, u)
	}
	wantEffects(t, w.chat, -1)
}

// One session is live at a time: another due meanwhile waits for its end.
func TestOneLiveSessionAtATime(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	a := w.schedule(t)
	b, err := w.svc.New(ctx, sessions.Session{Course: "ppt", StartAt: a.StartAt.Add(time.Hour), Topic: "next", Speaker: speaker})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Start(ctx, a.ID)
	if _, err := w.svc.Start(ctx, b.ID); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Errorf("a second live session: %v, want a conflict", err)
	}
	w.now = b.StartAt
	w.pass(t)
	if got, _ := w.db.Session(ctx, b.ID); got.State != sessions.Scheduled {
		t.Errorf("the second session is %s while the first is live", got.State)
	}
	w.svc.End(ctx, a.ID)
	w.pass(t)
	w.pass(t)
	if got, _ := w.db.Session(ctx, b.ID); got.State != sessions.Live {
		t.Errorf("after the first ended the second is %s, want live", got.State)
	}
}

// A DM a stopped process had begun (recorded as begun, its outcome never
// recorded: it crashed during the send) is not sent again.
func TestBroadcastNeverSendsTwice(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	for u := int64(10); u < 13; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	b, _ := w.svc.Announce(ctx, admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	key := fmt.Sprintf("b%d", b.ID)
	if _, err := w.db.MarkPosted(ctx, key+":try", 11, 0, w.now); err != nil { // the crash
		t.Fatal(err)
	}
	w.broadcast(t)
	wantEffects(t, w.chat, 10, "copy 5")
	wantEffects(t, w.chat, 11)
	wantEffects(t, w.chat, 12, "copy 5")
	if got, _ := w.db.Broadcast(ctx, b.ID); got.State != sessions.Done || got.Sent != 3 {
		t.Errorf("broadcast %+v, want done with 3 sent", got)
	}
}

// A group the bot was removed from holds neither a session nor a
// broadcast open: both finish in the other groups.
func TestARemovedGroupHoldsNothingOpen(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.group(t, "ppt", -2)
	w.chat.failOn("post -2", removed(-2))
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	w.pass(t)
	w.svc.End(ctx, x.ID)
	w.pass(t)
	w.pass(t)
	if got, _ := w.db.Session(ctx, x.ID); got.State != sessions.Closed {
		t.Errorf("session %s with a removed group, want closed", got.State)
	}
	wantEffects(t, w.chat, -1, "post session_header", "post recap:0/0:q0:r0")
	b, _ := w.svc.Announce(ctx, admin, "ppt", false, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	w.broadcast(t)
	if got, _ := w.db.Broadcast(ctx, b.ID); got.State != sessions.Done {
		t.Errorf("broadcast %s with a removed group, want done", got.State)
	}
}

// An album the speaker sends item by item reaches the groups as one album
// once it has settled, in its place in the talk; an item that comes late
// follows on its own, and nothing is copied twice.
func TestAlbumRelayedAsOne(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	relay := func(id int, album string) {
		t.Helper()
		if ok, err := w.svc.Relay(ctx, speaker, false, sessions.MessageRef{ChatID: speaker, MessageIDs: []int{id}, Album: album}); !ok || err != nil {
			t.Fatalf("relay %d: %v %v", id, ok, err)
		}
	}
	relay(100, "")
	relay(101, "A")
	relay(102, "A")
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "copy 100")
	w.now = w.now.Add(time.Second)
	relay(103, "A")
	w.now = w.now.Add(sessions.AlbumSettle)
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "copy 100", "copy 101,102,103")
	relay(104, "A") // late
	relay(105, "")
	relay(106, "B")
	relay(107, "B")
	relay(108, "") // follows album B: B is complete
	w.pass(t)
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "copy 100", "copy 101,102,103", "copy 104", "copy 105", "copy 106,107", "copy 108")
}

// A speaker who cannot be written to: whoever scheduled the session is
// told once; the questions follow in order once the speaker can be reached.
func TestUnreachableSpeaker(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	w.svc.OpenQA(ctx, x.ID, 10*time.Minute)
	w.svc.Ask(ctx, -1, 42, "one")
	w.svc.Ask(ctx, -1, 42, "two")
	w.chat.failOn(fmt.Sprintf("tell %d", speaker), shequn.ErrUnreachable)
	w.pass(t)
	w.pass(t)
	wantEffects(t, w.chat, admin, "tell session_speaker_unreachable")
	w.chat.failOn(fmt.Sprintf("tell %d", speaker), nil)
	w.pass(t)
	wantEffects(t, w.chat, speaker, "tell question:1:0:one", "tell question:2:0:two")
}
