package telegramtest

import (
	"fmt"
	"net/http"
	"time"
)

// rateRule is one flood limit: at most max messages in any span of window.
type rateRule struct {
	max    int
	window time.Duration
}

// Telegram's flood limits, as its FAQ for bot developers states them.
var (
	privateRule = rateRule{max: 1, window: time.Second}
	groupRule   = rateRule{max: 20, window: time.Minute}
	globalRule  = rateRule{max: 30, window: time.Second}
)

// rateLimiter remembers when the bot's messages arrived, per chat and in
// all, and how many it refused.
type rateLimiter struct {
	private, group, global rateRule
	perChat                map[int64][]time.Time
	all                    []time.Time
	refused                int
}

func newRateLimiter(scale int) rateLimiter {
	mul := func(r rateRule) rateRule { return rateRule{max: r.max * scale, window: r.window} }
	return rateLimiter{private: mul(privateRule), group: mul(groupRule), global: mul(globalRule),
		perChat: map[int64][]time.Time{}}
}

// wait returns how long until one more message fits the rule, given the
// arrival times inside the window (oldest first); 0 if it fits now.
func (r rateRule) wait(times []time.Time, now time.Time) time.Duration {
	if len(times) < r.max {
		return 0
	}
	return times[len(times)-r.max].Add(r.window).Sub(now)
}

// prune keeps only the times inside the window ending at now.
func prune(times []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= window {
		i++
	}
	return times[i:]
}

// checkRate enforces the flood limits for a message into chatID (when
// enabled) and records the message. The caller holds s.mu.
func (s *Server) checkRate(chatID int64) *apiError {
	if !s.rateLimited {
		return nil
	}
	now := s.now()
	l := &s.limiter
	rule := l.group
	if chatID > 0 {
		rule = l.private
	}
	chat := prune(l.perChat[chatID], now, rule.window)
	l.all = prune(l.all, now, l.global.window)
	wait := max(rule.wait(chat, now), l.global.wait(l.all, now))
	if wait > 0 {
		l.perChat[chatID] = chat
		l.refused++
		secs := int((wait + time.Second - 1) / time.Second)
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	l.perChat[chatID] = append(chat, now)
	l.all = append(l.all, now)
	return nil
}

// RateLimited returns how many messages the flood limits refused with 429
// (see WithRateLimits).
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limiter.refused
}
