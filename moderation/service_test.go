package moderation_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

func TestRankIn(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if err := w.svc.AppointMonitor(ctx, teacher, chat, alice, "班长"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AssignAssistant(ctx, owner, chat, bob); err != nil {
		t.Fatal(err)
	}
	g, _ := w.store.GroupByChat(ctx, chat)
	for _, c := range []struct {
		name string
		user int64
		want moderation.Rank
	}{
		{"owner", owner, moderation.Owner},
		{"teacher of the course", teacher, moderation.Teacher},
		{"teacher of another course", xlsTeach, moderation.Student},
		{"assistant of the course", assistant, moderation.Assistant},
		{"assistant of the group", bob, moderation.Assistant},
		{"monitor", alice, moderation.Monitor},
		{"student", carol, moderation.Student},
	} {
		if got, err := w.svc.RankIn(ctx, g, c.user); err != nil || got != c.want {
			t.Errorf("%s: rank %v %v, want %v", c.name, got, err, c.want)
		}
	}
}

func TestAppointMonitor(t *testing.T) {
	for _, c := range []struct {
		name     string
		by, user int64
		chat     int64
		want     error
	}{
		{"by a teacher", teacher, alice, chat, nil},
		{"by an owner", owner, alice, chat, nil},
		{"by an assistant", assistant, alice, chat, moderation.ErrRank},
		{"by a teacher of another course", xlsTeach, alice, chat, moderation.ErrRank},
		{"by a student", bob, alice, chat, moderation.ErrRank},
		{"of someone without a seat", teacher, stranger, chat, moderation.ErrNoSeat},
		{"of a teacher", owner, teacher, chat, moderation.ErrIsStaff},
		{"in the core group", owner, alice, coreChat, moderation.ErrNotStudentGroup},
		{"in an unknown chat", owner, alice, -5, moderation.ErrNotStudentGroup},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			err := w.svc.AppointMonitor(t.Context(), c.by, c.chat, c.user, "班长")
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			appts, _ := w.store.GroupStaff(t.Context(), c.chat)
			if c.want != nil {
				if len(appts) != 0 || len(w.plat.calls) != 0 || len(w.store.entries) != 0 {
					t.Errorf("a refusal changed something: %v %v %v", appts, w.plat.calls, w.store.entries)
				}
				return
			}
			if len(appts) != 1 || appts[0].Role != moderation.RoleMonitor || appts[0].By != c.by || !appts[0].At.Equal(t0) {
				t.Errorf("appointments %+v", appts)
			}
			if want := []string{"promote 班长 -100 10"}; !slices.Equal(w.plat.calls, want) {
				t.Errorf("calls %v, want %v", w.plat.calls, want)
			}
			if e := w.store.entries; len(e) != 1 || e[0].Action != moderation.ActAppoint || e[0].Actor != c.by || e[0].Target != alice {
				t.Errorf("audit %+v", e)
			}
		})
	}
}

// A promotion the platform refuses leaves no monitor behind.
func TestAppointMonitorRefusedByPlatform(t *testing.T) {
	w := newWorld(t)
	w.plat.fail = errors.New("not enough rights")
	if err := w.svc.AppointMonitor(t.Context(), teacher, chat, alice, "班长"); err == nil {
		t.Fatal("no error")
	}
	if appts, _ := w.store.Appointments(t.Context(), alice); len(appts) != 0 || len(w.store.entries) != 0 {
		t.Errorf("left %+v %+v", appts, w.store.entries)
	}
}

func TestDismissMonitor(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if err := w.svc.AppointMonitor(ctx, teacher, chat, alice, "班长"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DismissMonitor(ctx, assistant, chat, alice); !errors.Is(err, moderation.ErrRank) {
		t.Errorf("an assistant dismissed: %v", err)
	}
	if had, err := w.svc.DismissMonitor(ctx, owner, chat, alice); !had || err != nil {
		t.Fatalf("dismiss: %v %v", had, err)
	}
	if had, err := w.svc.DismissMonitor(ctx, owner, chat, alice); had || err != nil {
		t.Errorf("dismiss again: %v %v", had, err)
	}
	if want := []string{"promote 班长 -100 10", "demote -100 10"}; !slices.Equal(w.plat.calls, want) {
		t.Errorf("calls %v, want %v", w.plat.calls, want)
	}
	if e := w.store.entries; len(e) != 2 || e[1].Action != moderation.ActDismiss || e[1].Actor != owner {
		t.Errorf("audit %+v", e)
	}
}

// Nobody acts on someone at or above them; students act on nobody.
func TestModerateWhoOnWhom(t *testing.T) {
	for _, c := range []struct {
		name       string
		by, target int64
		want       error
	}{
		{"monitor on a student", alice, carol, nil},
		{"assistant on the monitor", assistant, alice, nil},
		{"teacher on an assistant", teacher, assistant, nil},
		{"owner on a teacher", owner, teacher, nil},
		{"monitor on a monitor", alice, alice, moderation.ErrAbove},
		{"monitor on an assistant", alice, assistant, moderation.ErrAbove},
		{"assistant on a teacher", assistant, teacher, moderation.ErrAbove},
		{"teacher on an owner", teacher, owner, moderation.ErrAbove},
		{"student on a student", bob, carol, moderation.ErrRank},
		{"teacher of another course", xlsTeach, carol, moderation.ErrRank},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			if err := w.svc.AppointMonitor(t.Context(), owner, chat, alice, "班长"); err != nil {
				t.Fatal(err)
			}
			w.plat.calls = nil
			_, err := w.svc.Moderate(t.Context(), moderation.Act{By: c.by, ChatID: chat, Target: c.target, Action: moderation.ActKick, Reason: "spam"})
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if c.want != nil && len(w.plat.calls) != 0 {
				t.Errorf("a refused act reached the platform: %v", w.plat.calls)
			}
			if c.want == nil && len(w.plat.calls) != 1 {
				t.Errorf("calls %v", w.plat.calls)
			}
		})
	}
}

// Three warnings within the expiry mute for the policy's time; a warning
// past the expiry, or before a mute the warnings caused, no longer counts.
func TestWarningsMute(t *testing.T) {
	w := newWorld(t)
	w.svc.Policy = moderation.Policy{WarningsToMute: 3, MuteFor: 24 * time.Hour, WarningsExpire: 72 * time.Hour}
	ctx := t.Context()
	warn := func(after time.Duration) moderation.Outcome {
		t.Helper()
		w.now = w.now.Add(after)
		out, err := w.svc.Moderate(ctx, moderation.Act{By: teacher, ChatID: chat, Target: carol, Action: moderation.ActWarn, Reason: "ads"})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	steps := []struct {
		after     time.Duration
		warnings  int
		mutedFrom bool
	}{
		{0, 1, false},
		{24 * time.Hour, 2, false},
		{49 * time.Hour, 2, false}, // the first expired (73 h old)
		{time.Hour, 3, true},       // 3 in force: muted
		{time.Hour, 1, false},      // counting starts again after the mute
	}
	for i, s := range steps {
		out := warn(s.after)
		if out.Warnings != s.warnings || out.MutedUntil.IsZero() == s.mutedFrom {
			t.Errorf("warning %d: %+v, want %d warnings, muted %v", i+1, out, s.warnings, s.mutedFrom)
		}
		if s.mutedFrom && !out.MutedUntil.Equal(w.now.Add(24*time.Hour)) {
			t.Errorf("muted until %v, want %v", out.MutedUntil, w.now.Add(24*time.Hour))
		}
	}
	if n := len(w.plat.calls); n != 1 {
		t.Errorf("platform calls %v, want one restrict", w.plat.calls)
	}
}

// Warnings count per group: one in another group does not add up.
func TestWarningsPerGroup(t *testing.T) {
	w := newWorld(t)
	w.store.Record(t.Context(), moderation.Entry{At: t0, Actor: teacher, Target: carol, Action: moderation.ActWarn, ChatID: -300})
	w.store.Record(t.Context(), moderation.Entry{At: t0, Actor: teacher, Target: carol, Action: moderation.ActWarn, ChatID: -300})
	out, err := w.svc.Moderate(t.Context(), moderation.Act{By: teacher, ChatID: chat, Target: carol, Action: moderation.ActWarn})
	if err != nil || out.Warnings != 1 || !out.MutedUntil.IsZero() {
		t.Errorf("%+v %v", out, err)
	}
}

func TestMuteDurations(t *testing.T) {
	for _, c := range []struct {
		name string
		d    time.Duration
		want time.Duration
		err  error
	}{
		{"the policy's by default", 0, 24 * time.Hour, nil},
		{"given", 2 * time.Hour, 2 * time.Hour, nil},
		{"too short", 10 * time.Second, 0, moderation.ErrDuration},
		{"too long", 400 * 24 * time.Hour, 0, moderation.ErrDuration},
		{"the longest", moderation.MaxMute, moderation.MaxMute, nil},
		{"the shortest", moderation.MinMute, moderation.MinMute, nil},
		{"a second short of the shortest", moderation.MinMute - time.Second, 0, moderation.ErrDuration},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			out, err := w.svc.Moderate(t.Context(), moderation.Act{By: alice + 1000, ChatID: chat, Target: carol, Action: moderation.ActMute, For: c.d})
			if errors.Is(err, moderation.ErrRank) { // the actor: an assistant of the group
				w.svc.AssignAssistant(t.Context(), owner, chat, alice+1000)
				out, err = w.svc.Moderate(t.Context(), moderation.Act{By: alice + 1000, ChatID: chat, Target: carol, Action: moderation.ActMute, For: c.d})
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if c.err == nil && !out.MutedUntil.Equal(t0.Add(c.want)) {
				t.Errorf("until %v, want %v", out.MutedUntil, t0.Add(c.want))
			}
		})
	}
}

func TestKickAndUnmute(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	for _, a := range []moderation.Act{
		{By: teacher, ChatID: chat, Target: carol, Action: moderation.ActUnmute},
		{By: teacher, ChatID: chat, Target: carol, Action: moderation.ActKick, Reason: "spam"},
		{By: teacher, ChatID: chat, Target: bob, Action: moderation.ActKick, Block: true},
	} {
		if _, err := w.svc.Moderate(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"unrestrict -100 12", "remove -100 12", "block -100 11"}; !slices.Equal(w.plat.calls, want) {
		t.Errorf("calls %v, want %v", w.plat.calls, want)
	}
	audit, _ := w.svc.Audit(ctx, carol, 10)
	if len(audit) != 2 || audit[0].Action != moderation.ActKick || audit[0].Reason != "spam" || audit[1].Action != moderation.ActUnmute {
		t.Errorf("audit of carol %+v", audit)
	}
}

// Someone in a student group without a seat there is removed, and
// reported once; staff, seated students and other chats are left alone.
func TestIntruder(t *testing.T) {
	w := newWorld(t)
	w.plat.admins[77] = true
	ctx := t.Context()
	for _, c := range []struct {
		name     string
		chat     int64
		user     int64
		reported bool
		call     string
	}{
		{"a seated student", chat, carol, false, ""},
		{"a teacher", chat, teacher, false, ""},
		{"an owner", chat, owner, false, ""},
		{"someone in the core group", coreChat, stranger, false, ""},
		{"an administrator added by hand", chat, 77, false, ""},
		{"a stranger", chat, stranger, true, "remove -100 99"},
		{"the stranger again", chat, stranger, false, "remove -100 99"},
	} {
		w.plat.calls = nil
		got, err := w.svc.Intruder(ctx, c.chat, c.user)
		if err != nil || got != c.reported {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.reported)
		}
		if c.call == "" && len(w.plat.calls) != 0 || c.call != "" && !slices.Equal(w.plat.calls, []string{c.call}) {
			t.Errorf("%s: calls %v", c.name, w.plat.calls)
		}
	}
}

func TestStaffOf(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.store.grants = append(w.store.grants, membership.Grant{UserID: 5, Role: membership.RoleTeacher}) // every course
	if err := w.svc.AppointMonitor(ctx, teacher, chat, alice, "班长"); err != nil {
		t.Fatal(err)
	}
	w.svc.AssignAssistant(ctx, owner, chat, bob)
	w.svc.AssignAssistant(ctx, owner, chat, assistant) // an assistant of the course too: listed once
	st, err := w.svc.StaffOf(ctx, chat)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Owners, []int64{owner}) || !slices.Equal(st.Teachers, []int64{teacher, 5}) ||
		!slices.Equal(st.Assistants, []int64{assistant, bob}) || !slices.Equal(st.Monitors, []int64{alice}) {
		t.Errorf("staff %+v", st)
	}
	if _, err := w.svc.StaffOf(ctx, coreChat); !errors.Is(err, moderation.ErrNotStudentGroup) {
		t.Errorf("core group: %v", err)
	}
}

func TestSeatGroup(t *testing.T) {
	w := newWorld(t)
	if got, err := w.svc.SeatGroup(t.Context(), "ppt", alice); err != nil || got != chat {
		t.Errorf("seat group of alice: %d %v", got, err)
	}
	if _, err := w.svc.SeatGroup(t.Context(), "ppt", stranger); err == nil {
		t.Error("a seat group for someone without a seat")
	}
	w.store.released = map[int64]bool{bob: true} // refunded: the seat is free again
	if got, err := w.svc.SeatGroup(t.Context(), "ppt", bob); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("seat group of a released seat: %d %v, want not found", got, err)
	}
}

// A monitor who leaves the group is one no more; others who leave change
// nothing.
func TestMemberLeft(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if err := w.svc.AppointMonitor(ctx, teacher, chat, alice, "班长"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{carol, alice, alice} {
		if err := w.svc.MemberLeft(ctx, chat, u); err != nil {
			t.Fatal(err)
		}
	}
	if as, _ := w.store.Appointments(ctx, alice); len(as) != 0 {
		t.Errorf("appointments %+v", as)
	}
	if e := w.store.entries; len(e) != 2 || e[1].Action != moderation.ActDismiss || e[1].Actor != 0 {
		t.Errorf("audit %+v", e)
	}
}
