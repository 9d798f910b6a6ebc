package jobs

import (
	"sync"
	"time"
)

// Backoff spaces the retries of effects that failed for a passing reason
// (a Telegram outage, a timeout), per effect, on the caller's clock: one
// failing effect is retried less and less often and never holds up others.
// The zero value is ready to use; it lives in memory, so a restart retries
// at once.
type Backoff struct {
	mu   sync.Mutex
	next map[string]backoffState
}

type backoffState struct {
	at    time.Time
	delay time.Duration
}

// Backoff delays: the first retry after backoffMin, doubling up to
// backoffMax.
const (
	backoffMin = 30 * time.Second
	backoffMax = 30 * time.Minute
)

// Ready reports whether the effect may be tried at now.
func (b *Backoff) Ready(key string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.next[key]
	return !ok || !now.Before(st.at)
}

// Failed records a passing failure at now and returns how long the effect
// waits before its next try.
func (b *Backoff) Failed(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == nil {
		b.next = map[string]backoffState{}
	}
	st := b.next[key]
	st.delay = min(max(2*st.delay, backoffMin), backoffMax)
	st.at = now.Add(st.delay)
	b.next[key] = st
	return st.delay
}

// Done forgets the failures of an effect that succeeded.
func (b *Backoff) Done(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.next, key)
}
