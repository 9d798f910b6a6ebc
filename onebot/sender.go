package onebot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/shequn/shequn"
)

// Rate is at most Count messages in any span of Per.
type Rate struct {
	Count int
	Per   time.Duration
}

// Limits are the QQ sender's: QQ's risk control punishes bursts (a
// muted or frozen account), so the defaults sit far below Telegram's.
type Limits struct {
	Group   Rate          // into one group
	Private Rate          // into one private chat
	Global  Rate          // in all
	Jitter  time.Duration // up to this much is added at random before each message
}

// DefaultLimits are 1 message a second per group and per private chat,
// 20 a minute in all, with up to 300 ms of jitter.
var DefaultLimits = Limits{Group: Rate{1, time.Second}, Private: Rate{1, time.Second}, Global: Rate{20, time.Minute}, Jitter: 300 * time.Millisecond}

// Priority orders the messages waiting for the limits.
type Priority int

// Replies to someone who just wrote go before a live session's talk, and
// the talk before notices, posts and broadcasts.
const (
	Interactive Priority = iota
	Relay
	Bulk
)

// fairShare bounds starvation: bulk traffic that waits gets at least one
// slot in every fairShare, however many replies and relays go out.
const fairShare = 10

// Caller runs OneBot actions; Transport is one.
type Caller interface {
	Call(ctx context.Context, action string, params, out any) error
}

// Sender sends QQ messages within the limits. Messages wait in line,
// replies before bulk traffic; the first in line gets the first moment no
// rate would be broken and that keeps the messages evenly spaced (20 a
// minute is one every 3 s, never 20 at once), plus the jitter, and waits
// for it. The moments are exact on the injected clock; a margin of a
// fiftieth of each span keeps them apart on the wire too.
type Sender struct {
	API    Caller
	Limits Limits
	Now    func() time.Time // time.Now when nil
	// Sleep waits for d or until ctx ends; a timer when nil. The demo and
	// the benchmarks pass their clock's.
	Sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	last   time.Time             // the latest moment given out
	global []time.Time           // moments given out, newest last
	chats  map[int64][]time.Time // per chat
	lines  [3][]*waiter          // by priority, first come first
	passed int                   // replies let through while bulk waited
}

// waiter is a message in line.
type waiter struct {
	pri  Priority
	chat int64
	wake chan struct{} // poked when it may be first; buffered 1
}

// Send sends a message to a QQ user or group (a domain id) and returns
// its message id.
func (s *Sender) Send(ctx context.Context, pri Priority, chatID int64, msg Message) (int64, error) {
	action, params := "send_private_msg", map[string]any{"user_id": shequn.QQNumber(chatID), "message": msg}
	if chatID < 0 {
		action, params = "send_group_msg", map[string]any{"group_id": shequn.QQNumber(chatID), "message": msg}
	}
	if err := s.wait(ctx, pri, chatID); err != nil {
		return 0, err
	}
	var out struct {
		MessageID int64 `json:"message_id"`
	}
	if err := s.API.Call(ctx, action, params, &out); err != nil {
		return 0, fmt.Errorf("send to QQ %d: %w", shequn.QQNumber(chatID), err)
	}
	return out.MessageID, nil
}

// wait stands in line until the message is first and its moment came.
func (s *Sender) wait(ctx context.Context, pri Priority, chatID int64) error {
	w := &waiter{pri: pri, chat: chatID, wake: make(chan struct{}, 1)}
	s.mu.Lock()
	s.lines[pri] = append(s.lines[pri], w)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if s.first() != w {
			s.mu.Unlock()
			select {
			case <-w.wake:
				continue
			case <-ctx.Done():
				s.leave(w)
				return ctx.Err()
			}
		}
		now := s.now()
		at := s.free(chatID, now)
		if at.After(now) {
			s.mu.Unlock()
			if err := s.sleep(ctx, at.Sub(now)); err != nil {
				s.leave(w)
				return err
			}
			continue // a reply may have come first meanwhile
		}
		at = s.take(w, now)
		s.mu.Unlock()
		if at.After(now) {
			return s.sleep(ctx, at.Sub(now)) // the jitter
		}
		return ctx.Err()
	}
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return timerSleep(ctx, d)
}

// first is the message whose turn it is: a reply, then the talk, unless
// bulk traffic has waited for fairShare of them. The caller holds s.mu.
func (s *Sender) first() *waiter {
	ahead := len(s.lines[Interactive]) + len(s.lines[Relay])
	if len(s.lines[Bulk]) > 0 && (ahead == 0 || s.passed >= fairShare-1) {
		return s.lines[Bulk][0]
	}
	for _, pri := range []Priority{Interactive, Relay} {
		if len(s.lines[pri]) > 0 {
			return s.lines[pri][0]
		}
	}
	return nil
}

// leave takes a waiter out of line and pokes the next.
func (s *Sender) leave(w *waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(w)
	s.poke()
}

func (s *Sender) remove(w *waiter) {
	line := s.lines[w.pri]
	for i, o := range line {
		if o == w {
			s.lines[w.pri] = append(line[:i], line[i+1:]...)
			return
		}
	}
}

func (s *Sender) poke() {
	if n := s.first(); n != nil {
		select {
		case n.wake <- struct{}{}:
		default:
		}
	}
}

// free is the first moment from now on at which a message into the chat
// breaks no rate and keeps the spacing. The caller holds s.mu.
func (s *Sender) free(chatID int64, now time.Time) time.Time {
	per := s.rateOf(chatID)
	at := laterOf(now, s.last)
	if n := len(s.global); n > 0 {
		at = laterOf(at, s.global[n-1].Add(spacing(s.Limits.Global)))
	}
	if n := len(s.chats[chatID]); n > 0 {
		at = laterOf(at, s.chats[chatID][n-1].Add(spacing(per)))
	}
	for {
		next := laterOf(earliest(s.chats[chatID], per, at), earliest(s.global, s.Limits.Global, at))
		if !next.After(at) {
			return at
		}
		at = next
	}
}

// take gives the first waiter its moment, now plus the jitter, and pokes
// the next. The caller holds s.mu.
func (s *Sender) take(w *waiter, now time.Time) time.Time {
	at := now
	if s.Limits.Jitter > 0 {
		at = at.Add(time.Duration(rand.Int64N(int64(s.Limits.Jitter))))
	}
	if s.chats == nil {
		s.chats = map[int64][]time.Time{}
	}
	per := s.rateOf(w.chat)
	s.last = at
	s.chats[w.chat] = keep(append(s.chats[w.chat], at), per)
	s.global = keep(append(s.global, at), s.Limits.Global)
	switch {
	case w.pri == Bulk || len(s.lines[Bulk]) == 0:
		s.passed = 0
	default:
		s.passed++
	}
	s.remove(w)
	s.poke()
	return at
}

func (s *Sender) rateOf(chatID int64) Rate {
	if chatID < 0 {
		return s.Limits.Group
	}
	return s.Limits.Private
}

// earliest is the first moment from at on that a message may take within
// r, given the moments taken (oldest first).
func earliest(taken []time.Time, r Rate, at time.Time) time.Time {
	if r.Count <= 0 || len(taken) < r.Count {
		return at
	}
	span := r.Per + r.Per/50
	// The Count-th latest moment must be a full span before at.
	return laterOf(at, taken[len(taken)-r.Count].Add(span))
}

// spacing is the even gap a rate asks for between two messages.
func spacing(r Rate) time.Duration {
	if r.Count <= 0 {
		return 0
	}
	return r.Per / time.Duration(r.Count)
}

// keep trims the moments to the last Count, all a window needs.
func keep(ts []time.Time, r Rate) []time.Time {
	if r.Count > 0 && len(ts) > r.Count {
		return append(ts[:0:0], ts[len(ts)-r.Count:]...)
	}
	return ts
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func timerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Waiting counts the messages of a priority in line (for the metrics and
// the tests).
func (s *Sender) Waiting(pri Priority) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines[pri])
}
