package bot_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

// fakeClock is a clock whose sleeps move time instead of spending it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.sleeps = append(c.sleeps, d)
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Duration
	for _, d := range c.sleeps {
		t += d
	}
	return t
}

func newSender(t *testing.T, limits bot.Limits) (*telegramtest.Server, *bot.Sender, *fakeClock) {
	t.Helper()
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := bot.NewSender(bot.NewAPI(token, srv.URL(), nil), limits, quiet, bot.WithClock(clock.Now, clock.Sleep))
	return srv, s, clock
}

func TestSenderWaitsOutRetryAfter(t *testing.T) {
	srv, s, clock := newSender(t, bot.Limits{})
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.SendText(7, 7, "/start")
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 7")
	if _, err := s.Send(t.Context(), bot.Interactive, 7, tgbotapi.NewMessage(7, "hi")); err != nil {
		t.Fatal(err)
	}
	if got := clock.total(); got != 7*time.Second {
		t.Fatalf("waited %v, want retry_after 7s", got)
	}
	if n := len(srv.BotMessages(7)); n != 1 {
		t.Fatalf("delivered %d messages, want 1", n)
	}
}

func TestSenderRetriesServerErrorsThenGivesUp(t *testing.T) {
	srv, s, clock := newSender(t, bot.Limits{})
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.SendText(7, 7, "/start")
	srv.FailNext("sendMessage", 2, 500, "Internal Server Error")
	if _, err := s.Send(t.Context(), bot.Bulk, 7, tgbotapi.NewMessage(7, "hi")); err != nil {
		t.Fatalf("two 500s then success: %v", err)
	}
	if len(clock.sleeps) != 2 || clock.sleeps[1] <= clock.sleeps[0] {
		t.Fatalf("backoff = %v, want two growing waits", clock.sleeps)
	}
	srv.FailNext("sendMessage", 100, 500, "Internal Server Error")
	_, err := s.Send(t.Context(), bot.Bulk, 7, tgbotapi.NewMessage(7, "hi"))
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 500 {
		t.Fatalf("err = %v, want the 500 after the last attempt", err)
	}
	// A client error is not retried.
	srv.FailNext("sendMessage", 0, 0, "")
	before := srv.Calls("sendMessage")
	if _, err := s.Send(t.Context(), bot.Bulk, 99, tgbotapi.NewMessage(99, "hi")); err == nil {
		t.Fatal("sent to an unknown chat")
	}
	if srv.Calls("sendMessage")-before != 1 {
		t.Fatal("a 400 was retried")
	}
}

func TestSenderCloseRefusesNewCalls(t *testing.T) {
	_, s, _ := newSender(t, bot.Limits{})
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMe(t.Context()); !errors.Is(err, bot.ErrSenderClosed) {
		t.Fatalf("err = %v", err)
	}
}
