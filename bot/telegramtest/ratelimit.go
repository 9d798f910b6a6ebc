package telegramtest

import (
	"fmt"
	"net/http"
	"time"
)

// rateRule is one flood limit: at most max messages per window.
type rateRule struct {
	max    int
	window time.Duration
}

var (
	privateRule = rateRule{max: 1, window: time.Second}
	groupRule   = rateRule{max: 20, window: time.Minute}
	globalRule  = rateRule{max: 30, window: time.Second}
)

// rateLimiter remembers when the bot sent messages.
type rateLimiter struct {
	perChat map[int64][]time.Time
	global  []time.Time
}

func newRateLimiter() rateLimiter {
	return rateLimiter{perChat: map[int64][]time.Time{}}
}

// wait returns how long until one more message fits the rule, given the send
// times in the window (oldest first); 0 if it fits now.
func (r rateRule) wait(times []time.Time, now time.Time) time.Duration {
	var recent []time.Time
	for _, t := range times {
		if now.Sub(t) < r.window {
			recent = append(recent, t)
		}
	}
	if len(recent) < r.max {
		return 0
	}
	return recent[len(recent)-r.max].Add(r.window).Sub(now)
}

// prune keeps only the times inside the window.
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
	rule := groupRule
	if chatID > 0 {
		rule = privateRule
	}
	l.perChat[chatID] = prune(l.perChat[chatID], now, rule.window)
	l.global = prune(l.global, now, globalRule.window)
	wait := max(rule.wait(l.perChat[chatID], now), globalRule.wait(l.global, now))
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	l.perChat[chatID] = append(l.perChat[chatID], now)
	l.global = append(l.global, now)
	return nil
}
