package onebot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/moderation"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// qqModeration is the QQ moderation platform on a fake group 777 where
// the account has the role, with a member 42, an administrator 43 and
// the owner 44 (unless the account owns it).
func qqModeration(t *testing.T, role string, now time.Time) (onebot.ModerationPlatform, *onebottest.Server) {
	t.Helper()
	fake := onebottest.New(10001)
	fake.Now = func() time.Time { return now }
	fake.AddGroup(777, "g", role)
	fake.AddMember(777, 42, "小明", "member")
	fake.AddMember(777, 43, "管理", "admin")
	if role != "owner" {
		fake.AddMember(777, 44, "群主", "owner")
	}
	tr, stop := connect(t, fake)
	t.Cleanup(stop)
	q := newQQ(tr, nil)
	q.Now = func() time.Time { return now }
	return onebot.ModerationPlatform{QQ: q}, fake
}

func TestQQModerationMutesUnmutesAndKicks(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p, fake := qqModeration(t, "admin", now)
	ctx, g, m := t.Context(), shequn.QQGroup(777), shequn.QQUser(42)
	if err := p.Restrict(ctx, g, m, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Member(777, 42); !got.BannedUntil.Equal(now.Add(2 * time.Hour)) {
		t.Fatalf("banned until %v, want two hours from the clock", got.BannedUntil)
	}
	if _, err := fake.Speak(ctx, 777, 42, onebot.Text("hi")); !errors.Is(err, onebottest.ErrBanned) {
		t.Errorf("a banned member spoke: %v", err)
	}
	if err := p.Restrict(ctx, g, m, now.Add(31*24*time.Hour)); !errors.Is(err, moderation.ErrDuration) {
		t.Errorf("a ban beyond QQ's 30 days: %v", err)
	}
	if err := p.Unrestrict(ctx, g, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Member(777, 42); !got.BannedUntil.IsZero() {
		t.Errorf("still banned until %v", got.BannedUntil)
	}
	if err := p.Remove(ctx, g, m, true); err != nil {
		t.Fatal(err)
	}
	if gr, _ := fake.Group(777); gr.Members[42] != nil || !gr.Blocked[42] {
		t.Errorf("kicked with block: in %v, blocked %v", gr.Members[42] != nil, gr.Blocked[42])
	}
	if err := p.Remove(ctx, g, m, false); err != nil {
		t.Errorf("removing someone gone: %v", err)
	}
}

// The account never acts on the owner, nor as an administrator on
// another; QQ's role says so, whatever the refusal's words.
func TestQQModerationRefusesAdministrators(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p, fake := qqModeration(t, "admin", now)
	fake.Opaque = true
	ctx, g := t.Context(), shequn.QQGroup(777)
	for _, who := range []int64{43, 44} {
		u := shequn.QQUser(who)
		for name, err := range map[string]error{
			"restrict": p.Restrict(ctx, g, u, now.Add(time.Hour)),
			"remove":   p.Remove(ctx, g, u, false),
			"unmute":   p.Unrestrict(ctx, g, u),
		} {
			if !errors.Is(err, moderation.ErrAdmin) {
				t.Errorf("%s of %d: %v, want ErrAdmin", name, who, err)
			}
		}
	}
	if gr, _ := fake.Group(777); gr.Members[43] == nil || gr.Members[44] == nil {
		t.Error("an administrator was removed")
	}
}

// Only a group's owner makes administrators on QQ: the account that is
// only an administrator refuses at once; the owner's account promotes
// with the title and demotes.
func TestQQMonitorsNeedTheOwner(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p, fake := qqModeration(t, "admin", now)
	ctx, g, m := t.Context(), shequn.QQGroup(777), shequn.QQUser(42)
	if err := p.Promote(ctx, g, m, "班长"); !errors.Is(err, moderation.ErrOwnerOnly) {
		t.Fatalf("promoted by an administrator: %v", err)
	}
	if got, _ := fake.Member(777, 42); got.Role != "member" {
		t.Fatalf("role %q", got.Role)
	}

	p, fake = qqModeration(t, "owner", now)
	if err := p.Promote(ctx, g, m, "班长"); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Member(777, 42); got.Role != "admin" || got.Title != "班长" {
		t.Fatalf("after promote: %+v", got)
	}
	if err := p.Restrict(ctx, g, shequn.QQUser(43), now.Add(time.Hour)); err != nil {
		t.Errorf("the owner's account may ban an administrator: %v", err)
	}
	if err := p.Demote(ctx, g, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Member(777, 42); got.Role != "member" {
		t.Errorf("after demote: %+v", got)
	}

	// An administrator the owner made by hand stays one when the account
	// is only an administrator itself.
	p, _ = qqModeration(t, "admin", now)
	if err := p.Demote(ctx, g, shequn.QQUser(43)); !errors.Is(err, moderation.ErrOwnerOnly) {
		t.Errorf("demoted by an administrator: %v", err)
	}
}

// Moderation goes to the platform of the chat's id range.
func TestModerationPlatformsRouteByID(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p, fake := qqModeration(t, "admin", now)
	tg := &recordingPlatform{}
	both := onebot.ModerationPlatforms{Telegram: tg, QQ: p}
	if err := both.Restrict(t.Context(), shequn.QQGroup(777), shequn.QQUser(42), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Member(777, 42); got.BannedUntil.IsZero() || tg.calls != 0 {
		t.Errorf("a QQ mute: banned until %v, Telegram calls %d", got.BannedUntil, tg.calls)
	}
	if err := both.Restrict(t.Context(), -100123, 5, now.Add(time.Hour)); err != nil || tg.calls != 1 {
		t.Errorf("a Telegram mute: %v, Telegram calls %d", err, tg.calls)
	}
}

// recordingPlatform stands for Telegram here: it counts the calls that
// reach it.
type recordingPlatform struct{ calls int }

func (r *recordingPlatform) Promote(context.Context, int64, int64, string) error {
	r.calls++
	return nil
}
func (r *recordingPlatform) Demote(context.Context, int64, int64) error { r.calls++; return nil }
func (r *recordingPlatform) Restrict(context.Context, int64, int64, time.Time) error {
	r.calls++
	return nil
}
func (r *recordingPlatform) Unrestrict(context.Context, int64, int64) error   { r.calls++; return nil }
func (r *recordingPlatform) Remove(context.Context, int64, int64, bool) error { r.calls++; return nil }
