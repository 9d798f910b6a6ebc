package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/payments/stripetest"
)

// noWait makes the sender's retries instant and records the waits.
type noWait struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noWait) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.waits = append(n.waits, d)
	n.mu.Unlock()
	return ctx.Err()
}

func mustStart(t *testing.T, setups ...Setup) *Harness {
	t.Helper()
	nw := &noWait{}
	h, err := Start(t.Context(), append([]Setup{func(_ *config.Config, o *app.Options) {
		o.SenderOptions = append(o.SenderOptions, bot.WithClock(time.Now, nw.sleep))
	}}, setups...)...)
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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// community registers one student group of the capacity and returns it.
func community(t *testing.T, h *Harness, capacity int) int64 {
	t.Helper()
	g := h.Group("学员群", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/start"))
	must(t, h.Say(t.Context(), h.Owner, g, fmt.Sprintf("/register student ppt %d", capacity)))
	return g
}

func buyer(t *testing.T, h *Harness, id int64, lang string) {
	t.Helper()
	h.TG.AddUser(telegramtest.User{ID: id, FirstName: fmt.Sprint("U", id), LanguageCode: lang})
	must(t, h.Say(t.Context(), id, id, "/start buy-ppt"))
}

func botTexts(h *Harness, chat int64) []string {
	var out []string
	for _, m := range h.TG.BotMessages(chat) {
		out = append(out, m.Text)
	}
	return out
}

func count(texts []string, sub string) int {
	n := 0
	for _, t := range texts {
		if strings.Contains(t, sub) {
			n++
		}
	}
	return n
}

var waitlisted = regexp.MustCompile(`🤖 → Carol \(en\): 🎉 Payment received! [^\n]*PPT-00007\.\n\s+Every student group is full right now, so you are on the waitlist`)

func TestDemoStory(t *testing.T) {
	var out bytes.Buffer
	if err := Run(t.Context(), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	// The bot's own words to the 7th buyer, not the act title the script
	// prints.
	if !waitlisted.MatchString(out.String()) {
		t.Errorf("transcript lacks the waitlist notice to Carol:\n%s", out.String())
	}
	for _, want := range []string{
		"PPT-00001", "PPT-00007", "Student group 3", "学员3群", "decline, Mallory",
		"ban, Alice", "已切换为中文", "机器人缺少这些管理员权限：置顶消息",
		"第 2 版", "记为迟交", "需要重做", "1. PPT-00001 — 100 分", "本周批改：@teacher4001 2 份",
		"/grade <编号> <分数|redo> [评语]", "/grant teacher|assistant @用户 [课程]",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
}

func TestPaidBuyerJoinsMutedGroupWithNumber(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	if h.TG.Permissions(g).CanSendMessages {
		t.Fatal("student group is not muted")
	}
	buyer(t, h, 42, "en")
	if _, err := h.Paid(t.Context(), 42, 1); err != nil {
		t.Fatal(err)
	}
	if n := count(botTexts(h, 42), "PPT-00001"); n != 1 {
		t.Fatalf("welcome DMs with the number = %d, want 1: %q", n, botTexts(h, 42))
	}
	if h.TG.IsMember(g, 42) {
		t.Fatal("member before asking to join")
	}
	must(t, h.Join(t.Context(), 42))
	if !h.TG.IsMember(g, 42) {
		t.Fatal("paid buyer was not let in")
	}
	if n := count(botTexts(h, g), "PPT-00001"); n != 1 {
		t.Fatalf("group welcomes = %d, want 1", n)
	}
	// The buyer stays muted like everyone else.
	if _, err := h.TG.SendText(42, g, "hello"); err == nil {
		t.Fatal("a student could speak in the muted group")
	}
}

func TestStrangerIsDeclined(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	buyer(t, h, 42, "zh")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	link, _ := h.LinkButton(42, "https://t.me/+")
	h.TG.AddUser(telegramtest.User{ID: 66, FirstName: "Stranger"})
	must(t, h.TG.RequestJoin(66, link))
	must(t, h.Step(t.Context()))
	if h.TG.IsMember(g, 66) {
		t.Fatal("a user who did not pay was let in")
	}
	if len(h.TG.PendingJoinRequests(g)) != 0 {
		t.Fatal("the stranger's request was left pending")
	}
}

func TestDuplicateDeliveriesMakeOneEnrollment(t *testing.T) {
	h := mustStart(t)
	community(t, h, 5)
	buyer(t, h, 42, "zh")
	s, err := h.Paid(t.Context(), 42, 3)
	must(t, err)
	// A second event for the same session (the async success of a delayed method).
	async := stripetest.Sign(WebhookSecret, "evt_async", "checkout.session.async_payment_succeeded", map[string]any{
		"id": s.ID, "object": "checkout.session", "payment_status": "paid", "client_reference_id": "42",
		"payment_intent": s.PaymentIntent, "amount_total": 19900, "currency": "cny",
		"metadata": map[string]string{"course": "ppt", "telegram_user_id": "42"},
	}, time.Now())
	code, err := h.Deliver(t.Context(), async)
	must(t, err)
	if code != http.StatusOK {
		t.Fatalf("async event: %d", code)
	}
	must(t, h.Step(t.Context()))
	if n := count(botTexts(h, 42), "PPT-0000"); n != 1 {
		t.Fatalf("welcome DMs = %d, want exactly 1", n)
	}
	en, err := h.App.Store().Enrollment(t.Context(), "ppt", 42)
	must(t, err)
	if en.Number != 1 {
		t.Fatalf("number = %d", en.Number)
	}
}

func TestBadWebhooksChangeNothing(t *testing.T) {
	h := mustStart(t)
	community(t, h, 5)
	buyer(t, h, 42, "zh")
	s, _ := h.Sales.Last(42)
	good := stripetest.CheckoutCompleted(WebhookSecret, "evt_1", s.ID, s.PaymentIntent, "ppt", 42, 19900, time.Now())
	cases := []struct {
		name string
		d    stripetest.Delivery
	}{
		{"unsigned", stripetest.Delivery{Body: good.Body}},
		{"forged", stripetest.CheckoutCompleted("whsec_wrong", "evt_1", s.ID, s.PaymentIntent, "ppt", 42, 19900, time.Now())},
		{"stale", stripetest.CheckoutCompleted(WebhookSecret, "evt_1", s.ID, s.PaymentIntent, "ppt", 42, 19900, time.Now().Add(-10*time.Minute))},
		{"tampered", stripetest.Delivery{Body: bytes.Replace(good.Body, []byte(`"42"`), []byte(`"43"`), 1), Signature: good.Signature}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, err := h.Deliver(t.Context(), c.d)
			must(t, err)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", code)
			}
		})
	}
	must(t, h.Step(t.Context()))
	if _, err := h.App.Store().Enrollment(t.Context(), "ppt", 42); err == nil {
		t.Fatal("a bad webhook enrolled the buyer")
	}
}

// A failure half-way (Telegram answering 500 to the invite) is finished by
// the next pass, exactly once.
func TestReconcilerFinishesAfterTelegramFailure(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	buyer(t, h, 42, "zh")
	h.TG.FailNext("sendMessage", 1000, 500, "Internal Server Error")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	if n := count(botTexts(h, 42), "PPT-00001"); n != 0 {
		t.Fatalf("invite delivered through a failing Telegram: %d", n)
	}
	h.TG.FailNext("sendMessage", 0, 0, "")
	h.Clock.Advance(time.Minute) // the failed invite backs off
	must(t, h.Step(t.Context()))
	must(t, h.Step(t.Context()))
	if n := count(botTexts(h, 42), "PPT-00001"); n != 1 {
		t.Fatalf("invites after recovery = %d, want 1", n)
	}
	// Approval fails half-way too: the join is finished by the next pass.
	link, _ := h.LinkButton(42, "https://t.me/+")
	h.TG.FailNext("approveChatJoinRequest", 1000, 500, "Internal Server Error")
	must(t, h.TG.RequestJoin(42, link))
	must(t, h.Step(t.Context()))
	if h.TG.IsMember(g, 42) {
		t.Fatal("approved through a failing Telegram")
	}
	h.TG.FailNext("approveChatJoinRequest", 0, 0, "")
	h.Clock.Advance(time.Minute)
	must(t, h.Step(t.Context()))
	if !h.TG.IsMember(g, 42) {
		t.Fatal("the approved join was not finished")
	}
	if n := count(botTexts(h, g), "PPT-00001"); n != 1 {
		t.Fatalf("group welcomes = %d, want 1", n)
	}
}

func TestRefundRemovesAndRepurchaseRejoinsWithSameNumber(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 1)
	buyer(t, h, 42, "en")
	s, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Join(t.Context(), 42))
	buyer(t, h, 43, "en")
	_, err = h.Paid(t.Context(), 43, 1)
	must(t, err)
	if n := count(botTexts(h, 43), "waitlist"); n != 1 {
		t.Fatalf("waitlist notice = %d", n)
	}
	must(t, h.Refunded(t.Context(), s))
	if h.TG.IsMember(g, 42) {
		t.Fatal("refunded member still in the group")
	}
	if n := count(botTexts(h, 42), "cancelled"); n != 1 {
		t.Fatalf("removal DMs = %d", n)
	}
	// The freed seat went to the one waiting.
	if n := count(botTexts(h, 43), "Student group 1"); n != 1 {
		t.Fatalf("waitlisted buyer got no seat: %q", botTexts(h, 43))
	}
	must(t, h.Join(t.Context(), 43))
	// Buying again brings the old number back, on the waitlist now.
	must(t, h.Say(t.Context(), 42, 42, "/start buy-ppt"))
	_, err = h.Paid(t.Context(), 42, 1)
	must(t, err)
	en, err := h.App.Store().Enrollment(t.Context(), "ppt", 42)
	must(t, err)
	if !en.Active() || en.Number != 1 {
		t.Fatalf("re-enrollment = %+v", en)
	}
	g2 := h.Group("学员群 2", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, g2, "/register student ppt 5"))
	must(t, h.Join(t.Context(), 42))
	if !h.TG.IsMember(g2, 42) {
		t.Fatal("a banned-then-unbanned buyer could not rejoin after buying again")
	}
}

func TestCommandsAndLanguages(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	h.TG.AddUser(telegramtest.User{ID: 7, FirstName: "Zed", LanguageCode: "zh-hans"})
	h.TG.AddMember(g, 7)
	before := len(h.TG.BotMessages(g))
	must(t, h.Say(t.Context(), h.Owner, g, "/groups@otherbot"))
	if len(h.TG.BotMessages(g)) != before {
		t.Fatal("answered a command meant for another bot")
	}
	must(t, h.Say(t.Context(), h.Owner, g, "/groups@shequn_bot"))
	if len(h.TG.BotMessages(g)) != before+1 {
		t.Fatal("ignored a command addressed to us")
	}
	cases := []struct {
		lang, text, want string
	}{
		{"zh-hans", "/nope", "我不认识这个命令"},
		{"en", "/nope", "I don't know that command"},
		{"", "/me", "你还没有购买任何课程"},
		{"en-GB", "/me", "You have not bought a course yet"},
		{"zh", "/register student ppt 3", "只有社群所有者"},
		{"en", "hello", "/start"},
	}
	for i, c := range cases {
		id := int64(100 + i)
		h.TG.AddUser(telegramtest.User{ID: id, FirstName: "U", LanguageCode: c.lang})
		must(t, h.Say(t.Context(), id, id, c.text))
		last, _ := h.LastBotMessage(id)
		if !strings.Contains(last.Text, c.want) {
			t.Errorf("%s %q: got %q, want %q", c.lang, c.text, last.Text, c.want)
		}
	}
	// Usage of /register in the owner's language.
	must(t, h.Say(t.Context(), h.Owner, g, "/register"))
	if last, _ := h.LastBotMessage(g); !strings.Contains(last.Text, "用法") {
		t.Errorf("register usage: %q", last.Text)
	}
	// /language overrides Telegram's language.
	must(t, h.Say(t.Context(), 105, 105, "/language"))
	must(t, h.Press(t.Context(), 105, 105, "lang:zh-CN"))
	must(t, h.Say(t.Context(), 105, 105, "/me"))
	if last, _ := h.LastBotMessage(105); !strings.Contains(last.Text, "你还没有购买") {
		t.Errorf("after /language: %q", last.Text)
	}
}

func TestMeGivesAWayBackAfterLeaving(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	buyer(t, h, 42, "en")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Join(t.Context(), 42))
	must(t, h.TG.Leave(42, g))
	must(t, h.Step(t.Context()))
	must(t, h.Say(t.Context(), 42, 42, "/me"))
	last, _ := h.LastBotMessage(42)
	if !strings.Contains(last.Text, "not in it") {
		t.Fatalf("/me after leaving: %q", last.Text)
	}
	must(t, h.Join(t.Context(), 42))
	if !h.TG.IsMember(g, 42) {
		t.Fatal("could not come back")
	}
}

// Many webhooks at once: numbers stay sequential and unique, no group
// goes over capacity.
func TestConcurrentWebhooks(t *testing.T) {
	h := mustStart(t)
	community(t, h, 30)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uid := int64(5000 + i)
			d := stripetest.CheckoutCompleted(WebhookSecret, fmt.Sprint("evt_c", i), fmt.Sprint("cs_c", i), fmt.Sprint("pi_c", i), "ppt", uid, 19900, time.Now())
			code, err := h.Deliver(t.Context(), d)
			if err == nil && code != 200 {
				err = fmt.Errorf("status %d", code)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	must(t, h.Step(t.Context()))
	seen := map[int]bool{}
	for i := range n {
		en, err := h.App.Store().Enrollment(t.Context(), "ppt", int64(5000+i))
		must(t, err)
		if seen[en.Number] || en.Number < 1 || en.Number > n {
			t.Fatalf("number %d duplicated or out of range", en.Number)
		}
		seen[en.Number] = true
	}
	gs, err := h.App.Store().Groups(t.Context())
	must(t, err)
	if gs[0].SeatsUsed != 30 {
		t.Fatalf("seats used = %d, want 30", gs[0].SeatsUsed)
	}
	waiting, err := h.App.Store().WaitlistLen(t.Context(), "ppt")
	must(t, err)
	if waiting != n-30 {
		t.Fatalf("waiting = %d, want %d", waiting, n-30)
	}
}

// A refunded member who buys again before the reconciler could take them
// out (Telegram failing the removal) is taken out of the old group before
// being seated again, so nobody ends up in two groups.
func TestRebuyBeforeRemovalLeavesNoOneInTwoGroups(t *testing.T) {
	h := mustStart(t)
	g1 := community(t, h, 1)
	buyer(t, h, 42, "en")
	s, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Join(t.Context(), 42))
	buyer(t, h, 43, "en")
	_, err = h.Paid(t.Context(), 43, 1) // waits; takes the seat 42 frees
	must(t, err)
	h.TG.FailNext("banChatMember", 1000, 500, "Internal Server Error")
	must(t, h.Refunded(t.Context(), s))
	if !h.TG.IsMember(g1, 42) {
		t.Fatal("removed through a failing Telegram")
	}
	// 42 pays again while the removal is still pending; group 1 is full
	// with 43 now, so 42 waits for a new group.
	buyer(t, h, 42, "en")
	_, err = h.Paid(t.Context(), 42, 1)
	must(t, err)
	h.TG.FailNext("banChatMember", 0, 0, "")
	g2 := h.Group("学员群 2", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, g2, "/register student ppt 5"))
	must(t, h.Join(t.Context(), 42))
	if h.TG.IsMember(g1, 42) || !h.TG.IsMember(g2, 42) {
		t.Fatalf("after paying again: in group 1 %v, group 2 %v; want only group 2", h.TG.IsMember(g1, 42), h.TG.IsMember(g2, 42))
	}
	en, err := h.App.Store().Enrollment(t.Context(), "ppt", 42)
	must(t, err)
	if !en.Active() || en.Number != 1 {
		t.Fatalf("enrollment after paying again = %+v", en)
	}
}

func TestCommandMenusPerScopeAndLanguage(t *testing.T) {
	h := mustStart(t)
	private := h.TG.Commands(telegramtest.CommandScope{Type: "all_private_chats"}, "")
	admins := h.TG.Commands(telegramtest.CommandScope{Type: "all_chat_administrators"}, "en")
	if len(private) == 0 || private[0].Command != "start" || !strings.Contains(private[0].Description, "课程") {
		t.Fatalf("private menu (default, Chinese) = %+v", private)
	}
	if len(admins) == 0 || admins[0].Command != "register" || !strings.Contains(admins[0].Description, "Register") {
		t.Fatalf("administrators' menu in English = %+v", admins)
	}
}

// click presses the newest button with the data in the user's private
// chat, steps, and fails unless the callback query was answered.
func click(t *testing.T, h *Harness, user int64, data string) {
	t.Helper()
	msgs := h.TG.BotMessages(user)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].ReplyMarkup {
			for _, b := range row {
				if b.CallbackData != data {
					continue
				}
				id, err := h.TG.Click(user, user, msgs[i].ID, data)
				must(t, err)
				must(t, h.Step(t.Context()))
				if _, ok := h.TG.AnsweredCallback(id); !ok {
					t.Fatalf("button %q: callback not answered", data)
				}
				return
			}
		}
	}
	t.Fatalf("no button %q in the chat with %d", data, user)
}

// Every kind of button is answered (Telegram shows a spinner until it is):
// buy, language, submit, review grade, score and skip.
func TestEveryCallbackIsAnswered(t *testing.T) {
	h := mustStart(t)
	classroom(t, h)
	for _, id := range []int64{42, 43} {
		h.TG.AddUser(telegramtest.User{ID: id, FirstName: fmt.Sprint("U", id), LanguageCode: "en"})
		must(t, h.Say(t.Context(), id, id, "/start"))
		click(t, h, id, "buy:ppt")
		_, err := h.Paid(t.Context(), id, 1)
		must(t, err)
	}
	must(t, h.Say(t.Context(), 42, 42, "/language"))
	click(t, h, 42, "lang:zh-CN")
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "已切换为中文") {
		t.Fatalf("language button: %q", last.Text)
	}

	a := publish(t, h, "Cover")
	for _, id := range []int64{42, 43} {
		must(t, h.Say(t.Context(), id, id, "/submit"))
		click(t, h, id, fmt.Sprintf("sub:%d", a.ID))
		must(t, h.Say(t.Context(), id, id, fmt.Sprintf("work of %d", id)))
	}
	subs := map[int64]int64{}
	for _, id := range []int64{42, 43} {
		ss, err := h.App.Store().Submissions(t.Context(), id)
		must(t, err)
		if len(ss) != 1 {
			t.Fatalf("submissions of %d: %+v", id, ss)
		}
		subs[id] = ss[0].ID
	}

	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	click(t, h, teacher1, fmt.Sprintf("rk:%d", subs[42]))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	click(t, h, teacher1, fmt.Sprintf("rs:%d:90", subs[42]))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/skip"))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	click(t, h, teacher1, fmt.Sprintf("rv:%d:g", subs[43]))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/skip"))
	for id, want := range map[int64]assignments.State{42: assignments.StateReviewed, 43: assignments.StateReviewed} {
		sub, err := h.App.Store().Submission(t.Context(), subs[id])
		must(t, err)
		if sub.State != want || sub.ReviewedBy != teacher1 {
			t.Errorf("submission of %d after the buttons: %+v", id, sub)
		}
	}
}

func TestDisputeTakesTheSeatBack(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	buyer(t, h, 42, "zh")
	s, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Join(t.Context(), 42))
	code, err := h.Deliver(t.Context(), stripetest.DisputeCreated(WebhookSecret, "evt_dp", "dp_1", "ch_1", s.PaymentIntent, 19900, time.Now()))
	must(t, err)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	must(t, h.Step(t.Context()))
	if h.TG.IsMember(g, 42) {
		t.Fatal("disputed member still in the group")
	}
	if n := count(botTexts(h, 42), "支付争议"); n != 1 {
		t.Fatalf("removal notice in Chinese = %d: %q", n, botTexts(h, 42))
	}
	gs, err := h.App.Store().Groups(t.Context())
	must(t, err)
	if gs[0].SeatsUsed != 0 {
		t.Fatalf("seat not freed: %d used", gs[0].SeatsUsed)
	}
	orders, err := h.App.Store().Orders(t.Context(), 42)
	must(t, err)
	if len(orders) != 1 || orders[0].Status != "disputed" {
		t.Fatalf("order history = %+v", orders)
	}
}

// A group takes about 20 messages a minute: members arriving together are
// greeted in one line, not one message each.
func TestArrivalsAreGreetedTogether(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 50)
	var ids []int64
	for i := range 5 {
		id := int64(60 + i)
		ids = append(ids, id)
		buyer(t, h, id, "zh")
		_, err := h.Paid(t.Context(), id, 1)
		must(t, err)
	}
	before := len(h.TG.BotMessages(g))
	for _, id := range ids {
		link, _ := h.LinkButton(id, "https://t.me/+")
		must(t, h.TG.RequestJoin(id, link))
	}
	must(t, h.Step(t.Context()))
	greetings := h.TG.BotMessages(g)[before:]
	if len(greetings) != 1 {
		t.Fatalf("%d greetings for 5 arrivals, want 1: %+v", len(greetings), greetings)
	}
	for n := 1; n <= 5; n++ {
		if !strings.Contains(greetings[0].Text, fmt.Sprintf("PPT-0000%d", n)) {
			t.Errorf("greeting %q lacks PPT-0000%d", greetings[0].Text, n)
		}
	}
}
