package demo

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// A broadcast to the QQ course: the admin's message goes into the QQ
// group and to each QQ member by private message through the QQ sender;
// a member who deleted the account is marked like a blocked Telegram
// member and skipped. A QQ admin's own message (a picture with words) is
// sent again from what QQ gave: the picture by its reference.
func TestQQBroadcastToGroupsAndMembers(t *testing.T) {
	h, qq, _ := qqFridayRoom(t)
	ctx := t.Context()
	qq.Unfriend(qqFriend)

	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce xl dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "今晚 8 点分享会，别错过"))
	must(t, qq.Step(ctx))
	for _, to := range [][2]int64{{0, qqGroupNo}, {qqBuyer, 0}} {
		if got := qq.LastTo(to[0], to[1]); got != "今晚 8 点分享会，别错过" {
			t.Errorf("QQ %v got %q", to, got)
		}
	}
	if n := count(qq.SentTo(qqFriend, 0), "今晚"); n != 0 {
		t.Errorf("the member who deleted the account got it %d times", n)
	}
	if n := count(botTexts(h, h.Owner), "群发 #1 已完成：私信送达 1 人，1 人拉黑了机器人"); n != 1 {
		t.Errorf("the owner was told %d times that #1 is done: %q", n, botTexts(h, h.Owner))
	}

	// 小明 adds the account again: the next broadcast reaches him.
	must(t, qq.AddFriend(ctx, qqFriend, "我回来了"))
	must(t, qq.Step(ctx))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce xl dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "分享会改到 9 点"))
	must(t, qq.Step(ctx))
	if got := qq.LastTo(qqFriend, 0); got != "分享会改到 9 点" {
		t.Errorf("小明, friends again, got %q last", got)
	}

	// The QQ owner broadcasts a picture with words from QQ.
	must(t, qq.Say(ctx, qqOwner, "群主", 0, "/announce xl"))
	url := "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=cover"
	must(t, qq.PrivateMessage(ctx, qqOwner, "群主", onebot.Segment{Type: "image", Data: map[string]any{"file": "cover.jpg", "url": url}}, onebot.Text("新封面")))
	must(t, qq.Step(ctx))
	last := qq.Sent()[len(qq.Sent())-1]
	for _, m := range qq.Sent() {
		if m.GroupID == qqGroupNo {
			last = m
		}
	}
	if len(last.Message) != 2 || last.Message[0].Type != "image" || last.Message[0].Str("file") != url || last.Text != "新封面" {
		t.Errorf("the QQ group got %+v", last.Message)
	}
}

// A broadcast to a QQ course with QQ's default limits on, on both sides
// (scaled 10×, so that the pass stays within its lease on the injected
// clock): the group and every member get it through the QQ sender, the
// private messages spaced at the global rate, and nothing QQ's risk
// control would punish.
func TestQQBroadcastKeepsQQLimits(t *testing.T) {
	var clock atomic.Pointer[Clock]
	const scale = 10
	limits := onebot.Limits{Group: onebot.Rate{Count: 1, Per: time.Second / scale}, Private: onebot.Rate{Count: 1, Per: time.Second / scale},
		Global: onebot.Rate{Count: 20, Per: time.Minute / scale}}
	step := limits.Global.Per / time.Duration(limits.Global.Count) // 300 ms, 3 s unscaled
	h := mustStart(t, WithQQCourse, func(_ *config.Config, o *app.Options) {
		o.QQLimits = &limits
		o.QQSleep = func(ctx context.Context, d time.Duration) error {
			clock.Load().Advance(d)
			return ctx.Err()
		}
	})
	clock.Store(h.Clock)
	ctx := t.Context()
	qq, err := h.ConnectQQ(ctx, qqSelf)
	must(t, err)
	t.Cleanup(qq.Close)
	qq.SetLimits(onebottest.Limits{Group: onebottest.Rate(limits.Group), Private: onebottest.Rate(limits.Private), Global: onebottest.Rate(limits.Global)})
	qq.AddGroup(qqGroupNo, "Excel QQ", "admin")
	qq.AddMember(qqGroupNo, qqOwner, "群主", "owner")
	must(t, qq.Say(ctx, qqOwner, "群主", qqGroupNo, "/register student xl 2000"))
	const members = 6
	for i := range members {
		e := membership.Enrollment{Course: "xl", UserID: shequn.QQUser(int64(600_000 + i)), Number: i + 1, Status: membership.EnrollmentActive}
		must(t, h.App.Groups.Seat(ctx, e))
	}

	must(t, h.Say(ctx, h.Owner, h.Owner, "/start"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce xl dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "周五晚 8 点分享会"))
	must(t, qq.Step(ctx))
	if got := qq.LastTo(0, qqGroupNo); got != "周五晚 8 点分享会" {
		t.Errorf("the QQ group got %q", got)
	}
	var dms []onebottest.Sent
	for _, m := range qq.Sent() {
		if m.GroupID == 0 && m.Text == "周五晚 8 点分享会" {
			dms = append(dms, m)
		}
	}
	if len(dms) != members {
		t.Fatalf("%d members got it by private message, want %d", len(dms), members)
	}
	// The sender spaces the messages at the global rate (one a step): the
	// last private message cannot go before six steps after the group's,
	// on the injected clock.
	group := qq.Sent()[slices.IndexFunc(qq.Sent(), func(m onebottest.Sent) bool { return m.GroupID == qqGroupNo && m.Text == "周五晚 8 点分享会" })]
	if span := dms[len(dms)-1].At.Sub(group.At); span < members*step {
		t.Errorf("the private messages went out %v after the group's, want at least %v", span, members*step)
	}
	if n := len(qq.Bursts()); n != 0 {
		t.Errorf("%d messages broke QQ's limits", n)
	}
	if n := count(botTexts(h, h.Owner), fmt.Sprintf("私信送达 %d 人", members)); n != 1 {
		t.Errorf("the owner was told %d times that it is done: %q", n, botTexts(h, h.Owner))
	}
}
