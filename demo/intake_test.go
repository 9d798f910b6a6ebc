package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

// A user who floods commands gets 20 answers a minute, one "slow down",
// then silence until the minute has passed (the community's clock).
func TestCommandFloodIsCut(t *testing.T) {
	h := mustStart(t)
	const user = 42
	h.TG.AddUser(telegramtest.User{ID: user, FirstName: "F", LanguageCode: "en"})
	for range 30 {
		h.TG.SendText(user, user, "/help")
	}
	must(t, h.Step(t.Context()))
	replies := h.TG.BotMessages(user)
	if len(replies) != 21 {
		t.Fatalf("%d replies to 30 commands, want 20 and one slow-down", len(replies))
	}
	if last := replies[20].Text; !strings.Contains(last, "too fast") {
		t.Fatalf("the 21st reply: %q", last)
	}
	h.Clock.Advance(10 * time.Second)
	must(t, h.Say(t.Context(), user, user, "/help"))
	if n := len(h.TG.BotMessages(user)); n != 21 {
		t.Fatalf("a command after 10 s got an answer or another slow-down: %d replies", n)
	}
	h.Clock.Advance(time.Minute)
	must(t, h.Say(t.Context(), user, user, "/help"))
	if last, _ := h.LastBotMessage(user); !strings.Contains(last.Text, "/start") {
		t.Fatalf("after a minute: %q", last.Text)
	}
}

// Anyone may add the bot to a group; until an owner registers it, the bot
// answers nobody else there.
func TestUnregisteredGroupAnswersOwnersOnly(t *testing.T) {
	h := mustStart(t)
	const stranger = 43
	h.TG.AddUser(telegramtest.User{ID: stranger, FirstName: "S", LanguageCode: "en"})
	chat := h.TG.CreateSupergroup("not ours", stranger)
	must(t, h.TG.AddBotMember(chat))
	must(t, h.TG.AddMember(chat, h.Owner))
	for _, cmd := range []string{"/help", "/start", "/register", "/groups", "/nonsense"} {
		must(t, h.Say(t.Context(), stranger, chat, cmd+"@shequn_bot"))
	}
	if msgs := h.TG.BotMessages(chat); len(msgs) != 0 {
		t.Fatalf("the bot answered a stranger in an unregistered group: %q", msgs[0].Text)
	}
	must(t, h.Say(t.Context(), h.Owner, chat, "/help@shequn_bot"))
	if msgs := h.TG.BotMessages(chat); len(msgs) != 1 {
		t.Fatalf("the owner got %d answers, want 1", len(msgs))
	}
	// Registered, the group is the community's: its members are answered.
	must(t, h.TG.SetBotRights(chat, telegramtest.FullAdminRights()))
	must(t, h.Say(t.Context(), h.Owner, chat, "/register@shequn_bot student ppt 10"))
	before := len(h.TG.BotMessages(chat))
	must(t, h.Say(t.Context(), stranger, chat, "/help@shequn_bot"))
	if n := len(h.TG.BotMessages(chat)) - before; n != 1 {
		t.Fatalf("the group's creator got %d answers once it was registered, want 1", n)
	}
}

// An update stored (and so confirmed to Telegram) but never handled, as a
// crash leaves it, is handled when the app starts again.
func TestStoredUpdateIsHandledAfterARestart(t *testing.T) {
	h := mustStart(t)
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "A", LanguageCode: "en"})
	must(t, h.Say(t.Context(), 42, 42, "/start")) // opens the chat
	before := len(h.TG.BotMessages(42))
	update := tgbotapi.Update{UpdateID: 4242, Message: &tgbotapi.Message{
		MessageID: 1, Date: int(time.Now().Unix()), Text: "/help",
		Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: 5}},
		From:     &tgbotapi.User{ID: 42, FirstName: "A", LanguageCode: "en"},
		Chat:     &tgbotapi.Chat{ID: 42, Type: "private"},
	}}
	payload, err := json.Marshal(update)
	must(t, err)
	if _, err := h.App.Store().SaveUpdate(t.Context(), 4242, 42, "crash", payload, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	// The restart: another app on the same store and Telegram.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	again, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	runCtx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- again.Run(runCtx) }()
	defer func() { cancel(); <-done; again.Close() }()
	for deadline := time.Now().Add(10 * time.Second); len(h.TG.BotMessages(42)) == before; {
		must(t, again.Step(t.Context()))
		if time.Now().After(deadline) {
			t.Fatal("the stored update was never handled")
		}
	}
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "/start") {
		t.Fatalf("reply: %q", last.Text)
	}
}

// An update another instance stored and never finished (it stopped) is
// taken over once it has waited five minutes, and not before.
func TestStaleUpdateIsTakenOver(t *testing.T) {
	h := mustStart(t)
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "A", LanguageCode: "en"})
	must(t, h.Say(t.Context(), 42, 42, "/start")) // opens the chat
	before := len(h.TG.BotMessages(42))
	payload := fmt.Appendf(nil, `{"update_id":4243,"message":{"message_id":2,"date":%d,"text":"/help",
		"entities":[{"type":"bot_command","offset":0,"length":5}],
		"from":{"id":42,"is_bot":false,"first_name":"A","language_code":"en"},"chat":{"id":42,"type":"private"}}}`, time.Now().Unix())
	if _, err := h.App.Store().SaveUpdate(t.Context(), 4243, 42, "other", payload, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(2 * time.Minute)
	must(t, h.Step(t.Context()))
	if n := len(h.TG.BotMessages(42)) - before; n != 0 {
		t.Fatalf("an update another instance holds was taken after 2 minutes")
	}
	h.Clock.Advance(4 * time.Minute)
	must(t, h.Step(t.Context()))
	if n := len(h.TG.BotMessages(42)) - before; n != 1 {
		t.Fatalf("%d answers to the stale update, want 1", n)
	}
}
