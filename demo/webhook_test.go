package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/payments/stripetest"
)

const hookSecret = "hook_secret-42"

// In webhook mode Telegram posts updates to any instance; every instance
// shares the update log, so an update delivered twice, to the same or to
// another instance, is handled once.
func TestWebhookModeAnyInstanceHandlesAnUpdateOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	hook := "http://" + ln.Addr().String() + "/telegram/webhook"
	h, err := Start(t.Context(), func(cfg *config.Config, o *app.Options) {
		cfg.TelegramWebhookSecret, cfg.TelegramWebhookURL = hookSecret, hook
		o.Listener = ln
	})
	must(t, err)
	defer h.Close()
	replies := make(chan telegramtest.Event, 100)
	h.TG.OnEvent(func(e telegramtest.Event) {
		if e.Kind == "bot_message" {
			replies <- e
		}
	})
	waitReply := func(chat int64) {
		t.Helper()
		for {
			select {
			case e := <-replies:
				if e.ChatID == chat {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no reply to %d", chat)
			}
		}
	}
	// Telegram was told where to post, with the secret.
	if h.TG.WebhookURL() != hook {
		t.Fatalf("webhook URL = %q, want %q", h.TG.WebhookURL(), hook)
	}
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "A", LanguageCode: "en"})
	h.TG.SendText(42, 42, "/start")
	waitReply(42)

	// A second instance on the same store.
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	second, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln2, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	done := make(chan error, 1)
	runCtx, cancel := context.WithCancel(t.Context())
	go func() { done <- second.Run(runCtx) }()
	defer func() { cancel(); <-done; second.Close() }()

	update := []byte(fmt.Sprintf(`{"update_id":777,"message":{"message_id":900,"date":%d,"text":"/help",
		"entities":[{"type":"bot_command","offset":0,"length":5}],
		"from":{"id":42,"is_bot":false,"first_name":"A","language_code":"en"},"chat":{"id":42,"type":"private"}}}`, time.Now().Unix()))
	post := func(base, secret string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+base+"/telegram/webhook", bytes.NewReader(update))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	before := len(h.TG.BotMessages(42))
	if code := post(ln2.Addr().String(), hookSecret); code != http.StatusOK {
		t.Fatalf("second instance answered %d", code)
	}
	// 200 means stored; the instance handles it in the background.
	must(t, second.Step(t.Context()))
	if n := len(h.TG.BotMessages(42)) - before; n != 1 {
		t.Fatalf("replies after the first delivery = %d, want 1", n)
	}
	// Delivered again, to either instance: nothing more happens.
	for _, base := range []string{ln.Addr().String(), ln2.Addr().String()} {
		if code := post(base, hookSecret); code != http.StatusOK {
			t.Fatalf("redelivery answered %d", code)
		}
	}
	must(t, h.Step(t.Context()))
	must(t, second.Step(t.Context()))
	if n := len(h.TG.BotMessages(42)) - before; n != 1 {
		t.Fatalf("replies after redeliveries = %d, want 1", n)
	}
	// Without the secret nobody gets in.
	if code := post(ln.Addr().String(), "wrong"); code != http.StatusForbidden {
		t.Fatalf("wrong secret answered %d, want 403", code)
	}
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "/start") {
		t.Fatalf("reply: %q", last.Text)
	}
}

// Two instances on one store: payments are applied by whichever runs a
// pass, but the invites go out once, from the instance holding the
// reconciler's lease; when it stops, the other takes over within one lease
// period.
func TestTwoInstancesSendEachInviteOnce(t *testing.T) {
	h := mustStart(t) // the first instance; it holds the lease from the set-up
	community(t, h, 50)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	second, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	defer second.Close()
	course, _ := h.Config.Course("ppt")
	// pay makes a user buy without stepping the first instance.
	pay := func(user int64) {
		t.Helper()
		h.TG.AddUser(telegramtest.User{ID: user, FirstName: "U", LanguageCode: "en"})
		h.TG.SendText(user, user, "/start") // opens the private chat
		_, id, _ := h.Sales.CreateSession(t.Context(), course, user)
		s, _ := h.Sales.Last(user)
		d := stripetest.CheckoutCompleted(WebhookSecret, "evt_"+id, id, s.PaymentIntent, "ppt", user, 19900, time.Now())
		if code, err := h.Deliver(t.Context(), d); err != nil || code != http.StatusOK {
			t.Fatalf("webhook: %d %v", code, err)
		}
	}
	// The users' /start was never handled here, so the DMs are in Chinese.
	invites := func(user int64) int { return count(botTexts(h, user), "你的学员编号") }

	pay(42)
	for range 3 {
		for _, a := range []*app.App{second, h.App} {
			must(t, a.RunJobs(t.Context(), h.Clock.Now()))
		}
	}
	if n := invites(42); n != 1 {
		t.Fatalf("invites to 42 = %d, want 1", n)
	}
	// The first instance stops running; the second applies the next
	// payment but sends nothing while the first one's lease lasts.
	pay(43)
	must(t, second.RunJobs(t.Context(), h.Clock.Now()))
	if en, err := second.Store().Enrollment(t.Context(), "ppt", 43); err != nil || en.Number != 2 {
		t.Fatalf("payment not applied by the second instance: %+v %v", en, err)
	}
	if n := invites(43); n != 0 {
		t.Fatalf("invited while the stopped instance's lease lasts: %d", n)
	}
	h.Clock.Advance(3 * time.Minute)
	must(t, second.RunJobs(t.Context(), h.Clock.Now()))
	if n := invites(43); n != 1 {
		t.Fatalf("invites to 43 after the takeover = %d, want 1", n)
	}
}
