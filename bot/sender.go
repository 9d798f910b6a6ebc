package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"github.com/shequn/shequn/jobs"
)

// Priority orders outbound traffic: a reply to someone waiting in a chat
// goes before bulk work such as invites and broadcasts.
type Priority int

// Priorities.
const (
	Interactive Priority = iota
	Bulk
)

// Limits are Telegram's message rate limits. A zero field means no limit
// (the fake server in the demo and the benchmarks).
type Limits struct {
	Global  rate.Limit // messages per second across all chats
	Private rate.Limit // messages per second into one private chat
	Group   rate.Limit // messages per second into one group
}

// TelegramLimits are the limits Telegram documents: about 30 messages a
// second in all, one a second into a private chat, 20 a minute into a group.
var TelegramLimits = Limits{Global: 30, Private: 1, Group: rate.Limit(20.0 / 60)}

// ErrSenderClosed is returned for calls made after Close.
var ErrSenderClosed = errors.New("telegram sender is closed")

const maxAttempts = 5

// Sender is the one way out to Telegram. It keeps the rate limits, waits out
// retry_after on 429, retries network failures and 5xx answers with
// backoff, and lets Close wait for calls in flight.
type Sender struct {
	api    *tgbotapi.BotAPI
	limits Limits
	log    *slog.Logger
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	health *Health

	mu          sync.Mutex
	global      *rate.Limiter
	interactive int // interactive callers waiting for the global limiter
	chats       map[int64]*rate.Limiter
	closed      bool
	inflight    sync.WaitGroup
}

// SenderOption configures a Sender.
type SenderOption func(*Sender)

// WithClock makes the sender read time from now and wait with sleep, so
// tests see the waits without spending them.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) SenderOption {
	return func(s *Sender) { s.now, s.sleep = now, sleep }
}

// WithHealth makes the sender record every call's outcome in h.
func WithHealth(h *Health) SenderOption {
	return func(s *Sender) { s.health = h }
}

// NewSender returns a sender over api with the given limits.
func NewSender(api *tgbotapi.BotAPI, limits Limits, log *slog.Logger, opts ...SenderOption) *Sender {
	s := &Sender{api: api, limits: limits, log: log, now: time.Now, sleep: sleepCtx, chats: make(map[int64]*rate.Limiter)}
	for _, o := range opts {
		o(s)
	}
	if limits.Global > 0 {
		s.global = rate.NewLimiter(limits.Global, int(max(limits.Global, 1)))
	}
	return s
}

// Send delivers a message (any send*, edit* or pin call) into chatID,
// counted against the chat's and the global limit. A message over
// Telegram's size limits goes out as several (see fit); the first is
// returned.
func (s *Sender) Send(ctx context.Context, pri Priority, chatID int64, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	parts, err := fit(c)
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var first tgbotapi.Message
	for i, part := range parts {
		var msg tgbotapi.Message
		err := s.do(ctx, pri, chatID, func() (err error) {
			msg, err = s.api.Send(part)
			return err
		})
		if err != nil {
			return first, err
		}
		if i == 0 {
			first = msg
		}
	}
	return first, nil
}

// Request makes any other Bot API call (members, links, permissions).
func (s *Sender) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	var resp *tgbotapi.APIResponse
	err := s.do(ctx, Interactive, 0, func() (err error) {
		resp, err = s.api.Request(c)
		return err
	})
	return resp, err
}

// Call makes a Bot API call by name, for methods newer than the client
// library knows (Bot API 5.5). chatID > 0 or < 0 counts it as a message.
// Texts go through Send, never here: only Send keeps the size limits.
func (s *Sender) Call(ctx context.Context, pri Priority, chatID int64, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	var resp *tgbotapi.APIResponse
	err := s.do(ctx, pri, chatID, func() (err error) {
		resp, err = s.api.MakeRequest(method, params)
		return err
	})
	return resp, err
}

// GetMe asks Telegram who the bot is.
func (s *Sender) GetMe(ctx context.Context) (tgbotapi.User, error) {
	var me tgbotapi.User
	err := s.do(ctx, Interactive, 0, func() (err error) {
		me, err = s.api.GetMe()
		return err
	})
	return me, err
}

// Ping asks Telegram once, without retries: a health probe must answer
// quickly, not wait out a backoff.
func (s *Sender) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.api.GetMe()
	return redact(err, s.api.Token)
}

// Close refuses new calls and waits, until ctx ends, for those in flight.
func (s *Sender) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("telegram calls still in flight: %w", ctx.Err())
	}
}

func (s *Sender) do(ctx context.Context, pri Priority, chatID int64, call func() error) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSenderClosed
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	for attempt := 1; ; attempt++ {
		if chatID != 0 {
			if err := s.waitChat(ctx, chatID); err != nil {
				return err
			}
			if err := s.waitGlobal(ctx, pri); err != nil {
				return err
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		// A pass that lost its lease, or an instance stopping, starts no
		// new call; the one in flight finishes.
		if err := jobs.Check(ctx); err != nil {
			return err
		}
		err := redact(call(), s.api.Token)
		if s.health != nil {
			s.health.record(err)
		}
		if err == nil {
			return nil
		}
		wait, retry := s.retryAfter(err, attempt)
		if !retry || attempt >= maxAttempts {
			return err
		}
		s.log.DebugContext(ctx, "telegram call retried", "attempt", attempt, "wait", wait, "err", err)
		if err := s.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryAfter decides whether a failed call is worth another attempt and
// how long to wait first.
func (s *Sender) retryAfter(err error, attempt int) (time.Duration, bool) {
	backoff := time.Duration(1<<(attempt-1)) * 500 * time.Millisecond
	if e, ok := apiError(err); ok {
		switch {
		case e.Code == 429 && e.RetryAfter > 0:
			return time.Duration(e.RetryAfter) * time.Second, true
		case e.Code == 429, e.Code >= 500:
			return backoff, true
		}
		return 0, false
	}
	var ne net.Error
	// A connection cut mid-answer surfaces as a decode error of the body.
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return backoff, true
	}
	return 0, false
}

func (s *Sender) waitChat(ctx context.Context, chatID int64) error {
	limit := s.limits.Private
	if chatID < 0 {
		limit = s.limits.Group
	}
	if limit <= 0 {
		return ctx.Err()
	}
	s.mu.Lock()
	l, ok := s.chats[chatID]
	if !ok {
		burst := 1
		if chatID < 0 {
			burst = 3
		}
		l = rate.NewLimiter(limit, burst)
		s.chats[chatID] = l
		if len(s.chats) > 100000 {
			s.forgetIdleChats()
		}
	}
	now := s.now()
	delay := l.ReserveN(now, 1).DelayFrom(now)
	s.mu.Unlock()
	return s.sleep(ctx, delay)
}

// forgetIdleChats drops limiters that are full again, so the map does not
// grow with every chat ever written to. Called with s.mu held.
func (s *Sender) forgetIdleChats() {
	now := s.now()
	for id, l := range s.chats {
		if l.TokensAt(now) >= float64(l.Burst()) {
			delete(s.chats, id)
		}
	}
}

// waitGlobal takes a slot of the global limit. Interactive callers reserve
// the next slot at once; bulk callers take a slot only when one is free now
// and no interactive caller waits, so bulk traffic never queues up ahead of
// a reply.
func (s *Sender) waitGlobal(ctx context.Context, pri Priority) error {
	if s.global == nil {
		return ctx.Err()
	}
	tick := time.Duration(float64(time.Second) / float64(s.limits.Global))
	for {
		s.mu.Lock()
		now := s.now()
		if pri == Interactive {
			delay := s.global.ReserveN(now, 1).DelayFrom(now)
			s.interactive++
			s.mu.Unlock()
			err := s.sleep(ctx, delay)
			s.mu.Lock()
			s.interactive--
			s.mu.Unlock()
			return err
		}
		if s.interactive == 0 && s.global.TokensAt(now) >= 1 {
			s.global.ReserveN(now, 1)
			s.mu.Unlock()
			return ctx.Err()
		}
		s.mu.Unlock()
		if err := s.sleep(ctx, tick); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
