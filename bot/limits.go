package bot

import (
	"context"
	"time"
)

// Limit is one of Telegram's flood limits: at most Count messages in any
// span of Window. A zero Count means no limit.
type Limit struct {
	Count  int
	Window time.Duration
}

// Limits are the flood limits the sender keeps. A zero field means no limit
// (the fake server in the demo).
type Limits struct {
	Global  Limit // across all chats
	Private Limit // into one private chat
	Group   Limit // into one group
}

// TelegramLimits are the limits Telegram documents: about 30 messages a
// second in all, one a second into a private chat, 20 a minute into a group.
// Bots with paid broadcasts may send more in all; that is configuration.
var TelegramLimits = Limits{
	Global:  Limit{Count: 30, Window: time.Second},
	Private: Limit{Count: 1, Window: time.Second},
	Group:   Limit{Count: 20, Window: time.Minute},
}

// Scaled returns the limits with k times the messages in each window, for
// benchmarks against a fake server scaled alike.
func (l Limits) Scaled(k int) Limits {
	return Limits{
		Global:  Limit{l.Global.Count * k, l.Global.Window},
		Private: Limit{l.Private.Count * k, l.Private.Window},
		Group:   Limit{l.Group.Count * k, l.Group.Window},
	}
}

// window keeps one limit exactly. Telegram counts a message when it arrives,
// some time between the call's start and its answer; so a message takes a
// place in the window from its start and keeps it until Window after its
// answer. However long a call spends on the way, Telegram never sees more
// than Count in any Window. The price is one round trip per window of
// sustained full-rate sending.
type window struct {
	limit    Limit
	done     []time.Time // answers still inside the window, oldest first
	inflight int
}

func (w *window) prune(now time.Time) {
	i := 0
	for i < len(w.done) && !now.Before(w.done[i].Add(w.limit.Window)) {
		i++
	}
	w.done = w.done[i:]
}

// freeAt returns when one more message fits: now or later. ok is false when
// the window is full of calls still in flight, so no time is known yet.
func (w *window) freeAt(now time.Time) (at time.Time, ok bool) {
	if w.limit.Count <= 0 {
		return now, true
	}
	w.prune(now)
	over := len(w.done) + w.inflight - w.limit.Count
	switch {
	case over < 0:
		return now, true
	case over >= len(w.done):
		return time.Time{}, false
	}
	return w.done[over].Add(w.limit.Window), true
}

func (w *window) start() { w.inflight++ }

// finish records the answer of a started call at now.
func (w *window) finish(now time.Time) {
	w.inflight--
	if w.limit.Count <= 0 {
		return
	}
	if n := len(w.done); n > 0 && now.Before(w.done[n-1]) {
		now = w.done[n-1]
	}
	w.done = append(w.done, now)
}

// idle reports whether the window holds nothing at now.
func (w *window) idle(now time.Time) bool {
	w.prune(now)
	return w.inflight == 0 && len(w.done) == 0
}

// chatState is what the sender keeps of one chat: its window, a hold from
// a 429 answer, and the turn that keeps the chat's messages in order.
type chatState struct {
	win      window
	heldTill time.Time
	busy     bool            // a caller has the turn
	queue    []chan struct{} // callers waiting for the turn, oldest first
}

// turn waits for the chat's turn: callers get it one after another in the
// order they asked, so messages into one chat go out in that order and one
// at a time (two calls in flight could overtake each other on the way).
func (s *Sender) turn(ctx context.Context, chatID int64) (*chatState, error) {
	s.mu.Lock()
	c := s.chat(chatID)
	if !c.busy {
		c.busy = true
		s.mu.Unlock()
		return c, nil
	}
	ch := make(chan struct{})
	c.queue = append(c.queue, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return c, nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, q := range c.queue {
			if q == ch {
				c.queue = append(c.queue[:i], c.queue[i+1:]...)
				return nil, ctx.Err()
			}
		}
		// The turn was handed over just now: pass it on.
		s.passTurn(c)
		return nil, ctx.Err()
	}
}

// endTurn gives the chat's turn to the next caller.
func (s *Sender) endTurn(c *chatState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passTurn(c)
}

// passTurn is endTurn with s.mu held.
func (s *Sender) passTurn(c *chatState) {
	if len(c.queue) == 0 {
		c.busy = false
		return
	}
	close(c.queue[0])
	c.queue = c.queue[1:]
}

// chat returns the state of chatID, created on first use. Called with s.mu
// held; idle chats are forgotten as the map grows.
func (s *Sender) chat(chatID int64) *chatState {
	if c, ok := s.chats[chatID]; ok {
		return c
	}
	limit := s.limits.Private
	if chatID < 0 {
		limit = s.limits.Group
	}
	c := &chatState{win: window{limit: limit}}
	s.chats[chatID] = c
	if len(s.chats) > s.sweepAt {
		now := s.now()
		for id, o := range s.chats {
			if o != c && !o.busy && o.win.idle(now) && !o.heldTill.After(now) {
				delete(s.chats, id)
			}
		}
		s.sweepAt = max(1024, 2*len(s.chats))
	}
	return c
}

// waitChat waits until the chat's window and its hold let one more message
// through. The caller has the chat's turn, so nothing else changes them.
func (s *Sender) waitChat(ctx context.Context, c *chatState) error {
	for {
		s.mu.Lock()
		now := s.now()
		at, _ := c.win.freeAt(now) // known: with the turn, nothing is in flight
		if c.heldTill.After(at) {
			at = c.heldTill
		}
		s.mu.Unlock()
		if !at.After(now) {
			return ctx.Err()
		}
		if err := s.sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
}

// hold keeps a chat (or, for chatID 0, every chat) quiet for d, as a 429
// answer's retry_after asks.
func (s *Sender) hold(chatID int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := s.now().Add(d)
	if chatID == 0 {
		if until.After(s.global.heldTill) {
			s.global.heldTill = until
		}
		s.global.pokeLocked()
		return
	}
	if c := s.chat(chatID); until.After(c.heldTill) {
		c.heldTill = until
	}
}
