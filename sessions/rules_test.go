package sessions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/sessions"
	"github.com/shequn/shequn/store/sqlite"
)

// One pass sends every broadcast in progress, oldest first, not only the
// first of them.
func TestBroadcastPassSendsEveryBroadcast(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.seat(t, "ppt", 10, 10)
	var ids []int64
	for _, m := range []int{5, 6} {
		b, err := w.svc.Announce(ctx, admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{m}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	w.broadcast(t)
	wantEffects(t, w.chat, -1, "copy 5", "copy 6")
	wantEffects(t, w.chat, 10, "copy 5", "copy 6")
	for _, id := range ids {
		if got, _ := w.db.Broadcast(ctx, id); got.State != sessions.Done || got.Sent != 1 {
			t.Errorf("broadcast %+v, want done with 1 sent", got)
		}
	}
}

// A service configured without a number of workers sends the DMs with
// its default.
func TestBroadcastDefaultWorkers(t *testing.T) {
	w := newWorld(t)
	w.svc.Workers = 0
	w.group(t, "ppt", -1)
	for u := int64(10); u < 13; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	b, err := w.svc.Announce(t.Context(), admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	w.broadcast(t)
	for u := int64(10); u < 13; u++ {
		wantEffects(t, w.chat, u, "copy 5")
	}
	if got, _ := w.db.Broadcast(t.Context(), b.ID); got.State != sessions.Done || got.Sent != 3 {
		t.Errorf("broadcast %+v, want done with 3 sent", got)
	}
}

// The sender is told when the broadcast is done; a sender who cannot be
// told is logged as a warning, and one told is not.
func TestBroadcastSenderToldOrLogged(t *testing.T) {
	for _, c := range []struct {
		name        string
		unreachable bool
	}{{"told", false}, {"not told", true}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			w.group(t, "ppt", -1)
			if c.unreachable {
				w.chat.failOn("tell 1", shequn.ErrUnreachable)
			}
			if _, err := w.svc.Announce(t.Context(), admin, "ppt", false, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}}); err != nil {
				t.Fatal(err)
			}
			w.broadcast(t)
			if logged := strings.Contains(log.String(), "broadcast's sender not told"); logged != c.unreachable {
				t.Errorf("logged %q, want the warning %v", log.String(), c.unreachable)
			}
			if !c.unreachable {
				wantEffects(t, w.chat, admin, "tell broadcast_done")
			}
		})
	}
}

// A DM that fails for a passing reason is logged once for the pass, with
// the count and the first member it failed for, and its begun mark is
// taken back without a word; a pass without one logs nothing.
func TestFailedDMsLoggedOncePerPass(t *testing.T) {
	for _, c := range []struct {
		name   string
		failed bool
	}{{"none failed", false}, {"one failed", true}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			w.group(t, "ppt", -1)
			for u := int64(10); u < 13; u++ {
				w.seat(t, "ppt", u, int(u))
			}
			if c.failed {
				w.chat.failOn("copy 11", errors.New("network"))
			}
			if _, err := w.svc.Announce(t.Context(), admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}}); err != nil {
				t.Fatal(err)
			}
			w.broadcast(t)
			got := log.String()
			if c.failed && (strings.Count(got, "broadcast DMs failed") != 1 || !strings.Contains(got, "failed=1") || !strings.Contains(got, "user 11: network")) {
				t.Errorf("log %q, want one line naming user 11", got)
			}
			if strings.Contains(got, "stays marked begun") { // the mark was taken back
				t.Errorf("log %q: a begun mark left behind", got)
			}
			if !c.failed && got != "" {
				t.Errorf("log %q, want nothing", got)
			}
		})
	}
}

// A pass that loses its lease while sending DMs stops with that error and
// leaves the broadcast sending, for the holder of the lease.
func TestBroadcastStopsWhenTheLeaseIsLost(t *testing.T) {
	w := newWorld(t)
	w.group(t, "ppt", -1)
	w.seat(t, "ppt", 10, 10)
	w.chat.failOn("copy 10", jobs.ErrLeaseLost)
	b, err := w.svc.Announce(t.Context(), admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Broadcast(t.Context(), w.now); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Errorf("pass: %v, want the lease lost", err)
	}
	if got, _ := w.db.Broadcast(t.Context(), b.ID); got.State != sessions.Sending {
		t.Errorf("broadcast %s, want still sending", got.State)
	}
}

// countFails is the store with the broadcast counts failing from the
// given call on.
type countFails struct {
	*sqlite.DB
	calls, from int
}

func (c *countFails) CountBroadcast(ctx context.Context, id int64, sent, blocked int) error {
	if c.calls++; c.calls >= c.from {
		return errors.New("disk full")
	}
	return c.DB.CountBroadcast(ctx, id, sent, blocked)
}

// Counts that cannot be stored at the end of the DMs fail the pass; the
// broadcast is not finished with its counts lost.
func TestBroadcastCountsNotLost(t *testing.T) {
	w := newWorld(t)
	w.group(t, "ppt", -1)
	w.seat(t, "ppt", 10, 10)
	b, err := w.svc.Announce(t.Context(), admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Store = &countFails{DB: w.db, from: 2} // after the one page: the last count
	if err := w.svc.Broadcast(t.Context(), w.now); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("pass: %v, want the count's failure", err)
	}
	if got, _ := w.db.Broadcast(t.Context(), b.ID); got.State != sessions.Sending {
		t.Errorf("broadcast %s, want still sending", got.State)
	}
}

// session schedules a ppt session starting at the time.
func (w *world) session(t *testing.T, topic string, start time.Time) sessions.Session {
	t.Helper()
	x, err := w.svc.New(t.Context(), sessions.Session{Course: "ppt", StartAt: start, Topic: topic, Speaker: speaker, CreatedBy: admin})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// One pass does the due work of every open session: both reminders.
func TestPassRemindsOfEverySession(t *testing.T) {
	w := newWorld(t)
	w.group(t, "ppt", -1)
	w.session(t, "a", t0.Add(25*time.Hour))
	w.session(t, "b", t0.Add(26*time.Hour))
	w.now = t0.Add(2 * time.Hour) // both a day ahead or less
	w.pass(t)
	wantEffects(t, w.chat, -1, "post reminder:24h0m0s", "pin 1", "post reminder:24h0m0s", "pin 2")
}

// A session due while another is live or in its question window waits;
// of two due in one pass only the first starts; one due after another
// ended starts.
func TestOnlyOneSessionGoesLive(t *testing.T) {
	for _, c := range []struct {
		name  string
		first func(w *world, id int64) // what happens to the first before the pass
		want  sessions.State           // the second's state after the pass
	}{
		{"the first in its question window", func(w *world, id int64) {
			w.svc.Start(context.Background(), id)
			w.svc.OpenQA(context.Background(), id, time.Hour)
		}, sessions.Scheduled},
		{"both due in one pass", func(*world, int64) {}, sessions.Scheduled},
		{"the first ended", func(w *world, id int64) {
			w.svc.Start(context.Background(), id)
			w.svc.End(context.Background(), id)
		}, sessions.Live},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.group(t, "ppt", -1)
			a := w.session(t, "a", t0.Add(time.Hour))
			b := w.session(t, "b", t0.Add(2*time.Hour))
			c.first(w, a.ID)
			w.now = b.StartAt
			w.pass(t)
			if got, _ := w.db.Session(t.Context(), b.ID); got.State != c.want {
				t.Errorf("the second is %s, want %s", got.State, c.want)
			}
		})
	}
}

// closeFails is the store failing to close a session.
type closeFails struct{ *sqlite.DB }

func (c closeFails) MoveSession(ctx context.Context, id int64, from sessions.State, to sessions.Session, at time.Time) (bool, error) {
	if to.State == sessions.Closed {
		return false, errors.New("disk full")
	}
	return c.DB.MoveSession(ctx, id, from, to, at)
}

// A session that cannot be closed after its recap fails the pass, so the
// next one closes it.
func TestPassFailsWhenASessionCannotClose(t *testing.T) {
	w := newWorld(t)
	w.group(t, "ppt", -1)
	x := w.schedule(t)
	w.svc.Start(t.Context(), x.ID)
	w.svc.End(t.Context(), x.ID)
	w.svc.Store = closeFails{w.db}
	if err := w.svc.Pass(t.Context(), w.now); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("pass: %v, want the close's failure", err)
	}
	w.svc.Store = w.db
	w.pass(t)
	if got, _ := w.db.Session(t.Context(), x.ID); got.State != sessions.Closed {
		t.Errorf("state %s, want closed", got.State)
	}
}

// Each group's recap counts the check-ins in that group, of all of them.
func TestRecapCountsEachGroupsCheckIns(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.group(t, "ppt", -2)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	for _, c := range []struct{ chat, user int64 }{{-1, 41}, {-1, 42}, {-2, 43}} {
		if ok, err := w.svc.CheckIn(ctx, x.ID, c.chat, c.user); !ok || err != nil {
			t.Fatalf("check-in %d: %v %v", c.user, ok, err)
		}
	}
	w.svc.End(ctx, x.ID)
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "post recap:2/3:q0:r0")
	wantEffects(t, w.chat, -2, "post session_header", "post recap:1/3:q0:r0")
}

// A group that never had the question window opened (it came after the
// window) is not muted nor told that the window closed.
func TestNoCloseWhereTheWindowNeverOpened(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	x := w.schedule(t)
	w.svc.Start(ctx, x.ID)
	w.svc.OpenQA(ctx, x.ID, 10*time.Minute)
	w.pass(t)
	w.now = w.now.Add(10 * time.Minute)
	w.pass(t)
	w.group(t, "ppt", -2)
	w.pass(t)
	wantEffects(t, w.chat, -1, "post session_header", "open", "post session_qa_open", "mute", "post session_qa_closed")
	wantEffects(t, w.chat, -2, "post session_header")
}

// When neither the speaker nor whoever scheduled the session can be
// written to, that is logged; when the scheduler is told, it is not.
func TestUnreachableSpeakerNobodyTold(t *testing.T) {
	for _, c := range []struct {
		name        string
		unreachable bool
	}{{"scheduler told", false}, {"scheduler unreachable", true}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			w.group(t, "ppt", -1)
			x := w.schedule(t)
			w.svc.Start(t.Context(), x.ID)
			w.svc.OpenQA(t.Context(), x.ID, 10*time.Minute)
			w.svc.Ask(t.Context(), -1, 42, "one")
			w.chat.failOn(fmt.Sprintf("tell %d", speaker), shequn.ErrUnreachable)
			if c.unreachable {
				w.chat.failOn(fmt.Sprintf("tell %d", admin), shequn.ErrUnreachable)
			}
			w.pass(t)
			if logged := strings.Contains(log.String(), "nobody told that the speaker cannot be reached"); logged != c.unreachable {
				t.Errorf("log %q, want the warning %v", log.String(), c.unreachable)
			}
		})
	}
}

// A question window lasts MinQA to MaxQA, both included.
func TestQuestionWindowBounds(t *testing.T) {
	for _, c := range []struct {
		d  time.Duration
		ok bool
	}{
		{sessions.MinQA - time.Second, false},
		{sessions.MinQA, true},
		{sessions.MaxQA, true},
		{sessions.MaxQA + time.Second, false},
	} {
		t.Run(c.d.String(), func(t *testing.T) {
			w := newWorld(t)
			x := w.schedule(t)
			if _, err := w.svc.Start(t.Context(), x.ID); err != nil {
				t.Fatal(err)
			}
			got, err := w.svc.OpenQA(t.Context(), x.ID, c.d)
			if c.ok && (err != nil || !got.QAUntil.Equal(w.now.Add(c.d))) || !c.ok && shequn.ErrorCode(err) != shequn.CodeInvalid {
				t.Errorf("OpenQA(%v) = until %v, %v; want ok %v", c.d, got.QAUntil, err, c.ok)
			}
		})
	}
}

// Recent lists the last broadcasts, newest first, with the number of
// members a DM broadcast is for (none for one to the groups only).
func TestRecentBroadcasts(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	for u := int64(10); u < 13; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	for _, dm := range []bool{true, false} {
		if _, err := w.svc.Announce(ctx, admin, "ppt", dm, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}}); err != nil {
			t.Fatal(err)
		}
	}
	bs, sizes, err := w.svc.Recent(ctx, 10)
	if err != nil || len(bs) != 2 || bs[0].DM || !bs[1].DM || len(sizes) != 2 || sizes[0] != 0 || sizes[1] != 3 {
		t.Errorf("recent %+v sizes %v, %v; want the groups-only one first, 0 and 3 members", bs, sizes, err)
	}
}

// Next is the live session, or else the next to start; an ended one
// waiting for its recap is not next; none is not found.
func TestNextSession(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.svc.Next(ctx); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("next of none: %v, want not found", err)
	}
	w.group(t, "ppt", -1)
	a := w.session(t, "a", t0.Add(time.Hour))
	b := w.session(t, "b", t0.Add(2*time.Hour))
	for _, c := range []struct {
		name string
		do   func()
		want int64
	}{
		{"both scheduled", func() {}, a.ID},
		{"the first live", func() { w.svc.Start(ctx, a.ID) }, a.ID},
		{"the first ended", func() { w.svc.End(ctx, a.ID) }, b.ID},
	} {
		c.do()
		if got, err := w.svc.Next(ctx); err != nil || got.ID != c.want {
			t.Errorf("%s: next %d %v, want %d", c.name, got.ID, err, c.want)
		}
	}
}

// Each new check-in is handed on once (to the core group's
// contribution); one that cannot be is logged and stays counted.
func TestCheckInHandedOn(t *testing.T) {
	for _, c := range []struct {
		name string
		fail error
	}{{"handed on", nil}, {"not handed on", errors.New("core group unavailable")}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			var got []int64
			w.svc.CheckedIn = func(_ context.Context, _ sessions.Session, ci sessions.CheckIn) error {
				got = append(got, ci.UserID)
				return c.fail
			}
			x := w.schedule(t)
			for _, u := range []int64{42, 42, 43} {
				if _, err := w.svc.CheckIn(t.Context(), x.ID, -1, u); err != nil {
					t.Fatal(err)
				}
			}
			if len(got) != 2 || got[0] != 42 || got[1] != 43 {
				t.Errorf("handed on %v, want 42 and 43 once", got)
			}
			if logged := strings.Contains(log.String(), "check-in not credited"); logged != (c.fail != nil) {
				t.Errorf("log %q, want the warning %v", log.String(), c.fail != nil)
			}
			if n, _ := w.svc.CheckInCount(t.Context(), x.ID); n != 2 {
				t.Errorf("%d check-ins, want 2", n)
			}
		})
	}
}
