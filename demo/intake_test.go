package demo

import (
	"strings"
	"testing"
	"time"

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
