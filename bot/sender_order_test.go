package bot_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

// stepClock is a clock whose sleeps block until the test moves it.
type stepClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[*stepSleeper]bool
}

type stepSleeper struct {
	until time.Time
	wake  chan struct{}
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), sleepers: map[*stepSleeper]bool{}}
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
	w := &stepSleeper{c.now.Add(d), make(chan struct{})}
	c.sleepers[w] = true
	c.mu.Unlock()
	select {
	case <-w.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, w)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// sleeping returns how many goroutines sleep on the clock.
func (c *stepClock) sleeping() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// advance moves time and wakes the sleepers that are due.
func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for w := range c.sleepers {
		if !w.until.After(c.now) {
			close(w.wake)
			delete(c.sleepers, w)
		}
	}
}

// waitFor waits until the sender's goroutines reach the state cond checks
// (their place in a queue or a sleep); it never waits for a rule's time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("sender goroutines never got to: %s", what)
		}
		runtime.Gosched()
	}
}

// delivered records the chats of the bot's messages in the fake, in order.
type delivered struct {
	mu    sync.Mutex
	chats []int64
}

func (d *delivered) record(e telegramtest.Event) {
	if e.Kind == "bot_message" {
		d.mu.Lock()
		d.chats = append(d.chats, e.ChatID)
		d.mu.Unlock()
	}
}

func (d *delivered) list() []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.chats)
}

// queued is one message for queueAll.
type queued struct {
	pri  bot.Priority
	chat int64
}

// queueAll fills a sender whose global limit is one a second and whose
// slot is taken: each message waits, in the order given. Then it moves the
// clock a second at a time and returns the chats in delivery order.
func queueAll(t *testing.T, msgs []queued) []int64 {
	t.Helper()
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	for id := int64(100); id <= 130; id++ {
		srv.AddUser(telegramtest.User{ID: id, FirstName: "U"})
		srv.SendText(id, id, "/start")
	}
	var got delivered
	srv.OnEvent(got.record)
	clock := newStepClock()
	s := bot.NewSender(bot.NewAPI(token, srv.URL(), nil), bot.Limits{Global: bot.Limit{Count: 1, Window: time.Second}},
		quiet, bot.WithClock(clock.Now, clock.Sleep))
	if _, err := s.Send(t.Context(), bot.Bulk, 100, tgbotapi.NewMessage(100, "first")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Go(func() {
			if _, err := s.Send(t.Context(), m.pri, m.chat, tgbotapi.NewMessage(m.chat, "x")); err != nil {
				t.Error(err)
			}
		})
		waitFor(t, fmt.Sprintf("%d waiting", i+1), func() bool { n, _ := s.Waiting(0); return n == i+1 })
	}
	all := func() bool { return len(got.list()) == len(msgs)+1 }
	for !all() {
		waitFor(t, "a sleep until the next slot", func() bool { return clock.sleeping() > 0 || all() })
		clock.advance(time.Second)
	}
	wg.Wait()
	return got.list()[1:]
}

// Replies go first, then relays, then bulk; first come first served within
// a priority.
func TestSenderServesByPriority(t *testing.T) {
	got := queueAll(t, []queued{
		{bot.Bulk, 101}, {bot.Bulk, 102}, {bot.Relay, 103}, {bot.Bulk, 104}, {bot.Interactive, 105}, {bot.Relay, 106},
	})
	if want := []int64{105, 103, 106, 101, 102, 104}; !slices.Equal(got, want) {
		t.Fatalf("delivered to %v, want %v", got, want)
	}
}

// A bulk message that waits gets one slot in ten however many replies
// keep coming.
func TestSenderLetsNoPriorityStarve(t *testing.T) {
	msgs := []queued{{bot.Bulk, 101}}
	for id := int64(110); id < 122; id++ {
		msgs = append(msgs, queued{bot.Interactive, id})
	}
	got := queueAll(t, msgs)
	if i := slices.Index(got, 101); i != 9 {
		t.Fatalf("delivered to %v: the bulk message went out %d-th, want 10th", got, i+1)
	}
}

// A 429 holds its chat for retry_after: a later message into that chat waits
// behind the refused one, other chats go on. A 429 to a call outside any
// chat holds every chat.
func TestSender429HoldsTheChatInOrder(t *testing.T) {
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	for _, id := range []int64{100, 101} {
		srv.AddUser(telegramtest.User{ID: id, FirstName: "U"})
		srv.SendText(id, id, "/start")
	}
	clock := newStepClock()
	s := bot.NewSender(bot.NewAPI(token, srv.URL(), nil), bot.TelegramLimits, quiet, bot.WithClock(clock.Now, clock.Sleep))
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 3")
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := s.Send(t.Context(), bot.Relay, 100, tgbotapi.NewMessage(100, "one")); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "the refused message waits", func() bool { return clock.sleeping() == 1 })
	wg.Go(func() {
		if _, err := s.Send(t.Context(), bot.Interactive, 100, tgbotapi.NewMessage(100, "two")); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "the second message queues", func() bool { _, n := s.Waiting(100); return n == 1 })
	if _, err := s.Send(t.Context(), bot.Bulk, 101, tgbotapi.NewMessage(101, "other chat")); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.BotMessages(101)); n != 1 {
		t.Fatalf("another chat got %d messages while one was held", n)
	}
	clock.advance(3 * time.Second)
	waitFor(t, "the second message waits for the chat's window", func() bool { return clock.sleeping() == 1 })
	clock.advance(time.Second)
	wg.Wait()
	var texts []string
	for _, m := range srv.BotMessages(100) {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"one", "two"}) {
		t.Fatalf("chat got %q, want one, two", texts)
	}

	// Held everywhere.
	srv.FailNext("getMe", 1, 429, "Too Many Requests: retry after 5")
	wg.Go(func() {
		if _, err := s.GetMe(t.Context()); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "getMe waits", func() bool { return clock.sleeping() == 1 })
	wg.Go(func() {
		if _, err := s.Send(t.Context(), bot.Interactive, 101, tgbotapi.NewMessage(101, "held")); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "the message waits for the hold", func() bool { return clock.sleeping() == 2 })
	if n := len(srv.BotMessages(101)); n != 1 {
		t.Fatal("a message went out during a hold of every chat")
	}
	clock.advance(5 * time.Second)
	wg.Wait()
	if n := len(srv.BotMessages(101)); n != 2 {
		t.Fatalf("chat 101 has %d messages after the hold, want 2", n)
	}
}
