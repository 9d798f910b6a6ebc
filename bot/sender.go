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

	"github.com/shequn/shequn/jobs"
)

// Priority orders outbound traffic for the global limit: a reply to
// someone waiting in a chat goes first, then a live session's relay into the
// groups, then bulk work such as invites, reminders and broadcasts. A lower
// priority that waits still gets one slot in every ten (see fairShare).
type Priority int

// Priorities.
const (
	Interactive Priority = iota
	Relay
	Bulk
)

// ErrSenderClosed is returned for calls made after Close.
var ErrSenderClosed = errors.New("telegram sender is closed")

const maxAttempts = 5

// Sender is the one way out to Telegram. It keeps the flood limits exactly
// (see window), hands the global limit's slots out by priority (see gate),
// keeps each chat's messages in order, holds a chat for a 429 answer's
// retry_after without holding up other chats, retries network failures and
// 5xx answers with backoff, and lets Close wait for calls in flight.
type Sender struct {
	api    *tgbotapi.BotAPI
	limits Limits
	log    *slog.Logger
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	health *Health

	mu       sync.Mutex
	global   gate
	chats    map[int64]*chatState
	sweepAt  int // forget idle chats when the map grows past this
	closed   bool
	inflight sync.WaitGroup
}

// SenderOption configures a Sender.
type SenderOption func(*Sender)

// WithClock makes the sender read time from now and wait with sleep, so
// tests see the waits without spending them. sleep must let the time pass
// (or move now); a sleep that returns at once leaves waits spinning.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) SenderOption {
	return func(s *Sender) { s.now, s.sleep = now, sleep }
}

// WithHealth makes the sender record every call's outcome in h.
func WithHealth(h *Health) SenderOption {
	return func(s *Sender) { s.health = h }
}

// NewSender returns a sender over api with the given limits.
func NewSender(api *tgbotapi.BotAPI, limits Limits, log *slog.Logger, opts ...SenderOption) *Sender {
	s := &Sender{api: api, limits: limits, log: log, now: time.Now, sleep: sleepCtx,
		global: newGate(limits.Global), chats: make(map[int64]*chatState), sweepAt: 1024}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Send delivers a message (any send*, copy*, edit* or pin call) into chatID,
// counted against the chat's and the global limit, after the messages
// asked for earlier into the same chat. A message over Telegram's size
// limits goes out as several (see fit), with nothing else between them; the
// first is returned.
func (s *Sender) Send(ctx context.Context, pri Priority, chatID int64, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	parts, err := fit(c)
	if err != nil {
		return tgbotapi.Message{}, err
	}
	chat, err := s.turn(ctx, chatID)
	if err != nil {
		return tgbotapi.Message{}, err
	}
	defer s.endTurn(chat)
	var first tgbotapi.Message
	for i, part := range parts {
		var msg tgbotapi.Message
		err := s.do(ctx, pri, chatID, chat, func() (err error) {
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
// Such calls are outside the message limits.
func (s *Sender) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	var resp *tgbotapi.APIResponse
	err := s.do(ctx, Interactive, 0, nil, func() (err error) {
		resp, err = s.api.Request(c)
		return err
	})
	return resp, err
}

// Call makes a Bot API call by name, for methods newer than the client
// library knows (Bot API 5.5). chatID > 0 or < 0 counts it as a message
// into that chat (copyMessage); 0 keeps it outside the message limits.
// Texts go through Send, never here: only Send keeps the size limits.
func (s *Sender) Call(ctx context.Context, pri Priority, chatID int64, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	return s.CallN(ctx, pri, chatID, 1, method, params)
}

// CallN is Call for a call that puts n messages into the chat at once
// (copyMessages of an album): Telegram counts each against its limits, so
// the call takes n places in the chat's and the global limit (at most a
// whole window's worth).
func (s *Sender) CallN(ctx context.Context, pri Priority, chatID int64, n int, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	var chat *chatState
	if chatID != 0 {
		c, err := s.turn(ctx, chatID)
		if err != nil {
			return nil, err
		}
		defer s.endTurn(c)
		chat = c
	}
	var resp *tgbotapi.APIResponse
	err := s.doN(ctx, pri, chatID, chat, n, func() (err error) {
		resp, err = s.api.MakeRequest(method, params)
		return err
	})
	return resp, err
}

// GetMe asks Telegram who the bot is.
func (s *Sender) GetMe(ctx context.Context) (tgbotapi.User, error) {
	var me tgbotapi.User
	err := s.do(ctx, Interactive, 0, nil, func() (err error) {
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

// do makes one call with its retries. chat is the chat's state with its
// turn held, nil for a call outside the message limits.
func (s *Sender) do(ctx context.Context, pri Priority, chatID int64, chat *chatState, call func() error) error {
	return s.doN(ctx, pri, chatID, chat, 1, call)
}

// doN is do for a call of n messages; see CallN.
func (s *Sender) doN(ctx context.Context, pri Priority, chatID int64, chat *chatState, n int, call func() error) error {
	n = s.weight(chat, n)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSenderClosed
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	for attempt := 1; ; attempt++ {
		if err := s.acquireN(ctx, pri, chat, n); err != nil {
			return err
		}
		// A pass that lost its lease, or an instance stopping, starts no
		// new call; the one in flight finishes.
		if err := jobs.Check(ctx); err != nil {
			s.releaseN(chat, n, false)
			return err
		}
		err := redact(call(), s.api.Token)
		s.releaseN(chat, n, true)
		if s.health != nil {
			s.health.record(err)
		}
		if err == nil {
			return nil
		}
		wait, retry, held := s.retryAfter(err, attempt)
		if held {
			s.hold(chatID, wait)
		}
		if !retry || attempt >= maxAttempts {
			return err
		}
		s.log.DebugContext(ctx, "telegram call retried", "attempt", attempt, "wait", wait, "err", err)
		if held {
			continue // the next acquire waits out the hold
		}
		if err := s.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// acquire waits until a message may go into chat: the chat's window and
// hold, then a slot of the global limit. A call outside the message limits
// waits out only a hold of every chat.
func (s *Sender) acquire(ctx context.Context, pri Priority, chat *chatState) error {
	if chat == nil {
		return s.waitHold(ctx)
	}
	if err := s.waitChat(ctx, chat); err != nil {
		return err
	}
	if err := s.waitSlot(ctx, pri); err != nil {
		return err
	}
	s.mu.Lock()
	chat.win.start()
	s.mu.Unlock()
	return nil
}

// acquireN takes n places, one after another, for a call of n messages.
func (s *Sender) acquireN(ctx context.Context, pri Priority, chat *chatState, n int) error {
	for i := range n {
		if err := s.acquire(ctx, pri, chat); err != nil {
			s.releaseN(chat, i, false)
			return err
		}
	}
	return nil
}

func (s *Sender) releaseN(chat *chatState, n int, sent bool) {
	for range n {
		s.release(chat, sent)
	}
}

// weight is how many places a call of n messages takes: never more than a
// window of the chat's or the global limit holds, or it would wait for
// itself.
func (s *Sender) weight(chat *chatState, n int) int {
	if chat == nil || n < 1 {
		return 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range []int{chat.win.limit.Count, s.global.win.limit.Count} {
		if c > 0 {
			n = min(n, c)
		}
	}
	return n
}

// release records the end of an acquired call; sent is false when it never
// went out.
func (s *Sender) release(chat *chatState, sent bool) {
	if chat == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sent {
		now := s.now()
		chat.win.finish(now)
		s.global.win.finish(now)
	} else {
		chat.win.inflight--
		s.global.win.inflight--
	}
	s.global.pokeLocked()
}

// retryAfter decides whether a failed call is worth another attempt and
// how long to wait first; held is true when Telegram asked for the wait
// (429 with retry_after), which then holds the chat for every caller.
func (s *Sender) retryAfter(err error, attempt int) (wait time.Duration, retry, held bool) {
	backoff := time.Duration(1<<(attempt-1)) * 500 * time.Millisecond
	if e, ok := apiError(err); ok {
		switch {
		case e.Code == 429 && e.RetryAfter > 0:
			return time.Duration(e.RetryAfter) * time.Second, true, true
		case e.Code == 429, e.Code >= 500:
			return backoff, true, false
		}
		return 0, false, false
	}
	var ne net.Error
	// A connection cut mid-answer surfaces as a decode error of the body.
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return backoff, true, false
	}
	return 0, false, false
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
