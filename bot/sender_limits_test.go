package bot_test

import (
	"fmt"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

// limitedSender is a sender and a fake Telegram enforcing the same limits,
// both on one clock whose sleeps move time instead of spending it.
// Both keep Telegram's limits scaled by k.
func limitedSender(t *testing.T, k, users int) (*telegramtest.Server, *bot.Sender, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	srv := telegramtest.New(token, telegramtest.WithClock(clock.Now), telegramtest.WithRateLimitsScaled(k))
	t.Cleanup(srv.Close)
	for i := range users {
		id := int64(1000 + i)
		srv.AddUser(telegramtest.User{ID: id, FirstName: "U"})
		if _, err := srv.SendText(id, id, "/start"); err != nil {
			t.Fatal(err)
		}
	}
	s := bot.NewSender(bot.NewAPI(token, srv.URL(), nil), bot.TelegramLimits.Scaled(k), quiet, bot.WithClock(clock.Now, clock.Sleep))
	return srv, s, clock
}

func group(t *testing.T, srv *telegramtest.Server) int64 {
	t.Helper()
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "Owner"})
	g := srv.CreateSupergroup("g", 7)
	if err := srv.AddBotAdmin(g, telegramtest.FullAdminRights()); err != nil {
		t.Fatal(err)
	}
	return g
}

// At Telegram's limits the fake never answers 429, and the messages take the
// least time the limits allow: 20 a minute into a group, so 45 messages need
// two minutes; 30 a second in all, so 100 messages need a bit over 3 s. (A
// limiter with a burst of 30 and 30 a second lets 31 through in one second.)
func TestSenderKeepsTelegramLimitsWithoutA429(t *testing.T) {
	srv, s, clock := limitedSender(t, 1, 100)
	g := group(t, srv)
	for i := range 100 {
		id := int64(1000 + i)
		if _, err := s.Send(t.Context(), bot.Bulk, id, tgbotapi.NewMessage(id, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if got := clock.total(); got < 3*time.Second || got > 3400*time.Millisecond {
		t.Fatalf("100 messages to 100 users took %v, want 3 s to 3.4 s", got)
	}
	start := clock.total()
	for i := range 45 {
		if _, err := s.Send(t.Context(), bot.Relay, g, tgbotapi.NewMessage(g, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if got := clock.total() - start; got < 2*time.Minute || got > 2*time.Minute+time.Second {
		t.Fatalf("45 group messages took %v, want two minutes", got)
	}
	for i := range 5 {
		if _, err := s.Send(t.Context(), bot.Interactive, 1000, tgbotapi.NewMessage(1000, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.RateLimited(); n != 0 {
		t.Fatalf("the fake answered 429 %d times", n)
	}
	msgs := srv.BotMessages(g)
	for i, m := range msgs {
		if m.Text != fmt.Sprint(i) {
			t.Fatalf("group message %d is %q: out of order", i, m.Text)
		}
	}
}

// Higher limits (paid broadcasts) are used as configured.
func TestSenderUsesConfiguredLimits(t *testing.T) {
	srv, s, clock := limitedSender(t, 2, 1)
	for range 6 {
		if _, err := s.Send(t.Context(), bot.Interactive, 1000, tgbotapi.NewMessage(1000, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	// Two a second into a private chat: 6 messages need 2 s.
	if got := clock.total(); got != 2*time.Second {
		t.Fatalf("6 messages took %v, want 2 s", got)
	}
	if srv.RateLimited() != 0 {
		t.Fatal("429 at the configured limits")
	}
}

// A broadcast to many members does not leave a state behind for each: the
// chats whose window has passed are forgotten as the map grows.
func TestSenderForgetsIdleChats(t *testing.T) {
	_, s, _ := limitedSender(t, 1, 3000)
	for i := range 3000 { // 100 s at 30 a second: most windows have passed
		id := int64(1000 + i)
		if _, err := s.Send(t.Context(), bot.Bulk, id, tgbotapi.NewMessage(id, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Chats(); n > 2048 {
		t.Fatalf("the sender keeps %d chats after 3000 one-off messages", n)
	}
}

// An album copied in one call counts as its items: the sender waits for
// room for all of them rather than meeting a 429.
func TestSenderCountsAnAlbumAsItsItems(t *testing.T) {
	srv, s, clock := limitedSender(t, 1, 1)
	g := group(t, srv)
	ids, err := srv.SendAlbum(1000, 1000, "一", "二", "三")
	if err != nil {
		t.Fatal(err)
	}
	album := tgbotapi.Params{"chat_id": fmt.Sprint(g), "from_chat_id": "1000", "message_ids": fmt.Sprintf("[%d,%d,%d]", ids[0], ids[1], ids[2])}
	for range 18 {
		if _, err := s.Send(t.Context(), bot.Bulk, g, tgbotapi.NewMessage(g, "page")); err != nil {
			t.Fatal(err)
		}
	}
	start := clock.total()
	if _, err := s.CallN(t.Context(), bot.Relay, g, 3, "copyMessages", album); err != nil {
		t.Fatal(err)
	}
	if n := srv.RateLimited(); n != 0 {
		t.Fatalf("%d answers 429", n)
	}
	if waited := clock.total() - start; waited < 50*time.Second {
		t.Errorf("the album went out after %v: 18 + 3 exceed 20 a minute", waited)
	}
	// Into a private chat (one a second) an album goes out whole.
	if _, err := s.CallN(t.Context(), bot.Bulk, 1000, 3, "copyMessages", tgbotapi.Params{"chat_id": "1000", "from_chat_id": "1000", "message_ids": album["message_ids"]}); err != nil {
		t.Fatal(err)
	}
	if n := srv.RateLimited(); n != 0 {
		t.Fatalf("%d answers 429 for an album into a private chat", n)
	}
}
