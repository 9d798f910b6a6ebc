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

func TestSenderKeepsTelegramLimits(t *testing.T) {
	srv, s, clock := newSender(t, bot.TelegramLimits)
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.SendText(7, 7, "/start")
	group := srv.CreateSupergroup("g", 7)
	if err := srv.AddBotAdmin(group, telegramtest.FullAdminRights()); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := s.Send(t.Context(), bot.Interactive, 7, tgbotapi.NewMessage(7, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	// One a second into a private chat: 5 messages span at least 4 s.
	if got := clock.total(); got < 4*time.Second {
		t.Fatalf("5 private messages took %v of waiting, want >= 4s", got)
	}
	start := clock.total()
	for range 23 {
		if _, err := s.Send(t.Context(), bot.Bulk, group, tgbotapi.NewMessage(group, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	// 20 a minute into a group, with a burst of 3: 23 messages need a minute.
	if got := clock.total() - start; got < 59*time.Second {
		t.Fatalf("23 group messages took %v of waiting, want about a minute", got)
	}
}

// stepClock is a clock whose sleeps block until the test advances it.
type stepClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []stepSleeper
	changed  chan struct{} // signalled when a sleeper arrives
}

type stepSleeper struct {
	until time.Time
	wake  chan struct{}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	w := stepSleeper{c.now.Add(d), make(chan struct{})}
	c.sleepers = append(c.sleepers, w)
	c.mu.Unlock()
	c.changed <- struct{}{}
	select {
	case <-w.wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitSleepers blocks until n sleepers arrived since the last call.
func (c *stepClock) waitSleepers(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-c.changed:
		case <-time.After(10 * time.Second):
			t.Fatal("sender goroutines did not reach their wait")
		}
	}
}

// advance moves time and wakes the sleepers that are due.
func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.sleepers[:0]
	for _, w := range c.sleepers {
		if !w.until.After(c.now) {
			close(w.wake)
		} else {
			kept = append(kept, w)
		}
	}
	c.sleepers = kept
}

func TestSenderServesInteractiveBeforeBulk(t *testing.T) {
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	for id := int64(100); id <= 105; id++ {
		srv.AddUser(telegramtest.User{ID: id, FirstName: "U"})
		srv.SendText(id, id, "/start")
	}
	clock := &stepClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), changed: make(chan struct{}, 100)}
	s := bot.NewSender(bot.NewAPI(token, srv.URL(), nil), bot.Limits{Global: 1}, quiet, bot.WithClock(clock.Now, clock.Sleep))
	// The one token of the second goes to the first bulk message.
	if _, err := s.Send(t.Context(), bot.Bulk, 100, tgbotapi.NewMessage(100, "bulk")); err != nil {
		t.Fatal(err)
	}
	// Five more bulk messages wait for a token...
	var wg sync.WaitGroup
	for id := int64(101); id <= 104; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Send(t.Context(), bot.Bulk, id, tgbotapi.NewMessage(id, "bulk"))
		}()
	}
	clock.waitSleepers(t, 4)
	// ...when a reply to a waiting user comes in.
	replied := make(chan error, 1)
	go func() {
		_, err := s.Send(t.Context(), bot.Interactive, 105, tgbotapi.NewMessage(105, "reply"))
		replied <- err
	}()
	clock.waitSleepers(t, 1)
	clock.advance(time.Second)
	if err := <-replied; err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("sendMessage"); n != 2 {
		t.Fatalf("%d messages sent when the reply went out, want 2: the reply overtakes the queue", n)
	}
	// The bulk messages follow, one a second.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			if n := srv.Calls("sendMessage"); n != 6 {
				t.Fatalf("sent %d messages, want 6", n)
			}
			return
		case <-clock.changed:
			clock.advance(time.Second)
		case <-time.After(10 * time.Second):
			t.Fatal("bulk messages stuck")
		}
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
