// Package demo runs the whole community on one machine: an in-process fake
// Telegram, Stripe events signed with a local secret, and the embedded store
// in a temporary directory. Harness is the same rig for end-to-end tests.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/payments/stripetest"
)

// WebhookSecret signs the demo's Stripe events.
const WebhookSecret = "whsec_shequn_demo_secret"

// Harness is a running community with a fake Telegram around it.
type Harness struct {
	TG      *telegramtest.Server
	App     *app.App
	Config  *config.Config
	Owner   int64
	Log     *bytes.Buffer // the app's log
	Sales   *Checkout
	Clock   *Clock
	baseURL string
	dir     string
	cancel  context.CancelFunc
	done    chan error
	eventN  int
	// stepping is held (shared) by every Step, so Close waits for them
	// before it closes the store.
	stepping sync.RWMutex
}

// Setup changes the configuration or options before the app starts.
type Setup func(cfg *config.Config, opts *app.Options)

// Start builds and runs a community in Manual mode: nothing happens until
// Step, so every test and the demo are deterministic.
func Start(ctx context.Context, setups ...Setup) (*Harness, error) {
	return StartWith(ctx, nil, setups...)
}

// StartWith is Start with options for the fake Telegram (its real rate
// limits, for one).
func StartWith(ctx context.Context, tgOpts []telegramtest.Option, setups ...Setup) (*Harness, error) {
	dir, err := os.MkdirTemp("", "shequn-demo-")
	if err != nil {
		return nil, err
	}
	h := &Harness{Owner: 1000, Log: &bytes.Buffer{}, Sales: &Checkout{}, Clock: &Clock{now: time.Now()}, dir: dir}
	h.TG = telegramtest.New("123456:DEMO-token-for-the-fake-telegram", append([]telegramtest.Option{telegramtest.WithBotUsername("shequn_bot")}, tgOpts...)...)
	h.TG.AddUser(telegramtest.User{ID: h.Owner, FirstName: "Owner", Username: "owner", LanguageCode: "zh-hans"})

	cfg := config.Default()
	cfg.TelegramToken = h.TG.Token()
	cfg.TelegramAPIURL = h.TG.URL()
	cfg.StripeWebhookSecret = WebhookSecret
	cfg.StripeSecretKey = "sk_test_demo"
	cfg.Owners = []int64{h.Owner}
	cfg.Store = "sqlite:" + filepath.Join(dir, "shequn.db")
	cfg.MetricsAddr = "127.0.0.1:0"
	cfg.Courses = []membership.Course{
		{ID: "ppt", Title: "PPT 高效办公", Prefix: "PPT", Amount: 19900, Currency: "cny", PaymentMethods: config.DefaultPaymentMethods()},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.cleanup()
		return nil, err
	}
	opts := app.Options{Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now}
	cfg.OneBot.Token, opts.QQLimits = qqToken, &onebot.Limits{} // QQ beside Telegram: ConnectQQ
	for _, s := range setups {
		s(cfg, &opts)
	}
	if err := cfg.Validate(); err != nil {
		ln.Close()
		h.cleanup()
		return nil, err
	}
	h.Config = cfg
	log := app.NewLogger(&syncWriter{w: h.Log}, slog.LevelInfo, cfg.Secrets())
	a, err := app.New(ctx, cfg, log, opts)
	if err != nil {
		ln.Close()
		h.cleanup()
		return nil, err
	}
	h.App = a
	h.baseURL = "http://" + ln.Addr().String()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- a.Run(runCtx) }()
	// Wait until Run has recovered stored updates: a test's first update
	// must not be taken over by that recovery as well.
	select {
	case <-a.Running():
	case err := <-h.done:
		a.Close()
		h.cleanup()
		return nil, fmt.Errorf("run: %w", err)
	}
	return h, nil
}

// Close stops the app and removes its files. The store is closed only
// after every Step in progress (a test's goroutine) has returned.
func (h *Harness) Close() error {
	h.cancel()
	err := <-h.done
	h.stepping.Lock()
	defer h.stepping.Unlock()
	err = errors.Join(err, h.App.Close())
	h.cleanup()
	return err
}

func (h *Harness) cleanup() {
	if h.TG != nil {
		h.TG.Close()
	}
	os.RemoveAll(h.dir)
}

// Step lets the bot take every waiting update and finish its work.
func (h *Harness) Step(ctx context.Context) error {
	h.stepping.RLock()
	defer h.stepping.RUnlock()
	return h.App.Step(ctx)
}

// Group creates a supergroup owned by the owner with the bot as an
// administrator holding the given rights.
func (h *Harness) Group(title string, rights telegramtest.AdminRights) int64 {
	chat := h.TG.CreateSupergroup(title, h.Owner)
	if err := h.TG.AddBotAdmin(chat, rights); err != nil {
		panic(err)
	}
	return chat
}

// Say sends text from a user into a chat and steps.
func (h *Harness) Say(ctx context.Context, userID, chatID int64, text string) error {
	if _, err := h.TG.SendText(userID, chatID, text); err != nil {
		return err
	}
	return h.Step(ctx)
}

// LastBotMessage returns the bot's newest message in a chat.
func (h *Harness) LastBotMessage(chatID int64) (telegramtest.Message, bool) {
	msgs := h.TG.BotMessages(chatID)
	if len(msgs) == 0 {
		return telegramtest.Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// Press presses the first button whose callback data is data on the bot's
// newest message that has it, and steps.
func (h *Harness) Press(ctx context.Context, userID, chatID int64, data string) error {
	msgs := h.TG.BotMessages(chatID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].ReplyMarkup {
			for _, b := range row {
				if b.CallbackData == data {
					if _, err := h.TG.Click(userID, chatID, msgs[i].ID, data); err != nil {
						return err
					}
					return h.Step(ctx)
				}
			}
		}
	}
	return fmt.Errorf("no button %q in chat %d", data, chatID)
}

// LinkButton returns the URL of the newest button in the chat whose URL
// starts with prefix.
func (h *Harness) LinkButton(chatID int64, prefix string) (string, bool) {
	msgs := h.TG.BotMessages(chatID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].ReplyMarkup {
			for _, b := range row {
				if len(b.URL) >= len(prefix) && b.URL[:len(prefix)] == prefix {
					return b.URL, true
				}
			}
		}
	}
	return "", false
}

// Join uses the newest group link the bot gave the user, and steps.
func (h *Harness) Join(ctx context.Context, userID int64) error {
	link, ok := h.LinkButton(userID, "https://t.me/+")
	if !ok {
		return fmt.Errorf("user %d has no invite link", userID)
	}
	if err := h.TG.RequestJoin(userID, link); err != nil {
		return err
	}
	return h.Step(ctx)
}

// Deliver posts a signed Stripe event to the webhook and returns the
// status code; it does not step.
func (h *Harness) Deliver(ctx context.Context, d stripetest.Delivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.baseURL+"/stripe/webhook", bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Stripe-Signature", d.Signature)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// Paid delivers checkout.session.completed for the user's newest checkout
// session, times times (Stripe may deliver an event more than once).
func (h *Harness) Paid(ctx context.Context, userID int64, times int) (Session, error) {
	s, ok := h.Sales.Last(userID)
	if !ok {
		return s, fmt.Errorf("user %d opened no checkout", userID)
	}
	h.eventN++
	d := stripetest.CheckoutCompleted(WebhookSecret, fmt.Sprintf("evt_paid_%d", h.eventN), s.ID, s.PaymentIntent, s.Course, userID, 19900, time.Now())
	for range times {
		code, err := h.Deliver(ctx, d)
		if err != nil {
			return s, err
		}
		if code != http.StatusOK {
			return s, fmt.Errorf("webhook answered %d", code)
		}
	}
	return s, h.Step(ctx)
}

// Refunded delivers a full charge.refunded for the session and steps.
func (h *Harness) Refunded(ctx context.Context, s Session) error {
	h.eventN++
	d := stripetest.ChargeRefunded(WebhookSecret, fmt.Sprintf("evt_refund_%d", h.eventN), "ch_"+s.ID, s.PaymentIntent, 19900, time.Now())
	code, err := h.Deliver(ctx, d)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("webhook answered %d", code)
	}
	return h.Step(ctx)
}

// syncWriter lets the log be written from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Clock is the community's clock in the harness: it stands still unless
// moved, so rules that depend on time fire when a test says so.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
