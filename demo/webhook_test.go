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
	if n := len(h.TG.BotMessages(42)) - before; n != 1 {
		t.Fatalf("replies after the first delivery = %d, want 1", n)
	}
	// Delivered again, to either instance: nothing more happens.
	for _, base := range []string{ln.Addr().String(), ln2.Addr().String()} {
		if code := post(base, hookSecret); code != http.StatusOK {
			t.Fatalf("redelivery answered %d", code)
		}
	}
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
