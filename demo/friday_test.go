package demo

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

const (
	fridayScale   = 100 // Telegram's limits ×100 on both sides: a run takes no time
	fridaySpeaker = 700
)

// startLimited starts a community whose fake Telegram enforces Telegram's
// limits (scaled) and whose sender keeps the same.
func startLimited(t *testing.T) *Harness {
	t.Helper()
	h, err := StartWith(t.Context(), []telegramtest.Option{telegramtest.WithRateLimitsScaled(fridayScale)}, func(_ *config.Config, o *app.Options) {
		l := bot.TelegramLimits.Scaled(fridayScale)
		o.Limits = &l
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return h
}

// fridayRoom registers three student groups of one seat each, seats one
// student in each (41, 42, 43, numbers 1 to 3) and lets the speaker open
// a private chat with the bot.
func fridayRoom(t *testing.T, h *Harness) []int64 {
	t.Helper()
	ctx := t.Context()
	must(t, h.Say(ctx, h.Owner, h.Owner, "/start"))
	var gs []int64
	for i := range 3 {
		g := h.Group(fmt.Sprintf("学员%d群", i+1), telegramtest.FullAdminRights())
		must(t, h.Say(ctx, h.Owner, g, "/register student ppt 1"))
		gs = append(gs, g)
	}
	for _, id := range []int64{41, 42, 43} {
		buyer(t, h, id, "en")
		_, err := h.Paid(ctx, id, 1)
		must(t, err)
		must(t, h.Join(ctx, id))
	}
	h.TG.AddUser(telegramtest.User{ID: fridaySpeaker, FirstName: "Ann", Username: "ann_speaks", LanguageCode: "zh"})
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "/start"))
	return gs
}

// schedule has the owner schedule a session in two days and returns it.
func schedule(t *testing.T, h *Harness) sessions.Session {
	t.Helper()
	start := h.Clock.Now().Add(48 * time.Hour).In(h.Config.Location()).Format("2006-01-02 15:04")
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/session new "+start+" | 封面设计 | @ann_speaks"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已安排") {
		t.Fatalf("/session new: %q", last.Text)
	}
	open, err := h.App.Store().OpenSessions(t.Context())
	must(t, err)
	return open[len(open)-1]
}

// after returns the bot's messages in a chat after the first that
// contains mark, as their text or caption.
func after(h *Harness, chat int64, mark string) []string {
	var out []string
	seen := false
	for _, m := range h.TG.BotMessages(chat) {
		if seen {
			out = append(out, m.Text+m.Caption)
		}
		seen = seen || strings.Contains(m.Text, mark)
	}
	return out
}

// The whole session through the real client and the fake Telegram with
// its limits on: reminders pinned with a check-in button, the talk relayed
// in order into three groups, a question window that mutes the groups
// again at its end on the injected clock although the process restarted
// during it, the questions handed to the speaker, the recap and the unpin.
func TestFridaySessionEndToEnd(t *testing.T) {
	h := startLimited(t)
	ctx := t.Context()
	gs := fridayRoom(t, h)
	x := schedule(t, h)

	h.Clock.Advance(24 * time.Hour)
	must(t, h.Step(ctx))
	for _, g := range gs {
		last, _ := h.LastBotMessage(g)
		if !last.Pinned || !strings.Contains(last.Text, "封面设计") || len(last.ReplyMarkup) == 0 || last.ReplyMarkup[0][0].CallbackData != fmt.Sprintf("ci:%d", x.ID) {
			t.Fatalf("group %d: reminder %+v", g, last)
		}
	}
	data := fmt.Sprintf("ci:%d", x.ID)
	tap := func(user, chat int64) string {
		reminder, _ := h.LastBotMessage(chat)
		id, err := h.TG.Click(user, chat, reminder.ID, data)
		must(t, err)
		must(t, h.Step(ctx))
		answer, ok := h.TG.AnsweredCallback(id)
		if !ok {
			t.Fatalf("the check-in of %d was not answered", user)
		}
		return answer
	}
	if got := tap(41, gs[0]); got != "You are checked in!" {
		t.Errorf("check-in answered %q", got)
	}
	tap(42, gs[1])
	if got := tap(42, gs[1]); got != "You have checked in already." { // counted once
		t.Errorf("second check-in answered %q", got)
	}
	if cs, _ := h.App.Store().CheckIns(ctx, x.ID); len(cs) != 2 {
		t.Fatalf("%d check-ins, want 2", len(cs))
	}

	h.Clock.Advance(24 * time.Hour) // the start time: live by itself
	must(t, h.Step(ctx))
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "第一页：对齐"))
	_, _, err := h.TG.SendPhoto(fridaySpeaker, fridaySpeaker, "配图")
	must(t, err)
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "第三页：留白"))
	talk := []string{"第一页：对齐", "配图", "第三页：留白"}
	for _, g := range gs {
		if got := after(h, g, "分享会开始了"); !slices.Equal(got, talk) {
			t.Fatalf("group %d got %q, want %q", g, got, talk)
		}
	}

	// An album arrives item by item and goes out as one album once settled.
	_, err = h.TG.SendAlbum(fridaySpeaker, fridaySpeaker, "图一", "图二")
	must(t, err)
	must(t, h.Step(ctx))
	h.Clock.Advance(sessions.AlbumSettle)
	must(t, h.Step(ctx))
	for _, g := range gs {
		ms := h.TG.BotMessages(g)
		a, b := ms[len(ms)-2], ms[len(ms)-1]
		if a.Caption != "图一" || b.Caption != "图二" || a.MediaGroupID == "" || a.MediaGroupID != b.MediaGroupID {
			t.Fatalf("group %d: the album came as %q %q (albums %q %q)", g, a.Caption, b.Caption, a.MediaGroupID, b.MediaGroupID)
		}
	}

	must(t, h.Say(ctx, h.Owner, h.Owner, "/session qa 10"))
	for _, g := range gs {
		if !h.TG.Permissions(g).CanSendMessages {
			t.Fatalf("group %d is still muted in the question window", g)
		}
	}
	must(t, h.Say(ctx, 42, gs[1], "How do I align?"))
	must(t, h.Say(ctx, 43, gs[2], "Which font?"))
	var asked []string
	for _, m := range h.TG.BotMessages(fridaySpeaker) {
		if strings.Contains(m.Text, "问题 #") {
			asked = append(asked, m.Text)
		}
	}
	if len(asked) != 2 || !strings.Contains(asked[0], "PPT-00002") || !strings.Contains(asked[0], "How do I align?") || !strings.Contains(asked[1], "PPT-00003") {
		t.Fatalf("the speaker got %q", asked)
	}
	// One member pasting lines reaches the speaker with two more.
	for i := range 6 {
		must(t, h.Say(ctx, 42, gs[1], fmt.Sprintf("line %d", i)))
	}
	if n := count(botTexts(h, fridaySpeaker), "问题 #"); n != 4 {
		t.Fatalf("a member's flood reached the speaker as %d questions in all, want 4", n)
	}

	// The process stops during the window; the next one mutes the groups
	// again when it ends.
	again := restart(t, h)
	h.Clock.Advance(11 * time.Minute)
	must(t, again.Step(ctx))
	for _, g := range gs {
		if h.TG.Permissions(g).CanSendMessages {
			t.Errorf("group %d is not muted again after the window", g)
		}
	}
	if _, err := h.TG.SendText(41, gs[0], "too late"); err == nil {
		t.Error("a student could write after the window")
	}

	must(t, sayTo(ctx, h, again, h.Owner, h.Owner, "/session end"))
	recap, _ := h.LastBotMessage(gs[1])
	if !strings.Contains(recap.Text, "分享会回顾") || !strings.Contains(recap.Text, "本群 1 人，全部 2 人") || !strings.Contains(recap.Text, "问题：4 个") {
		t.Errorf("recap: %q", recap.Text)
	}
	for _, g := range gs {
		for _, m := range h.TG.BotMessages(g) {
			if m.Pinned && strings.Contains(m.Text, "周五分享会") {
				t.Errorf("group %d: the reminder is still pinned", g)
			}
		}
	}
	if n := h.TG.RateLimited(); n != 0 {
		t.Errorf("%d answers 429", n)
	}
}

// A relay whose process stopped half-way continues in the next process
// where it stopped, nothing twice and nothing skipped, in order; a group
// the bot was removed from is reported to the owner once and skipped.
func TestFridayRelayResumesAndSkipsARemovedGroup(t *testing.T) {
	h := startLimited(t)
	ctx := t.Context()
	gs := fridayRoom(t, h)
	x := schedule(t, h)
	must(t, h.TG.RemoveBot(gs[2], false))
	must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session start %d", x.ID)))

	// The speaker talks; the first process gets three messages into the
	// first group and fails from then on (it is going down).
	copied := 0
	h.TG.OnEvent(func(e telegramtest.Event) {
		if e.Kind == "bot_message" && e.ChatID == gs[0] && strings.HasPrefix(e.Text, "page") {
			if copied++; copied == 3 {
				h.TG.FailNext("copyMessage", 1000, 400, "Bad Request: the process is going down")
			}
		}
	})
	var talk []string
	for i := range 6 {
		talk = append(talk, fmt.Sprintf("page %d", i+1))
		_, err := h.TG.SendText(fridaySpeaker, fridaySpeaker, talk[i])
		must(t, err)
	}
	_ = h.Step(ctx)
	if got := after(h, gs[0], "分享会开始了"); !slices.Equal(got, talk[:3]) {
		t.Fatalf("before the restart group 1 got %q", got)
	}
	again := restart(t, h)
	h.TG.FailNext("copyMessage", 0, 0, "")
	must(t, again.Step(ctx))
	for _, g := range gs[:2] {
		if got := after(h, g, "分享会开始了"); !slices.Equal(got, talk) {
			t.Errorf("group %d got %q, want %q", g, got, talk)
		}
	}
	if n := len(h.TG.BotMessages(gs[2])); n == 0 {
		t.Fatal("the removed group never had the rules")
	}
	told := 0
	for _, m := range h.TG.BotMessages(h.Owner) {
		if strings.Contains(m.Text, "已不是") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the owner was told %d times of the removed group, want once", told)
	}
}

// restart stops the harness's app (it finishes the effect in flight and
// hands its leases over) and starts another on the same store and fake
// Telegram, stepped by hand.
func restart(t *testing.T, h *Harness) *app.App {
	t.Helper()
	h.cancel()
	<-h.done
	h.done <- nil // Close waits for it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	l := bot.TelegramLimits.Scaled(fridayScale)
	again, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &l, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- again.Run(runCtx) }()
	<-again.Running()
	t.Cleanup(func() { cancel(); <-done; again.Close() })
	return again
}

// sayTo sends text from a user into a chat and steps the given app.
func sayTo(ctx context.Context, h *Harness, a *app.App, userID, chatID int64, text string) error {
	if _, err := h.TG.SendText(userID, chatID, text); err != nil {
		return err
	}
	return a.Step(ctx)
}

// The demo's Friday act runs to its recap.
func TestDemoFridayAct(t *testing.T) {
	var out bytes.Buffer
	if err := Run(t.Context(), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	act := out.String()[strings.Index(out.String(), "安排周五分享会"):]
	for _, want := range []string{
		"（24h后开始）", "（1h后开始）", "taps [签到] in PPT 学员群 B",
		"PPT 学员群 C: 第二点：配色不超过三种，标题要大。", "PPT 学员群 C: 好封面示例",
		"PPT 学员群 A: members may write", "❓ 问题 #1（PPT-00001）", "PPT 学员群 C: members muted",
		"签到：本群 3 人，全部 5 人",
	} {
		if !strings.Contains(act, want) {
			t.Errorf("the Friday act lacks %q", want)
		}
	}
}

// A broadcast through the bot with the fake's limits on: the next message
// after /announce goes into every group of the course and to every member
// by DM, a member who blocked the bot is skipped and counted, the admin is
// told when it is done; an album goes out as one album; one that cannot
// go out stays sending until an admin cancels it from /broadcasts.
func TestBroadcastThroughTheBot(t *testing.T) {
	h := startLimited(t)
	ctx := t.Context()
	gs := fridayRoom(t, h)
	must(t, h.TG.BlockBot(43))
	must(t, h.Step(ctx))

	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce ppt dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "今晚 8 点分享会，别错过"))
	for _, chat := range []int64{gs[0], gs[1], gs[2], 41, 42} {
		if last, _ := h.LastBotMessage(chat); last.Text != "今晚 8 点分享会，别错过" {
			t.Errorf("chat %d: last message %q", chat, last.Text)
		}
	}
	if n := count(botTexts(h, 43), "今晚"); n != 0 {
		t.Errorf("the member who blocked the bot got it %d times", n)
	}
	if n := count(botTexts(h, h.Owner), "群发 #1 已完成：私信送达 2 人，1 人拉黑了机器人"); n != 1 {
		t.Errorf("the owner was told %d times that #1 is done: %q", n, botTexts(h, h.Owner))
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/broadcasts"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "#1 已完成") || !strings.Contains(last.Text, "私信 3/3（拉黑 1）") {
		t.Errorf("/broadcasts: %q", last.Text)
	}

	// An album, to every course's groups only.
	must(t, h.TG.UnblockBot(43))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce all"))
	_, err := h.TG.SendAlbum(h.Owner, h.Owner, "封面 1", "封面 2")
	must(t, err)
	must(t, h.Step(ctx))
	if n := count(botTexts(h, h.Owner), "已收到相册"); n != 1 {
		t.Errorf("album acknowledged %d times", n)
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/send"))
	for _, g := range gs {
		ms := h.TG.BotMessages(g)
		a, b := ms[len(ms)-2], ms[len(ms)-1]
		if a.Caption != "封面 1" || b.Caption != "封面 2" || a.MediaGroupID == "" || a.MediaGroupID != b.MediaGroupID {
			t.Errorf("group %d: album %+v %+v", g, a, b)
		}
	}

	// One that cannot go out is cancelled from /broadcasts.
	h.TG.FailNext("copyMessage", 1000, 400, "Bad Request: not now")
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce ppt dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "取消我"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/broadcasts"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "#3 发送中") || len(last.ReplyMarkup) != 1 || last.ReplyMarkup[0][0].CallbackData != "bx:3" {
		t.Fatalf("/broadcasts: %q with buttons %v", last.Text, last.ReplyMarkup)
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/broadcasts cancel #3"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "群发 #3 已取消") {
		t.Fatalf("/broadcasts cancel: %q", last.Text)
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/broadcasts"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "#3 已取消") || len(last.ReplyMarkup) != 0 {
		t.Fatalf("/broadcasts after the cancel: %q", last.Text)
	}
	h.TG.FailNext("copyMessage", 0, 0, "")
	h.Clock.Advance(time.Hour)
	must(t, h.Step(ctx))
	for _, chat := range []int64{gs[0], 41, 42, 43} {
		if n := count(botTexts(h, chat), "取消我"); n != 0 {
			t.Errorf("chat %d got the cancelled broadcast", chat)
		}
	}
	// And from its button.
	h.TG.FailNext("copyMessage", 1000, 400, "Bad Request: not now")
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce ppt"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "按钮取消"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/broadcasts"))
	must(t, h.Press(ctx, h.Owner, h.Owner, "bx:4"))
	h.TG.FailNext("copyMessage", 0, 0, "")
	h.Clock.Advance(time.Hour)
	must(t, h.Step(ctx))
	if n := count(botTexts(h, gs[0]), "按钮取消"); n != 0 {
		t.Error("the group got the broadcast cancelled by its button")
	}

	// The member who restarted the bot is reached again.
	must(t, h.Say(ctx, h.Owner, h.Owner, "/announce ppt dm"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "最后一条"))
	if last, _ := h.LastBotMessage(43); last.Text != "最后一条" {
		t.Errorf("the member who restarted the bot: last message %q", last.Text)
	}
	if n := h.TG.RateLimited(); n != 0 {
		t.Errorf("%d answers 429", n)
	}
}

// The weekly default schedules the next week's session by itself, once
// however often it runs, in the community's time zone; with no speaker
// configured it schedules nothing.
func TestWeeklySessionFromConfig(t *testing.T) {
	h := mustStart(t, func(c *config.Config, _ *app.Options) {
		c.Sessions.Speaker, c.Sessions.Topic = fridaySpeaker, "每周复盘"
	})
	ctx := t.Context()
	loc := h.Config.Location()
	fri := time.Date(2026, 11, 27, 20, 0, 0, 0, loc) // a Friday, at the default's time
	for range 2 {
		must(t, h.App.ScheduleWeekly(ctx, fri))
	}
	open, err := h.App.Store().OpenSessions(ctx)
	must(t, err)
	if len(open) != 1 || !open[0].StartAt.Equal(fri.AddDate(0, 0, 7)) || open[0].Topic != "每周复盘" || open[0].Speaker != fridaySpeaker {
		t.Fatalf("sessions %+v, want one on %v", open, fri.AddDate(0, 0, 7))
	}

	none := mustStart(t)
	must(t, none.App.ScheduleWeekly(ctx, fri))
	if open, _ := none.App.Store().OpenSessions(ctx); len(open) != 0 {
		t.Errorf("without a speaker: %d sessions scheduled", len(open))
	}
}

// /session refuses what it cannot take, in the sender's language, and
// students cannot use it.
func TestSessionCommandRefusals(t *testing.T) {
	h := mustStart(t)
	ctx := t.Context()
	fridayRoom(t, h)
	future := h.Clock.Now().Add(48 * time.Hour).In(h.Config.Location()).Format("2006-01-02 15:04")
	for _, tc := range []struct{ line, want string }{
		{"/session", "用法"},
		{"/session new 2020-01-01 20:00 | 封面 | @ann_speaks", "时间格式应为"},
		{"/session new " + future + " | 封面 | @nobody_here", "找不到分享人 @nobody_here"},
		{"/session new xls " + future + " | 封面 | @ann_speaks", "没有找到课程 xls"},
		{"/session new " + future + " | 封面", "用法"},
		{"/session qa 10", "没有正在进行的分享会"},
		{"/session end", "没有正在进行的分享会"},
		{"/announce", "用法"},
		{"/send", "还没有要群发的消息"},
	} {
		must(t, h.Say(ctx, h.Owner, h.Owner, tc.line))
		if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, tc.want) {
			t.Errorf("%s: %q, want %q", tc.line, last.Text, tc.want)
		}
	}
	must(t, h.Say(ctx, 41, 41, "/session new "+future+" | 封面 | @ann_speaks"))
	if last, _ := h.LastBotMessage(41); strings.Contains(last.Text, "已安排") || strings.Contains(last.Text, "scheduled") {
		t.Errorf("a student scheduled a session: %q", last.Text)
	}
	if open, _ := h.App.Store().OpenSessions(ctx); len(open) != 0 {
		t.Errorf("%d sessions after the refusals", len(open))
	}
	// The dialogue: /session new alone asks for the line.
	must(t, h.Say(ctx, h.Owner, h.Owner, "/session new"))
	must(t, h.Say(ctx, h.Owner, h.Owner, future+" | 封面 | @ann_speaks"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已安排") {
		t.Errorf("the dialogue: %q", last.Text)
	}
}

// In serve mode (no stepping by hand) a broadcast goes out on its own
// worker, woken when it is stored.
func TestBroadcastWorkerInServeMode(t *testing.T) {
	h, err := StartWith(t.Context(), nil, func(_ *config.Config, o *app.Options) { o.Manual = false })
	must(t, err)
	t.Cleanup(func() { h.Close() })
	ctx := t.Context()
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "A", LanguageCode: "en"})
	_, err = h.TG.SendText(42, 42, "hello")
	must(t, err)
	reached := make(chan struct{}, 1)
	h.TG.OnEvent(func(e telegramtest.Event) {
		if e.Kind == "bot_message" && e.ChatID == 42 && e.Text == "本周五 20:00 分享会" {
			reached <- struct{}{}
		}
	})
	g := h.Group("学员1群", telegramtest.FullAdminRights())
	st := h.App.Store()
	_, err = st.AddGroup(ctx, groups.Group{ChatID: g, Kind: groups.KindStudent, Course: "ppt", Capacity: 10, CreatedAt: h.Clock.Now()})
	must(t, err)
	_, err = st.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: 42, Number: 1, At: h.Clock.Now()})
	must(t, err)
	msg, err := h.TG.SendText(h.Owner, h.Owner, "本周五 20:00 分享会")
	must(t, err)
	_, err = h.App.Sessions.Announce(ctx, 0, "ppt", true, sessions.MessageRef{ChatID: h.Owner, MessageIDs: []int{msg}})
	must(t, err)
	select {
	case <-reached:
	case <-time.After(20 * time.Second):
		t.Fatal("the broadcast worker never sent the DM")
	}
}
