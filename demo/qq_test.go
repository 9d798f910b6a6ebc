package demo

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
	"github.com/shequn/shequn/payments/stripetest"
)

// qqCommunity starts a community with the QQ course, connects a fake QQ
// account and registers one QQ student group.
func qqCommunity(t *testing.T, setups ...Setup) (*Harness, *QQ) {
	t.Helper()
	h := mustStart(t, append([]Setup{WithQQCourse}, setups...)...)
	qq, err := h.ConnectQQ(t.Context(), qqSelf)
	must(t, err)
	t.Cleanup(qq.Close)
	qq.AddGroup(qqGroupNo, "Excel QQ", "admin")
	qq.AddMember(qqGroupNo, qqOwner, "群主", "owner")
	must(t, qq.Say(t.Context(), qqOwner, "群主", qqGroupNo, "/register student xl 2000"))
	return h, qq
}

// qqBuys makes a QQ user buy the QQ course (the second Buy choice).
func qqBuys(t *testing.T, h *Harness, qq *QQ, user int64, nickname string) {
	t.Helper()
	ctx := t.Context()
	must(t, qq.Say(ctx, user, nickname, 0, "/start"))
	must(t, qq.Say(ctx, user, nickname, 0, "2"))
	_, err := h.Paid(ctx, shequn.QQUser(user), 1)
	must(t, err)
	must(t, qq.Step(ctx))
}

func TestQQBuyerJoinsWithTheCodeAndWearsTheNumber(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	if g, _ := qq.Group(qqGroupNo); !g.WholeBan {
		t.Fatal("the QQ group is not muted as a whole")
	}
	if len(qq.Essence()) != 1 {
		t.Errorf("the rules were not set as the essence message: %v", qq.Essence())
	}
	qqBuys(t, h, qq, qqBuyer, "小红")
	code := groups.JoinCode("xl", shequn.QQUser(qqBuyer))
	way := qq.LastTo(qqBuyer, 0)
	for _, want := range []string{"XL-00001", "700100200", code} {
		if !strings.Contains(way, want) {
			t.Errorf("the way in lacks %q: %q", want, way)
		}
	}
	if strings.Contains(way, "<b>") || strings.Contains(way, "&lt;") {
		t.Errorf("HTML reached QQ: %q", way)
	}
	// A member who asks without the code is refused with the reason and
	// may ask again with it.
	flag, err := qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", "我是小红")
	must(t, err)
	must(t, qq.Step(ctx))
	if r := qq.Request(flag); !r.Handled || r.Approved || !strings.Contains(r.Reason, "入群码") {
		t.Fatalf("a request without the code: %+v", r)
	}
	flag, err = qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", "编号 "+code)
	must(t, err)
	must(t, qq.Step(ctx))
	if r := qq.Request(flag); !r.Approved {
		t.Fatalf("the buyer with the code was refused: %+v", r)
	}
	if m, in := qq.Member(qqGroupNo, qqBuyer); !in || m.Card != "XL-00001 小红" {
		t.Fatalf("member %v with card %q, want XL-00001 小红", in, m.Card)
	}
	if texts := qq.SentTo(0, qqGroupNo); !strings.Contains(strings.Join(texts, "\n"), "欢迎 小红 加入") {
		t.Errorf("no greeting in the group: %q", texts)
	}
	// A changed card is set back, whether QQ reports the change or the
	// member just speaks with it.
	must(t, qq.SetCard(ctx, qqGroupNo, qqBuyer, "红红"))
	must(t, qq.Step(ctx))
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Card != "XL-00001 红红" {
		t.Errorf("after the card notice: %q", m.Card)
	}
	qq.Rename(qqGroupNo, qqBuyer, "hello")
	must(t, qq.GroupMessage(ctx, qqGroupNo, qqBuyer, onebot.Text("大家好")))
	must(t, qq.Step(ctx))
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Card != "XL-00001 hello" {
		t.Errorf("after speaking: %q", m.Card)
	}
	if qq.StringMessages() != 0 {
		t.Error("a message went out as a CQ-code string")
	}
}

func TestQQStrangerIsRefusedWithTheReason(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqBuys(t, h, qq, qqBuyer, "小红")
	code := groups.JoinCode("xl", shequn.QQUser(qqBuyer))
	// The buyer's own code and number, copied, do not let a stranger in.
	flag, err := qq.AskToJoin(ctx, qqGroupNo, qqStranger, "[CQ:at,qq=all]", "XL-00001 "+code)
	must(t, err)
	must(t, qq.Step(ctx))
	r := qq.Request(flag)
	if !r.Handled || r.Approved || !strings.Contains(r.Reason, "购买记录") {
		t.Fatalf("the stranger's request: %+v", r)
	}
	if _, in := qq.Member(qqGroupNo, qqStranger); in {
		t.Fatal("the stranger is in the group")
	}
}

func TestQQRefundKicksTheMember(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqBuys(t, h, qq, qqBuyer, "小红")
	s, _ := h.Sales.Last(shequn.QQUser(qqBuyer))
	_, err := qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", "XL-00001")
	must(t, err)
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqBuyer); !in {
		t.Fatal("the buyer is not in the group")
	}
	must(t, h.Refunded(ctx, s))
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqBuyer); in {
		t.Fatal("the refunded member is still in the QQ group")
	}
	seat, err := h.App.Store().Seat(ctx, "xl", shequn.QQUser(qqBuyer))
	must(t, err)
	if seat.State != groups.SeatReleased || seat.RemovedAt.IsZero() {
		t.Errorf("seat after the refund: %+v", seat)
	}
}

func TestQQNumberedChoicesExpire(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/language"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "2"))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "English") {
		t.Fatalf("choosing 2 (English): %q", got)
	}
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/language"))
	h.Clock.Advance(onebot.ChoiceTTL + time.Minute)
	before := len(qq.SentTo(qqBuyer, 0))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "1"))
	texts := qq.SentTo(qqBuyer, 0)
	if len(texts) == before || strings.Contains(texts[len(texts)-1], "中文") && strings.Contains(texts[len(texts)-1], "已切换") {
		t.Errorf("an expired choice was taken: %q", texts[before:])
	}
}

func TestQQOverHTTPWithSignedEvents(t *testing.T) {
	fake := onebottest.New(qqSelf)
	api := httptest.NewServer(fake.HTTP("http-token"))
	defer api.Close()
	h := mustStart(t, WithQQCourse, func(cfg *config.Config, _ *app.Options) {
		cfg.OneBot.Token, cfg.OneBot.URL, cfg.OneBot.Secret = "http-token", api.URL, "http-secret"
	})
	fake.Now = h.Clock.Now
	fake.PostEvents(h.baseURL+onebot.EventsPath, "http-secret", nil)
	qq := &QQ{Server: fake, h: h}
	ctx := t.Context()
	fake.AddGroup(qqGroupNo, "Excel QQ", "admin")
	fake.AddMember(qqGroupNo, qqOwner, "群主", "owner")
	must(t, qq.Say(ctx, qqOwner, "群主", qqGroupNo, "/register student xl 2000"))
	if g, _ := fake.Group(qqGroupNo); !g.WholeBan {
		t.Fatal("over HTTP: the group is not muted")
	}
	// A forged event is refused before it is read.
	fake.PostEvents(h.baseURL+onebot.EventsPath, "wrong", nil)
	if err := fake.PrivateMessage(ctx, qqBuyer, "小红", onebot.Text("/start")); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a forged event: %v", err)
	}
	if len(fake.SentTo(qqBuyer, 0)) != 0 {
		t.Error("a forged event was answered")
	}
}

func TestQQTeacherGrantedByAtReviewsByNumber(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	const teacher = 30003
	qq.AddMember(qqGroupNo, teacher, "周老师", "admin")
	must(t, qq.Say(ctx, teacher, "周老师", 0, "/start"))
	// The owner names the teacher with an @ in the QQ group; QQ has no
	// command menus to update.
	menus := h.TG.Calls("setMyCommands")
	must(t, qq.GroupMessage(ctx, qqGroupNo, qqOwner, onebot.Text("/grant teacher "),
		onebot.Segment{Type: "at", Data: map[string]any{"qq": "30003"}}, onebot.Text(" xl")))
	must(t, qq.Step(ctx))
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "周老师") || !strings.Contains(got, "qq:30003") {
		t.Fatalf("the grant's answer: %q", got)
	}
	if n := h.TG.Calls("setMyCommands") - menus; n != 0 {
		t.Errorf("a QQ grant set %d Telegram menus", n)
	}
	qqBuys(t, h, qq, qqBuyer, "小红")
	due := h.Clock.Now().Add(72 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	must(t, qq.Say(ctx, teacher, "周老师", 0, "/assign xl "+due+" 100 透视表 | 汇总销售数据"))
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "/submit 1") || strings.Contains(got, "t.me") {
		t.Errorf("the announcement in the QQ group: %q", got)
	}
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/submit"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "1"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "https://example.com/pivot"))
	must(t, qq.Say(ctx, teacher, "周老师", 0, "/review"))
	card := qq.LastTo(teacher, 0)
	if !strings.Contains(card, "XL-00001") || !strings.Contains(card, "[1]") {
		t.Fatalf("the review card has no numbered grades: %q", card)
	}
	// Reply with the number of 优秀 (excellent), then skip the comment.
	pick := ""
	for _, line := range strings.Split(card, "\n") {
		if strings.Contains(line, "优秀") && strings.HasPrefix(line, "[") {
			pick = strings.TrimSuffix(strings.TrimPrefix(strings.Fields(line)[0], "["), "]")
		}
	}
	if pick == "" {
		t.Fatalf("no numbered 优秀 on the card: %q", card)
	}
	must(t, qq.Say(ctx, teacher, "周老师", 0, pick))
	must(t, qq.Say(ctx, teacher, "周老师", 0, "/skip"))
	must(t, qq.Step(ctx))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "优秀") || !strings.Contains(got, "100") {
		t.Errorf("the student's feedback on QQ: %q", got)
	}
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/rank"))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "1") {
		t.Errorf("/rank on QQ: %q", got)
	}
}

func TestQQMeGivesTheWayBackWithTheCode(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqBuys(t, h, qq, qqBuyer, "小红")
	_, err := qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", "XL-00001")
	must(t, err)
	must(t, qq.Step(ctx))
	must(t, qq.Leave(ctx, qqGroupNo, qqBuyer))
	must(t, qq.Step(ctx))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/me"))
	code := groups.JoinCode("xl", shequn.QQUser(qqBuyer))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "XL-00001") || !strings.Contains(got, "QQ 700100200 · "+code) {
		t.Fatalf("/me after leaving: %q", got)
	}
	_, err = qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", code)
	must(t, err)
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqBuyer); !in {
		t.Fatal("the member could not come back with the code")
	}
}

func TestQQCourseGroupsStayOnOnePlatform(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	tg := h.Group("Excel on Telegram", telegramtest.FullAdminRights())
	must(t, h.Say(ctx, h.Owner, tg, "/register student xl 100"))
	if got, _ := h.LastBotMessage(tg); !strings.Contains(got.Text, "另一个平台") {
		t.Fatalf("a Telegram group for the QQ course: %q", got.Text)
	}
	// The Telegram course cannot take a QQ group either.
	qq.AddGroup(qqGroupNo+1, "PPT QQ", "admin")
	must(t, qq.Say(ctx, qqOwner, "群主", qqGroupNo+1, "/register student ppt 100"))
	if got := qq.LastTo(0, qqGroupNo+1); !strings.Contains(got, "学员1群") {
		t.Fatalf("the first ppt group may be on QQ: %q", got)
	}
	g := h.Group("PPT 2", telegramtest.FullAdminRights())
	must(t, h.Say(ctx, h.Owner, g, "/register student ppt 100"))
	if got, _ := h.LastBotMessage(g); !strings.Contains(got.Text, "另一个平台") {
		t.Fatalf("a Telegram group for a course on QQ: %q", got.Text)
	}
}

func TestQQBotLosingTheGroupTellsTheOwners(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	must(t, qq.SetAdmin(ctx, qqGroupNo, qqSelf, false))
	must(t, qq.Step(ctx))
	g, err := h.App.Store().GroupByChat(ctx, shequn.QQGroup(qqGroupNo))
	must(t, err)
	if g.Problem != groups.ProblemRemoved {
		t.Fatalf("after losing the admin role: problem %q", g.Problem)
	}
	if got := qq.LastTo(qqOwner, 0); !strings.Contains(got, "机器人已不是") || !strings.Contains(got, "学员1群") {
		t.Errorf("the QQ owner was not told: %q", got)
	}
	must(t, qq.SetAdmin(ctx, qqGroupNo, qqSelf, true))
	must(t, qq.Step(ctx))
	if g, _ = h.App.Store().GroupByChat(ctx, shequn.QQGroup(qqGroupNo)); g.Problem != "" {
		t.Errorf("admin again, the problem stays: %q", g.Problem)
	}
	must(t, qq.KickBot(ctx, qqGroupNo, qqOwner))
	must(t, qq.Step(ctx))
	if g, _ = h.App.Store().GroupByChat(ctx, shequn.QQGroup(qqGroupNo)); g.Problem != groups.ProblemRemoved {
		t.Errorf("kicked out: problem %q", g.Problem)
	}
}

func TestQQFriendRequestsAreAccepted(t *testing.T) {
	_, qq := qqCommunity(t)
	must(t, qq.AddFriend(t.Context(), qqBuyer, "想买课"))
	must(t, qq.Step(t.Context()))
	if !qq.Friends(qqBuyer) {
		t.Fatal("a buyer's friend request was not accepted")
	}
}

// A Telegram user cannot buy the QQ course (only the account that paid
// can ask to join); one who paid all the same (the group was registered
// after the purchase) is told where the group is, in text: a QQ group has
// no link a Telegram button could open.
func TestTelegramBuyerOfTheQQCourse(t *testing.T) {
	h, _ := qqCommunity(t)
	ctx := t.Context()
	buyer(t, h, 42, "zh")
	must(t, h.Say(ctx, 42, 42, "/start buy-xl"))
	if got, _ := h.LastBotMessage(42); !strings.Contains(got.Text, "另一个平台") {
		t.Fatalf("buying the QQ course on Telegram: %q", got.Text)
	}
	d := stripetest.CheckoutCompleted(WebhookSecret, "evt_cross", "cs_cross", "pi_cross", "xl", 42, 19900, time.Now())
	if code, err := h.Deliver(ctx, d); err != nil || code != 200 {
		t.Fatalf("webhook: %d %v", code, err)
	}
	must(t, h.Step(ctx))
	texts := strings.Join(botTexts(h, 42), "\n")
	if !strings.Contains(texts, "XL-00001") || !strings.Contains(texts, "700100200") {
		t.Fatalf("the Telegram buyer's welcome: %q", texts)
	}
	if strings.Contains(h.Log.String(), "BUTTON_URL_INVALID") {
		t.Error("a QQ group's way in was sent as a Telegram button")
	}
}

// A QQ buyer seated in a Telegram group (registered after the purchase)
// gets the Telegram link written out, not a QQ group number.
func TestQQBuyerOfATelegramGroupGetsTheLink(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/start"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "1")) // PPT: no group yet
	_, err := h.Paid(ctx, shequn.QQUser(qqBuyer), 1)
	must(t, err)
	g := h.Group("PPT", telegramtest.FullAdminRights())
	must(t, h.Say(ctx, h.Owner, g, "/register student ppt 10"))
	must(t, qq.Step(ctx))
	got := qq.LastTo(qqBuyer, 0)
	if !strings.Contains(got, "PPT-00001") || !strings.Contains(got, "https://t.me/+") || strings.Contains(got, "QQ群号 0") {
		t.Fatalf("the QQ buyer's way into a Telegram group: %q", got)
	}
}

// The whole way in and out holds when every refusal says only "操作失败",
// as NapCat's often do.
func TestQQWithWordlessRefusals(t *testing.T) {
	h, qq := qqCommunity(t)
	qq.Opaque = true
	ctx := t.Context()
	qqBuys(t, h, qq, qqBuyer, "小红")
	s, _ := h.Sales.Last(shequn.QQUser(qqBuyer))
	flag, err := qq.AskToJoin(ctx, qqGroupNo, qqStranger, "路人", "XL-00001")
	must(t, err)
	must(t, qq.Step(ctx))
	if r := qq.Request(flag); !r.Handled || r.Approved {
		t.Fatalf("the stranger: %+v", r)
	}
	_, err = qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", "XL-00001")
	must(t, err)
	must(t, qq.Step(ctx))
	if m, in := qq.Member(qqGroupNo, qqBuyer); !in || m.Card != "XL-00001 小红" {
		t.Fatalf("the buyer: in %v, card %q", in, m.Card)
	}
	must(t, h.Refunded(ctx, s))
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqBuyer); in {
		t.Fatal("the refunded member is still in the group")
	}
	must(t, qq.SetAdmin(ctx, qqGroupNo, qqSelf, false))
	must(t, qq.Step(ctx))
	if g, _ := h.App.Store().GroupByChat(ctx, shequn.QQGroup(qqGroupNo)); g.Problem != groups.ProblemRemoved {
		t.Errorf("demoted: problem %q", g.Problem)
	}
}
