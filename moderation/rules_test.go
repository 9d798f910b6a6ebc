package moderation_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// A policy of zero warnings to mute turns the automatic mute off: the
// warnings are counted and recorded, and nobody is muted.
func TestWarningsNeverMuteWhenOff(t *testing.T) {
	w := newWorld(t)
	w.svc.Policy = moderation.Policy{WarningsToMute: 0, MuteFor: 24 * time.Hour, WarningsExpire: 72 * time.Hour}
	for i := range 4 {
		w.now = w.now.Add(time.Minute)
		out, err := w.svc.Moderate(t.Context(), moderation.Act{By: teacher, ChatID: chat, Target: carol, Action: moderation.ActWarn})
		if err != nil || out.Warnings != i+1 || !out.MutedUntil.IsZero() {
			t.Errorf("warning %d: %+v %v, want %d warnings and no mute", i+1, out, err, i+1)
		}
	}
	if len(w.plat.calls) != 0 {
		t.Errorf("platform calls %v, want none", w.plat.calls)
	}
}

// A promotion the platform refuses takes the appointment back; only when
// that fails too is an error logged, for a person to clean up.
func TestRefusedPromotionLogsOnlyALeftoverMonitor(t *testing.T) {
	for _, c := range []struct {
		name       string
		dismissErr error
		logged     bool
	}{
		{"taken back", nil, false},
		{"not taken back", errors.New("disk full"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelError}))
			w.plat.fail = errors.New("not enough rights")
			w.store.dismissErr = c.dismissErr
			if err := w.svc.AppointMonitor(t.Context(), teacher, chat, alice, "班长"); !errors.Is(err, w.plat.fail) {
				t.Fatalf("err %v, want the platform's", err)
			}
			if got := strings.Contains(log.String(), "monitor not promoted and not dismissed"); got != c.logged {
				t.Errorf("logged %v, want %v: %q", got, c.logged, log.String())
			}
		})
	}
}

// A group's assistant is assigned and unassigned once each, and each
// change is in the audit log once.
func TestAssignAndUnassignAssistant(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	steps := []struct {
		name    string
		do      func() (bool, error)
		changed bool
		entries int
	}{
		{"assign", func() (bool, error) { return w.svc.AssignAssistant(ctx, owner, chat, bob) }, true, 1},
		{"assign again", func() (bool, error) { return w.svc.AssignAssistant(ctx, owner, chat, bob) }, false, 1},
		{"unassign", func() (bool, error) { return w.svc.UnassignAssistant(ctx, owner, chat, bob) }, true, 2},
		{"unassign again", func() (bool, error) { return w.svc.UnassignAssistant(ctx, owner, chat, bob) }, false, 2},
	}
	for _, st := range steps {
		changed, err := st.do()
		if err != nil || changed != st.changed || len(w.store.entries) != st.entries {
			t.Fatalf("%s: %v %v, %d entries; want %v, %d entries", st.name, changed, err, len(w.store.entries), st.changed, st.entries)
		}
	}
	e := w.store.entries
	if e[0].Action != moderation.ActAppoint || e[1].Action != moderation.ActDismiss ||
		e[0].Detail != string(moderation.RoleAssistant) || e[1].Detail != string(moderation.RoleAssistant) || e[0].Target != bob {
		t.Errorf("audit %+v", e)
	}
	if want := []string{"demote -100 11"}; !slices.Equal(w.plat.calls, want) {
		t.Errorf("calls %v, want %v", w.plat.calls, want)
	}
	if _, err := w.svc.AssignAssistant(ctx, owner, coreChat, bob); !errors.Is(err, moderation.ErrNotStudentGroup) {
		t.Errorf("assistant of the core group: %v", err)
	}
}

// A course role's grant or revoke is audited with the role and its
// course; a role for every course names no course.
func TestNoteGrant(t *testing.T) {
	for _, c := range []struct {
		name   string
		action moderation.Action
		grant  membership.Grant
		detail string
	}{
		{"of a course", moderation.ActGrant, membership.Grant{UserID: bob, Role: membership.RoleTeacher, Course: "ppt"}, "teacher ppt"},
		{"of every course", moderation.ActRevoke, membership.Grant{UserID: bob, Role: membership.RoleAssistant}, "assistant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			if err := w.svc.Note(t.Context(), c.action, owner, c.grant); err != nil {
				t.Fatal(err)
			}
			want := moderation.Entry{At: t0, Actor: owner, Target: bob, Action: c.action, Detail: c.detail}
			if e := w.store.entries; len(e) != 1 || e[0] != want {
				t.Errorf("audit %+v, want %+v", e, want)
			}
		})
	}
}
