package bot

import (
	"context"
	"time"
)

// levels is the number of priorities.
const levels = int(Bulk) + 1

// fairShare bounds starvation: a lower priority that waits gets at least
// one slot of the global limit in every fairShare, however busy the higher
// ones are. Interactive replies are few and come in bursts, so in practice
// they go first; a relay into many groups or a flood of commands cannot stop
// a broadcast for good.
const fairShare = 10

// slotWaiter is a message waiting for a slot of the global limit.
type slotWaiter struct {
	pri  Priority
	wake chan struct{} // poked when it may be its turn; buffered 1
}

// gate hands out the slots of the global limit: evenly spaced (so a slot is
// free for a reply every 1/rate and not only when the window rolls over),
// never more than the limit in any window, to the highest priority waiting,
// first come first served within a priority.
//
// It is not golang.org/x/time/rate: a token bucket allows its full burst
// again after any pause, so a burst at the end of one second and another at
// the start of the next exceed Telegram's "N in any window", which Telegram
// answers with 429; and a limiter has no priorities to hand slots out by.
type gate struct {
	win      window
	spacing  time.Duration // Window / Count
	catchUp  time.Duration // how far behind the pace a late start may make up
	next     time.Time     // the earliest start of the next message
	heldTill time.Time     // a 429 answer not tied to a chat holds every chat
	queues   [levels][]*slotWaiter
	passed   [levels]int // slots given to higher priorities while this one waited
}

func newGate(l Limit) gate {
	g := gate{win: window{limit: l}}
	if l.Count > 0 {
		g.spacing = l.Window / time.Duration(l.Count)
		// Timers wake late (a sleep shorter than a millisecond often takes
		// one, more on a busy machine): a few slots, or 10 ms at high rates
		// (paid broadcasts, the benchmarks). The window still holds.
		g.catchUp = max(4*g.spacing, 10*time.Millisecond)
	}
	return g
}

// chosen is the waiter the next slot goes to.
func (g *gate) chosen() *slotWaiter {
	for p := levels - 1; p > 0; p-- {
		if len(g.queues[p]) > 0 && g.passed[p] >= fairShare-1 {
			return g.queues[p][0]
		}
	}
	for p := range levels {
		if len(g.queues[p]) > 0 {
			return g.queues[p][0]
		}
	}
	return nil
}

// pokeLocked wakes the chosen waiter to look again at the gate.
func (g *gate) pokeLocked() {
	if w := g.chosen(); w != nil {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// readyAt returns when the next slot is free; ok is false when that waits
// for an answer of a call in flight.
func (g *gate) readyAt(now time.Time) (time.Time, bool) {
	at, ok := g.win.freeAt(now)
	if !ok {
		return at, false
	}
	if g.next.After(at) {
		at = g.next
	}
	if g.heldTill.After(at) {
		at = g.heldTill
	}
	return at, true
}

// grant gives the slot to w, the chosen waiter, at now.
func (g *gate) grant(w *slotWaiter, now time.Time) {
	g.remove(w)
	g.win.start()
	// A waiter woken a little late does not push every later slot back:
	// the pace may catch up by a few slots (the window still holds).
	g.next = laterOf(g.next, now.Add(-g.catchUp)).Add(g.spacing)
	for p := range levels {
		switch {
		case p == int(w.pri) || len(g.queues[p]) == 0:
			g.passed[p] = 0
		case p > int(w.pri):
			g.passed[p]++
		}
	}
	g.pokeLocked()
}

func (g *gate) remove(w *slotWaiter) {
	q := g.queues[w.pri]
	for i, o := range q {
		if o == w {
			g.queues[w.pri] = append(q[:i], q[i+1:]...)
			return
		}
	}
}

// waitSlot waits for a slot of the global limit at priority pri.
func (s *Sender) waitSlot(ctx context.Context, pri Priority) error {
	w := &slotWaiter{pri: pri, wake: make(chan struct{}, 1)}
	g := &s.global
	s.mu.Lock()
	g.queues[pri] = append(g.queues[pri], w)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		now := s.now()
		var at time.Time
		known := false
		if g.chosen() == w {
			if at, known = g.readyAt(now); known && !at.After(now) {
				g.grant(w, now)
				s.mu.Unlock()
				return nil
			}
		}
		s.mu.Unlock()
		if err := s.await(ctx, w.wake, known, at.Sub(now)); err != nil {
			s.mu.Lock()
			g.remove(w)
			g.pokeLocked()
			s.mu.Unlock()
			return err
		}
	}
}

// await waits for a poke, and for at most d when timed.
func (s *Sender) await(ctx context.Context, wake chan struct{}, timed bool, d time.Duration) error {
	if !timed {
		select {
		case <-wake:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-wake:
			cancel()
		case <-sctx.Done():
		}
	}()
	_ = s.sleep(sctx, d) // cut short by a poke; ctx's end is checked below
	cancel()
	// A poke the watcher took is not lost: the caller looks at the gate
	// again after this returns.
	<-watched
	return ctx.Err()
}

// waitHold waits out a hold of every chat, for calls outside the message
// limits (members, links, commands).
func (s *Sender) waitHold(ctx context.Context) error {
	for {
		s.mu.Lock()
		now, at := s.now(), s.global.heldTill
		s.mu.Unlock()
		if !at.After(now) {
			return ctx.Err()
		}
		if err := s.sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
