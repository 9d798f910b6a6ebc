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

// Caller runs OneBot actions; Transport is one.
type Caller interface {
	Call(ctx context.Context, action string, params, out any) error
}

// Sender sends QQ messages within the limits: each message gets the
// first moment no rate would be broken and that keeps the messages evenly
// spaced, in the order they were asked for, plus the jitter, and waits
// for it. The moments are exact on the
// injected clock; a margin of a fiftieth of each span keeps them apart on
// the wire too.
type Sender struct {
	API    Caller
	Limits Limits
	Now    func() time.Time
	// Sleep waits for d or until ctx ends; a timer when nil. The demo and
	// the benchmarks pass their clock's.
	Sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	last   time.Time             // the latest moment given out
	global []time.Time           // moments given out, newest last
	chats  map[int64][]time.Time // per chat
}

// Send sends a message to a QQ user or group (a domain id) and returns
// its message id.
func (s *Sender) Send(ctx context.Context, chatID int64, msg Message) (int64, error) {
	action, params := "send_private_msg", map[string]any{"user_id": shequn.QQNumber(chatID), "message": msg}
	if chatID < 0 {
		action, params = "send_group_msg", map[string]any{"group_id": shequn.QQNumber(chatID), "message": msg}
	}
	if err := s.wait(ctx, chatID); err != nil {
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

// wait takes the message's moment and sleeps until it comes.
func (s *Sender) wait(ctx context.Context, chatID int64) error {
	at := s.reserve(chatID)
	now := s.Now()
	if !at.After(now) {
		return ctx.Err()
	}
	sleep := s.Sleep
	if sleep == nil {
		sleep = timerSleep
	}
	return sleep(ctx, at.Sub(now))
}

// reserve gives out the first moment, not before the last one given, at
// which neither the chat's rate nor the global one is broken.
func (s *Sender) reserve(chatID int64) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chats == nil {
		s.chats = map[int64][]time.Time{}
	}
	per := s.Limits.Private
	if chatID < 0 {
		per = s.Limits.Group
	}
	at := laterOf(s.Now(), s.last)
	// Evenly spaced: never two messages closer than a rate's span divided
	// by its count, so 20 a minute is one every 3 s, not 20 at once.
	if n := len(s.global); n > 0 {
		at = laterOf(at, s.global[n-1].Add(spacing(s.Limits.Global)))
	}
	if n := len(s.chats[chatID]); n > 0 {
		at = laterOf(at, s.chats[chatID][n-1].Add(spacing(per)))
	}
	for {
		next := laterOf(earliest(s.chats[chatID], per, at), earliest(s.global, s.Limits.Global, at))
		if !next.After(at) {
			break
		}
		at = next
	}
	if s.Limits.Jitter > 0 {
		at = at.Add(time.Duration(rand.Int64N(int64(s.Limits.Jitter))))
	}
	s.last = at
	s.chats[chatID] = keep(append(s.chats[chatID], at), per)
	s.global = keep(append(s.global, at), s.Limits.Global)
	return at
}

// earliest is the first moment from at on that a message may take within
// r, given the moments taken (oldest first).
func earliest(taken []time.Time, r Rate, at time.Time) time.Time {
	if r.Count <= 0 || len(taken) < r.Count {
		return at
	}
	span := r.Per + r.Per/50
	// The Count-th latest moment must be a full span before at.
	free := taken[len(taken)-r.Count].Add(span)
	return laterOf(at, free)
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
