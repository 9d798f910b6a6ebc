package groups_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// wordedPlatform is a chat platform that tells refused requesters why, as
// QQ does.
type wordedPlatform struct {
	*chatPlatform
	reasons map[int64]groups.DeclineReason
}

func (p *wordedPlatform) DeclineJoinWith(ctx context.Context, chatID, userID int64, reason groups.DeclineReason) error {
	if err := p.DeclineJoin(ctx, chatID, userID); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reasons[userID] = reason
	return nil
}

func TestWordedJoinRequestsNeedTheCodeOrNumber(t *testing.T) {
	e := newEnv(t)
	wp := &wordedPlatform{chatPlatform: e.chat, reasons: map[int64]groups.DeclineReason{}}
	e.svc.Platform = wp
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 100)
	e.seat(t, "ppt", 10, 42)
	e.seat(t, "ppt", 11, 7)
	e.seat(t, "ppt", 12, 8)
	e.seat(t, "ppt", 13, 9)
	e.seat(t, "ppt", 14, 10)
	cases := []struct {
		user     int64
		words    string
		approved bool
		reason   groups.DeclineReason
	}{
		{10, "我的编号 PPT-00042", true, ""},
		{11, "  " + groups.JoinCode("ppt", 11) + " ", true, ""},
		{12, "ppt-8", true, ""},
		{13, "编号：9", true, ""},
		{14, "let me in", false, groups.ReasonNoCode},
		{14, "PPT-00042", false, groups.ReasonNoCode},                                  // another member's number
		{14, groups.JoinCode("ppt", 10), false, groups.ReasonNoCode},                   // another member's code
		{99, "PPT-00042 " + groups.JoinCode("ppt", 10), false, groups.ReasonNotMember}, // a stranger who copied both
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d %s", c.user, c.words), func(t *testing.T) {
			delete(wp.reasons, c.user)
			e.chat.ask(g.ChatID, c.user)
			approved, handled, err := e.svc.JoinRequestSaying(ctx, g.ChatID, c.user, c.words)
			if err != nil || !handled || approved != c.approved {
				t.Fatalf("JoinRequestSaying = %v, %v, %v; want approved %v", approved, handled, err, c.approved)
			}
			if wp.reasons[c.user] != c.reason {
				t.Errorf("reason %q, want %q", wp.reasons[c.user], c.reason)
			}
		})
	}
	if _, handled, _ := e.svc.JoinRequestSaying(ctx, -9, 10, "PPT-00042"); handled {
		t.Error("a chat the community does not run was answered")
	}
	if n, ok, err := e.svc.MemberNumber(ctx, g.ChatID, 10); err != nil || !ok || n != "PPT-00042" {
		t.Errorf("MemberNumber = %q, %v, %v", n, ok, err)
	}
	if _, ok, err := e.svc.MemberNumber(ctx, g.ChatID, 99); err != nil || ok {
		t.Errorf("a stranger has a number: %v, %v", ok, err)
	}
}

func TestJoinCodesArePersonal(t *testing.T) {
	seen := map[string]int64{}
	for u := int64(1); u <= 2000; u++ {
		c := groups.JoinCode("ppt", u)
		if len(c) != 6 || c != groups.JoinCode("ppt", u) {
			t.Fatalf("code %q of %d", c, u)
		}
		if other, dup := seen[c]; dup {
			t.Logf("users %d and %d share %s (six digits: rare, and the seat still decides)", other, u, c)
		}
		seen[c] = u
	}
	if groups.JoinCode("ppt", 1) == groups.JoinCode("xls", 1) {
		t.Error("a code is the same in every course")
	}
}

func TestACoursesGroupsLiveOnOnePlatform(t *testing.T) {
	e := newEnv(t)
	e.group(t, "ppt", -1, 10)
	qqChat := shequn.QQGroup(700100200)
	e.chat.admin(qqChat, groups.RequiredRights(groups.KindStudent)...)
	_, err := e.svc.Register(t.Context(), groups.RegisterRequest{ChatID: qqChat, Kind: groups.KindStudent, Course: "ppt", Capacity: 10, By: owner})
	if !errors.Is(err, groups.ErrOtherPlatform) || shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Fatalf("a QQ group beside a Telegram one: %v", err)
	}
	if _, err := e.svc.Register(t.Context(), groups.RegisterRequest{ChatID: qqChat, Kind: groups.KindStudent, Course: "xls", Capacity: 10, By: owner}); err != nil {
		t.Fatalf("a QQ group for a course of its own: %v", err)
	}
	e.group(t, "ppt", -2, 10) // more Telegram groups for the Telegram course
}
