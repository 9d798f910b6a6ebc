package telegramtest

import (
	"strings"
	"time"
)

// Option configures a Server created by New.
type Option func(*Server)

// WithBotUsername sets the bot's username (default "shequn_bot").
func WithBotUsername(name string) Option {
	return func(s *Server) { s.bot.Username = strings.TrimPrefix(name, "@") }
}

// WithBotID sets the bot's user id. By default it is taken from the numeric
// prefix of the token ("123456:ABC…" gives 123456), else 1000000001.
func WithBotID(id int64) Option {
	return func(s *Server) { s.bot.ID = id }
}

// WithClock sets the clock used for message dates, rate-limit windows,
// invite-link expiry, restriction end dates and the 24-hour update retention.
// Long-poll timeouts always use real time.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.clock = now }
}

// WithRateLimits makes sendMessage enforce Telegram's flood limits: at most
// one message per second into one private chat, 20 messages per minute into
// one group and 30 messages per second overall, each in any span of that
// length (a sliding window, counted when a message arrives). Excess calls get
// 429 "Too Many Requests: retry after N" with parameters.retry_after = N, the
// seconds until the message would fit; they are not counted.
func WithRateLimits() Option {
	return WithRateLimitsScaled(1)
}

// WithRateLimitsScaled enforces the flood limits with k times the messages
// in each window (100 per second into a private chat, 2000 a minute into a
// group, 3000 a second in all for k = 100): what a bot with paid broadcasts
// sees, or a benchmark that runs Telegram's limits k times faster.
func WithRateLimitsScaled(k int) Option {
	return func(s *Server) { s.rateLimited, s.rateScale = true, max(k, 1) }
}

// WithPollUnit sets the real duration of one unit of the getUpdates timeout
// parameter (default time.Second), so tests can long-poll with timeout=1 for
// only a few milliseconds.
func WithPollUnit(d time.Duration) Option {
	return func(s *Server) { s.pollUnit = d }
}

// WithUpdateIDStart sets the id of the first update (default 100000).
func WithUpdateIDStart(id int) Option {
	return func(s *Server) { s.nextUpdateID = id }
}

// WithAllowedUpdates presets the allowed_updates setting as if the bot had set
// it in an earlier session, so that updates queued before the first getUpdates
// call are filtered with it (for example to include "chat_member").
func WithAllowedUpdates(types ...string) Option {
	return func(s *Server) { s.allowed = allowedSet(types) }
}

// WithPrivacyMode sets the bot's group privacy mode (default enabled). With
// privacy mode the bot receives from groups where it is not an administrator
// only commands, replies to its own messages and service messages.
func WithPrivacyMode(enabled bool) Option {
	return func(s *Server) { s.privacy = enabled }
}

// WithWebhookRetryDelay sets the pause before a failed webhook delivery is
// retried (default 50ms).
func WithWebhookRetryDelay(d time.Duration) Option {
	return func(s *Server) { s.retryDelay = d }
}
