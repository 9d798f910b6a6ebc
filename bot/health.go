package bot

import (
	"sync/atomic"
	"time"
)

// Health remembers how Telegram answered lately, so that a health probe
// reports on it from memory instead of calling Telegram on every probe.
// The sender and the poller tell it about every exchange. A nil *Health
// records nothing.
type Health struct {
	Now func() time.Time // the clock of the times recorded

	lastOK  atomic.Int64 // unix nanoseconds of the last answer
	failing atomic.Bool  // the last exchange got no answer
}

// Answered records that Telegram answered (an API error such as "chat not
// found" is an answer too).
func (h *Health) Answered() {
	if h != nil {
		h.lastOK.Store(h.Now().UnixNano())
		h.failing.Store(false)
	}
}

// Unreachable records a network failure or a 5xx answer.
func (h *Health) Unreachable() {
	if h != nil {
		h.failing.Store(true)
	}
}

// Telegram reports whether Telegram is reachable at now: its last exchange
// got an answer, or it has failed for less than grace since the last
// answer; and when it last answered (zero when never).
func (h *Health) Telegram(now time.Time, grace time.Duration) (ok bool, lastOK time.Time) {
	okAt := h.lastOK.Load()
	if okAt != 0 {
		lastOK = time.Unix(0, okAt).UTC()
	}
	if !h.failing.Load() {
		return true, lastOK
	}
	return okAt != 0 && now.Sub(lastOK) < grace, lastOK
}

// record tells h about a call's outcome.
func (h *Health) record(err error) {
	if err == nil {
		h.Answered()
		return
	}
	if e, ok := apiError(err); ok && e.Code < 500 {
		h.Answered()
		return
	}
	h.Unreachable()
}
