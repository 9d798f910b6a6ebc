package storetest

import (
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/moderation"
)

// Group roles: once per chat, user and role; listed per chat and per user.
func testGroupRoles(t *testing.T, s Stores) {
	ctx := t.Context()
	monitor := moderation.Appointment{ChatID: -100, UserID: 1, Role: moderation.RoleMonitor, By: 9, At: at(1)}
	helper := moderation.Appointment{ChatID: -100, UserID: 2, Role: moderation.RoleAssistant, By: 9, At: at(2)}
	elsewhere := moderation.Appointment{ChatID: -200, UserID: 1, Role: moderation.RoleAssistant, By: 8, At: at(3)}
	for _, a := range []moderation.Appointment{monitor, helper, elsewhere} {
		if !must(s.Appoint(ctx, a))(t) {
			t.Fatalf("appoint %+v: not added", a)
		}
	}
	again := monitor
	again.By, again.At = 7, at(5)
	if must(s.Appoint(ctx, again))(t) {
		t.Error("appointed twice")
	}
	sameAppts(t, "staff of -100", must(s.GroupStaff(ctx, -100))(t), []moderation.Appointment{helper, monitor})
	sameAppts(t, "appointments of 1", must(s.Appointments(ctx, 1))(t), []moderation.Appointment{elsewhere, monitor}) // by chat id
	sameAppts(t, "staff of an unknown chat", must(s.GroupStaff(ctx, -300))(t), nil)

	if !must(s.Dismiss(ctx, -100, 1, moderation.RoleMonitor))(t) {
		t.Error("dismiss: not held")
	}
	if must(s.Dismiss(ctx, -100, 1, moderation.RoleMonitor))(t) {
		t.Error("dismissed twice")
	}
	if must(s.Dismiss(ctx, -200, 1, moderation.RoleMonitor))(t) {
		t.Error("dismissed a role not held in the chat")
	}
	sameAppts(t, "appointments of 1 after", must(s.Appointments(ctx, 1))(t), []moderation.Appointment{elsewhere})
}

func sameAppts(t *testing.T, what string, got, want []moderation.Appointment) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ChatID != w.ChatID || g.UserID != w.UserID || g.Role != w.Role || g.By != w.By {
			t.Errorf("%s #%d = %+v, want %+v", what, i, g, w)
		}
		sameTime(t, what+" at", g.At, w.At)
	}
}

// The audit log: entries on a user since a time, oldest first; what a
// user did or underwent, newest first and bounded; keyed entries once.
func testAuditLog(t *testing.T, s Stores) {
	ctx := t.Context()
	es := []moderation.Entry{
		{At: at(1), Actor: 9, Target: 1, Action: moderation.ActGrant, Detail: "teacher ppt"},
		{At: at(2), Actor: 1, Target: 2, Action: moderation.ActWarn, ChatID: -100, Reason: "广告 ads"},
		{At: at(3), Actor: 1, Target: 2, Action: moderation.ActMute, ChatID: -100, Detail: moderation.DetailWarnings},
		{At: at(4), Actor: 3, Target: 1, Action: moderation.ActKick, ChatID: -100},
		{Key: "intruder/5", At: at(5), Target: 5, Action: moderation.ActIntruder, ChatID: -100},
	}
	for _, e := range es {
		if !must(s.Record(ctx, e))(t) {
			t.Fatalf("record %+v: not added", e)
		}
	}
	if must(s.Record(ctx, moderation.Entry{Key: "intruder/5", At: at(6), Target: 5, Action: moderation.ActIntruder, ChatID: -200}))(t) {
		t.Error("a keyed entry recorded twice")
	}
	sameEntries(t, "entries on 2", must(s.EntriesOn(ctx, 2, at(2)))(t), es[1:3])
	sameEntries(t, "entries on 2 since minute 3", must(s.EntriesOn(ctx, 2, at(3)))(t), es[2:3])
	sameEntries(t, "entries on 5", must(s.EntriesOn(ctx, 5, at(0)))(t), es[4:5])
	sameEntries(t, "audit of 1", must(s.Audit(ctx, 1, 10))(t), []moderation.Entry{es[3], es[2], es[1], es[0]})
	sameEntries(t, "audit of 1, two", must(s.Audit(ctx, 1, 2))(t), []moderation.Entry{es[3], es[2]})
	sameEntries(t, "audit of nobody", must(s.Audit(ctx, 42, 10))(t), nil)
}

func sameEntries(t *testing.T, what string, got, want []moderation.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		sameTime(t, what+" at", g.At, w.At)
		g.At = w.At
		if g != w {
			t.Errorf("%s #%d = %+v, want %+v", what, i, g, w)
		}
	}
}

// A member number names its holder.
func testUserByNumber(t *testing.T, s Stores) {
	ctx := t.Context()
	en := must(s.RecordPayment(ctx, paid("o1", "ppt", 7, 1)))(t)
	if got := must(s.UserByNumber(ctx, "ppt", en.Number))(t); got != 7 {
		t.Errorf("holder of ppt %d = %d, want 7", en.Number, got)
	}
	if _, err := s.UserByNumber(ctx, "xls", en.Number); err == nil {
		t.Error("a number of another course found")
	} else {
		isErr(t, "unknown number", err, shequn.ErrNotFound)
	}
}
