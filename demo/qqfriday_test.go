package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
	"github.com/shequn/shequn/sessions"
)

// qqFriend is a second QQ buyer, 小明, seated in the QQ group.
const qqFriend = 20003

// qqFridayRoom is a community with a Telegram student group (PPT, member
// 41) and a QQ student group (Excel, members 小红 and 小明), and a
// speaker on Telegram who opened a private chat with the bot.
func qqFridayRoom(t *testing.T) (*Harness, *QQ, int64) {
	t.Helper()
	h, qq := qqCommunity(t)
	ctx := t.Context()
	must(t, h.Say(ctx, h.Owner, h.Owner, "/start"))
	g := h.Group("PPT 学员群", telegramtest.FullAdminRights())
	must(t, h.Say(ctx, h.Owner, g, "/register student ppt 1"))
	buyer(t, h, 41, "en")
	_, err := h.Paid(ctx, 41, 1)
	must(t, err)
	must(t, h.Join(ctx, 41))
	for _, b := range []struct {
		qq   int64
		name string
	}{{qqBuyer, "小红"}, {qqFriend, "小明"}} {
		qqBuys(t, h, qq, b.qq, b.name)
		_, err := qq.AskToJoin(ctx, qqGroupNo, b.qq, b.name, groups.JoinCode("xl", shequn.QQUser(b.qq)))
		must(t, err)
		must(t, qq.Step(ctx))
		if _, in := qq.Member(qqGroupNo, b.qq); !in {
			t.Fatalf("%s is not in the QQ group", b.name)
		}
	}
	h.TG.AddUser(telegramtest.User{ID: fridaySpeaker, FirstName: "Ann", Username: "ann_speaks", LanguageCode: "zh"})
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "/start"))
	return h, qq, g
}

// qqAfter returns the bot's messages in the QQ group after the first whose
// text contains mark.
func qqAfter(qq *QQ, mark string) []onebottest.Sent {
	var out []onebottest.Sent
	seen := false
	for _, m := range qq.Sent() {
		if m.GroupID != qqGroupNo {
			continue
		}
		if seen {
			out = append(out, m)
		}
		seen = seen || strings.Contains(m.Text, mark)
	}
	return out
}

func texts(ms []onebottest.Sent) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

// One session in a Telegram group and a QQ group at once: the reminder
// with its check-in in both (a numbered choice and the essence message on
// QQ), the talk relayed in order into both (a Telegram picture fetched and
// sent to QQ as one), the QQ group unmuted and muted again by the window
// on the injected clock, a question asked on QQ reaching the speaker on
// Telegram with the member's number, the recap, and the essence taken
// back.
func TestQQFridaySessionBesideTelegram(t *testing.T) {
	h, qq, tg := qqFridayRoom(t)
	ctx := t.Context()
	x := schedule(t, h)
	rulesEssence := len(qq.Essence())

	h.Clock.Advance(24 * time.Hour)
	must(t, qq.Step(ctx))
	if last, _ := h.LastBotMessage(tg); !last.Pinned || !strings.Contains(last.Text, "封面设计") {
		t.Fatalf("the Telegram group's reminder: %+v", last)
	}
	ms := qqAfter(qq, "")
	var reminder onebottest.Sent
	for _, m := range qq.Sent() {
		if m.GroupID == qqGroupNo && strings.Contains(m.Text, "封面设计") {
			reminder = m
		}
	}
	if reminder.ID == 0 || !strings.Contains(reminder.Text, "[1] ✅ 签到") || strings.Contains(reminder.Text, "<b>") {
		t.Fatalf("the QQ group's reminder: %q (after it %q)", reminder.Text, texts(ms))
	}
	if !slices.Contains(qq.Essence(), reminder.ID) {
		t.Fatalf("the QQ reminder %d is not the essence message: %v", reminder.ID, qq.Essence())
	}
	// The QQ group is muted as a whole: a member cannot answer there.
	qq.RefuseInMutedGroups()
	if _, err := qq.Speak(ctx, qqGroupNo, qqBuyer, onebot.Text("1")); !errors.Is(err, onebottest.ErrBanned) {
		t.Fatalf("a member answered in the muted QQ group: %v", err)
	}
	// An administrator opens the group for a moment; the number answers.
	must(t, qq.SetWholeBan(ctx, qqGroupNo, qqOwner, false))
	must(t, qq.Say(ctx, qqBuyer, "小红", qqGroupNo, "1"))
	must(t, qq.SetWholeBan(ctx, qqGroupNo, qqOwner, true))
	must(t, qq.Step(ctx))
	reminderTG, _ := h.LastBotMessage(tg)
	_, err := h.TG.Click(41, tg, reminderTG.ID, fmt.Sprintf("ci:%d", x.ID))
	must(t, err)
	must(t, qq.Step(ctx))
	// The QQ group is muted as a whole: 小明 checks in privately.
	if !strings.Contains(reminder.Text, "/checkin") || strings.Contains(reminder.Text, "按钮") {
		t.Errorf("the QQ reminder does not say how to check in privately: %q", reminder.Text)
	}
	must(t, qq.Say(ctx, qqFriend, "小明", 0, "/checkin"))
	must(t, qq.Say(ctx, qqFriend, "小明", 0, "/checkin"))
	if got := qq.SentTo(qqFriend, 0); count(got, "签到成功") != 1 || !strings.Contains(got[len(got)-1], "已经签到过") {
		t.Errorf("小明's /checkin answered %q", got)
	}
	cs, err := h.App.Store().CheckIns(ctx, x.ID)
	must(t, err)
	inQQ := func(user int64) func(c sessions.CheckIn) bool {
		return func(c sessions.CheckIn) bool {
			return c.UserID == shequn.QQUser(user) && c.ChatID == shequn.QQGroup(qqGroupNo)
		}
	}
	if len(cs) != 3 || !slices.ContainsFunc(cs, inQQ(qqBuyer)) || !slices.ContainsFunc(cs, inQQ(qqFriend)) {
		t.Fatalf("check-ins %+v, want 小红 and 小明 in the QQ group and 41", cs)
	}

	h.Clock.Advance(24 * time.Hour) // the start time
	must(t, qq.Step(ctx))
	picture := []byte("\x89PNG fake picture bytes")
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "第一页：对齐"))
	_, _, err = h.TG.SendPhotoData(fridaySpeaker, fridaySpeaker, "配图", picture)
	must(t, err)
	must(t, h.Say(ctx, fridaySpeaker, fridaySpeaker, "第三页：留白"))
	must(t, qq.Step(ctx))
	talk := []string{"第一页：对齐", "配图", "第三页：留白"}
	if got := after(h, tg, "分享会开始了"); !slices.Equal(got, talk) {
		t.Fatalf("the Telegram group got %q, want %q", got, talk)
	}
	relayed := qqAfter(qq, "分享会开始了")
	if got := texts(relayed); !slices.Equal(got, talk) {
		t.Fatalf("the QQ group got %q, want %q", got, talk)
	}
	img := relayed[1].Message[0]
	data, _ := strings.CutPrefix(img.Str("file"), "base64://")
	if got, _ := base64.StdEncoding.DecodeString(data); img.Type != "image" || !bytes.Equal(got, picture) {
		t.Errorf("the picture reached QQ as %s %.40q", img.Type, img.Str("file"))
	}

	// A document: QQ sends a file as a message of its own, the caption after it.
	handout := []byte("%PDF-1.4 handout")
	_, _, err = h.TG.SendDocumentData(fridaySpeaker, fridaySpeaker, "讲义.pdf", "讲义", handout)
	must(t, err)
	must(t, qq.Step(ctx))
	relayed = qqAfter(qq, "第三页：留白")
	if len(relayed) != 2 || relayed[1].Text != "讲义" {
		t.Fatalf("after the talk the QQ group got %q", texts(relayed))
	}
	file := relayed[0].Message[0]
	data, _ = strings.CutPrefix(file.Str("file"), "base64://")
	if got, _ := base64.StdEncoding.DecodeString(data); file.Type != "file" || file.Str("name") != "讲义.pdf" || !bytes.Equal(got, handout) {
		t.Errorf("the document reached QQ as %s %q %.40q", file.Type, file.Str("name"), file.Str("file"))
	}

	must(t, h.Say(ctx, h.Owner, h.Owner, "/session qa 10"))
	must(t, qq.Step(ctx))
	if g, _ := qq.Group(qqGroupNo); g.WholeBan {
		t.Fatal("the QQ group is still muted in the question window")
	}
	must(t, qq.Say(ctx, qqFriend, "小明", qqGroupNo, "标题用什么字体？"))
	asked := count(botTexts(h, fridaySpeaker), "问题 #1（XL-00002）")
	if asked != 1 || count(botTexts(h, fridaySpeaker), "标题用什么字体？") != 1 {
		t.Fatalf("the speaker got %q", botTexts(h, fridaySpeaker))
	}
	h.Clock.Advance(11 * time.Minute)
	must(t, qq.Step(ctx))
	if g, _ := qq.Group(qqGroupNo); !g.WholeBan {
		t.Fatal("the QQ group is not muted again after the window")
	}

	if _, err := qq.Speak(ctx, qqGroupNo, qqFriend, onebot.Text("too late")); !errors.Is(err, onebottest.ErrBanned) {
		t.Errorf("a member spoke in the QQ group after the window: %v", err)
	}

	must(t, h.Say(ctx, h.Owner, h.Owner, "/session end"))
	must(t, qq.Step(ctx))
	if recap := qq.LastTo(0, qqGroupNo); !strings.Contains(recap, "分享会回顾") || !strings.Contains(recap, "本群 2 人，全部 3 人") || !strings.Contains(recap, "问题：1 个") {
		t.Errorf("the QQ recap: %q", recap)
	}
	if slices.Contains(qq.Essence(), reminder.ID) || len(qq.Essence()) != rulesEssence {
		t.Errorf("essence after the session: %v (the reminder was %d)", qq.Essence(), reminder.ID)
	}
	if n := len(qq.Bursts()); n != 0 {
		t.Errorf("%d QQ messages broke the limits", n)
	}
	if x, _ := h.App.Store().Session(ctx, x.ID); x.State != sessions.Closed {
		t.Errorf("the session is %s, want closed", x.State)
	}
}

// A relay into a QQ group whose process stopped half-way continues in the
// next process where it stopped: every page once, in order.
func TestQQRelayResumesAfterARestart(t *testing.T) {
	h, qq, tg := qqFridayRoom(t)
	ctx := t.Context()
	x := schedule(t, h)
	must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session start %d", x.ID)))
	must(t, qq.Step(ctx))

	// The first process gets three pages into the QQ group and fails
	// from then on (it is going down).
	copied := 0
	qq.OnAction(func(action string, group, _ int64) {
		if action == "send_group_msg" && group == qqGroupNo {
			if last := qq.LastTo(0, qqGroupNo); strings.HasPrefix(last, "page") {
				if copied++; copied == 3 {
					qq.FailNext("send_group_msg", 1000, onebot.RetFailed, "send failed: the process is going down")
				}
			}
		}
	})
	var talk []string
	for i := range 6 {
		talk = append(talk, fmt.Sprintf("page %d", i+1))
		_, err := h.TG.SendText(fridaySpeaker, fridaySpeaker, talk[i])
		must(t, err)
	}
	_ = qq.Step(ctx)
	if got := texts(qqAfter(qq, "分享会开始了")); !slices.Equal(got, talk[:3]) {
		t.Fatalf("before the restart the QQ group got %q", got)
	}
	again := restartQQ(t, h, qq)
	qq.FailNext("send_group_msg", 0, 0, "")
	must(t, again.Step(ctx))
	if got := texts(qqAfter(qq, "分享会开始了")); !slices.Equal(got, talk) {
		t.Errorf("the QQ group got %q, want %q", got, talk)
	}
	if got := after(h, tg, "分享会开始了"); !slices.Equal(got, talk) {
		t.Errorf("the Telegram group got %q, want %q", got, talk)
	}
}

// restartQQ stops the harness's app and starts another on the same store,
// fake Telegram and fake QQ account, which connects to it again as NapCat
// does after a restart; the new app is stepped by hand.
func restartQQ(t *testing.T, h *Harness, qq *QQ) *app.App {
	t.Helper()
	h.cancel()
	<-h.done
	h.done <- nil // Close waits for it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	again, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now, QQLimits: &onebot.Limits{},
	})
	must(t, err)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- again.Run(runCtx) }()
	<-again.Running()
	t.Cleanup(func() { cancel(); <-done; again.Close() })
	conn, err := qq.DialWS(t.Context(), "ws://"+ln.Addr().String()+onebot.WSPath, qqToken)
	must(t, err)
	t.Cleanup(conn.Close)
	wctx, stop := context.WithTimeout(t.Context(), 5*time.Second)
	defer stop()
	must(t, again.WaitQQ(wctx))
	return again
}

// An admin on QQ talks during a session: each message reaches the QQ
// group again as QQ has it (both pictures of a message, by their URLs)
// and the Telegram group as Telegram messages (the first picture
// downloaded from QQ and uploaded, with the words), in order in both.
func TestQQAdminTalksIntoBothPlatforms(t *testing.T) {
	h, qq, tg := qqFridayRoom(t)
	ctx := t.Context()
	picture := []byte("\x89PNG a picture on QQ's servers")
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/download/cover.png" {
			http.NotFound(w, r)
			return
		}
		w.Write(picture)
	}))
	t.Cleanup(files.Close)
	x := schedule(t, h)
	must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session start %d", x.ID)))
	must(t, qq.Step(ctx))

	must(t, qq.Say(ctx, qqOwner, "群主", 0, "第一页：目录"))
	// Two pictures in one QQ message, as QQ sends them.
	url, back := files.URL+"/download/cover.png", files.URL+"/download/back.png"
	must(t, qq.PrivateMessage(ctx, qqOwner, "群主", onebot.Segment{Type: "image", Data: map[string]any{"file": "cover.png", "url": url}},
		onebot.Segment{Type: "image", Data: map[string]any{"file": "back.png", "url": back}}, onebot.Text("封面示例")))
	must(t, qq.Step(ctx))
	must(t, qq.Say(ctx, qqOwner, "群主", 0, "第三页：排版"))
	talk := []string{"第一页：目录", "封面示例", "第三页：排版"}

	relayed := qqAfter(qq, "分享会开始了")
	if got := texts(relayed); !slices.Equal(got, talk) {
		t.Fatalf("the QQ group got %q, want %q", got, talk)
	}
	if m := relayed[1].Message; len(m) != 3 || m[0].Str("file") != url || m[1].Str("file") != back || m[2].Str("text") != "封面示例" {
		t.Errorf("the pictures reached QQ as %+v", m)
	}
	if got := after(h, tg, "分享会开始了"); !slices.Equal(got, talk) {
		t.Fatalf("the Telegram group got %q, want %q", got, talk)
	}
	ms := h.TG.BotMessages(tg)
	photo := ms[len(ms)-2]
	if up, ok := h.TG.Upload(photo.PhotoFileID); !ok || !bytes.Equal(up.Data, picture) {
		t.Errorf("the Telegram group's picture is %q (uploaded %v)", photo.PhotoFileID, ok)
	}
	gs, err := h.App.Store().Groups(ctx)
	must(t, err)
	for _, g := range gs {
		if g.Problem != "" {
			t.Errorf("group %d has a problem: %s", g.ChatID, g.Problem)
		}
	}
}

// qqSpeaker is a speaker on QQ, 王老师.
const qqSpeaker = 30003

// A speaker on QQ, named by their QQ number: what they write to the bot
// reaches both groups, and the questions asked in either group reach them
// on QQ in order with the members' numbers.
func TestQQSpeakerGetsQuestionsFromBothPlatforms(t *testing.T) {
	h, qq, tg := qqFridayRoom(t)
	ctx := t.Context()
	must(t, qq.Say(ctx, qqSpeaker, "王老师", 0, "/start"))
	start := h.Clock.Now().Add(48 * time.Hour).In(h.Config.Location()).Format("2006-01-02 15:04")
	must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session new %s | 函数入门 | qq:%d", start, qqSpeaker)))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已安排") || !strings.Contains(last.Text, "王老师") {
		t.Fatalf("/session new with a QQ speaker: %q", last.Text)
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/session start"))
	must(t, qq.Say(ctx, qqSpeaker, "王老师", 0, "VLOOKUP 的四个参数"))
	if got := texts(qqAfter(qq, "分享会开始了")); !slices.Equal(got, []string{"VLOOKUP 的四个参数"}) {
		t.Fatalf("the QQ group got %q", got)
	}
	if got := after(h, tg, "分享会开始了"); !slices.Equal(got, []string{"VLOOKUP 的四个参数"}) {
		t.Fatalf("the Telegram group got %q", got)
	}

	must(t, h.Say(ctx, h.Owner, h.Owner, "/session qa 10"))
	must(t, qq.Step(ctx))
	must(t, h.Say(ctx, 41, tg, "What is the fourth argument?"))
	must(t, qq.Say(ctx, qqBuyer, "小红", qqGroupNo, "近似匹配怎么用？"))
	var asked []string
	for _, m := range qq.SentTo(qqSpeaker, 0) {
		if strings.Contains(m, "问题 #") {
			asked = append(asked, m)
		}
	}
	if len(asked) != 2 || !strings.Contains(asked[0], "问题 #1（PPT-00001）") || !strings.Contains(asked[0], "fourth argument") ||
		!strings.Contains(asked[1], "问题 #2（XL-00001）") || !strings.Contains(asked[1], "近似匹配") {
		t.Fatalf("the QQ speaker got %q", asked)
	}

	// The speaker deletes the account: whoever scheduled the session is
	// told once, and the questions wait for the speaker.
	qq.Unfriend(qqSpeaker)
	must(t, qq.Say(ctx, qqFriend, "小明", qqGroupNo, "能再讲一遍吗？"))
	must(t, qq.Say(ctx, qqFriend, "小明", qqGroupNo, "谢谢老师"))
	if n := count(botTexts(h, h.Owner), "分享人 王老师 还没有私聊过机器人"); n != 1 {
		t.Errorf("the owner was told %d times that the QQ speaker cannot be reached: %q", n, botTexts(h, h.Owner))
	}
	if n := count(qq.SentTo(qqSpeaker, 0), "问题 #3"); n != 0 {
		t.Errorf("question 3 reached the speaker who deleted the account")
	}
}

// A Telegram picture relayed into two QQ groups is downloaded from
// Telegram once, not once per group.
func TestQQRelayDownloadsATelegramPictureOnce(t *testing.T) {
	h, qq, _ := qqFridayRoom(t)
	ctx := t.Context()
	const second = 700_100_300
	qq.AddGroup(second, "Excel QQ 2", "admin")
	qq.AddMember(second, qqOwner, "群主", "owner")
	must(t, qq.Say(ctx, qqOwner, "群主", second, "/register student xl 2000"))
	x := schedule(t, h)
	must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session start %d", x.ID)))
	before := h.TG.Calls("getFile")
	_, _, err := h.TG.SendPhotoData(fridaySpeaker, fridaySpeaker, "配图", []byte("\x89PNG once"))
	must(t, err)
	must(t, qq.Step(ctx))
	for _, g := range []int64{qqGroupNo, second} {
		if last := qq.LastTo(0, g); last != "配图" {
			t.Errorf("QQ group %d got %q last", g, last)
		}
	}
	if n := h.TG.Calls("getFile") - before; n != 1 {
		t.Errorf("the picture was fetched from Telegram %d times, want once", n)
	}
}

// The demo's QQ Friday act runs to its broadcast.
func TestDemoQQFridayAct(t *testing.T) {
	var out bytes.Buffer
	if err := Run(t.Context(), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	at := strings.Index(out.String(), "QQ 上的周五分享会与群发")
	if at < 0 {
		t.Fatalf("the demo has no QQ Friday act:\n%s", out.String())
	}
	act := out.String()[at:]
	for _, want := range []string{
		"Excel 学员 QQ 群: 📣 周五分享会", "（1h后开始）", "[1] ✅ 签到", "小红 (QQ): 签到成功",
		"Excel 学员 QQ 群: 透视表：行放地区", "❓ 问题 #1（XL-00001）", "群已恢复禁言", "签到：本群 1 人，全部 1 人",
		"🐧 → 小红 (QQ): 下周五同一时间继续答疑",
	} {
		if !strings.Contains(act, want) {
			t.Errorf("the QQ Friday act lacks %q", want)
		}
	}
	if strings.Contains(act, "（24h后开始）") {
		t.Error("the QQ act shows the day-ahead reminder it skipped")
	}
}
