package sessions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
)

// BroadcastState is where a broadcast stands.
type BroadcastState string

// Broadcast states.
const (
	Sending   BroadcastState = "sending"
	Cancelled BroadcastState = "cancelled"
	Done      BroadcastState = "done"
)

// Broadcast is one message an admin sends to the student groups of a
// course (every course when Course is empty) and, with DM, to every member
// privately. Sent and Blocked count the members reached and those who
// blocked the bot.
type Broadcast struct {
	ID         int64
	Course     string
	DM         bool
	Ref        MessageRef
	By         int64
	State      BroadcastState
	CreatedAt  time.Time
	FinishedAt time.Time
	Sent       int
	Blocked    int
}

// BroadcastStore keeps broadcasts and their progress; which member has it
// is kept in the post log, one step per member.
type BroadcastStore interface {
	// AddBroadcast stores a broadcast with the next id, sending.
	AddBroadcast(ctx context.Context, b Broadcast) (Broadcast, error)
	// Broadcast returns one by id, or shequn.ErrNotFound.
	Broadcast(ctx context.Context, id int64) (Broadcast, error)
	// Broadcasts returns the last limit broadcasts, newest first.
	Broadcasts(ctx context.Context, limit int) ([]Broadcast, error)
	// FinishBroadcast moves a sending broadcast to state and reports
	// whether it was sending.
	FinishBroadcast(ctx context.Context, id int64, state BroadcastState, at time.Time) (bool, error)
	// CountBroadcast adds to the broadcast's counts.
	CountBroadcast(ctx context.Context, id int64, sent, blocked int) error
	// Audience returns up to limit ids of the members seated in a group of
	// the course (any course when empty), each once, ascending, after the
	// given id; AudienceSize counts them.
	Audience(ctx context.Context, course string, after int64, limit int) ([]int64, error)
	AudienceSize(ctx context.Context, course string) (int, error)
	// PostedTo returns the chats among chatIDs that the post named key
	// reached, as the post log (groups.PostLog) records it: one read for a
	// page of members rather than one per member.
	PostedTo(ctx context.Context, key string, chatIDs []int64) ([]int64, error)
}

// blockedKey marks, in the post log, a member who blocked the bot: later
// broadcasts skip them.
const blockedKey = "blocked"

// page is how many members a broadcast pass reads at a time; the cancel is
// looked at between pages.
const page = 500

// Announce stores a broadcast of the message; the broadcast pass sends it.
func (s *Service) Announce(ctx context.Context, by int64, course string, dm bool, ref MessageRef) (Broadcast, error) {
	if len(ref.MessageIDs) == 0 {
		return Broadcast{}, shequn.Errorf(shequn.CodeInvalid, "a broadcast needs a message")
	}
	b := Broadcast{Course: course, DM: dm, Ref: ref, By: by, State: Sending, CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	b, err := s.Store.AddBroadcast(ctx, b)
	if err != nil {
		return b, fmt.Errorf("store broadcast: %w", err)
	}
	s.wake()
	return b, nil
}

// Cancel stops a broadcast; what was sent stays sent.
func (s *Service) Cancel(ctx context.Context, id int64) error {
	ok, err := s.Store.FinishBroadcast(ctx, id, Cancelled, s.Now())
	if err != nil {
		return fmt.Errorf("cancel broadcast %d: %w", id, err)
	}
	if !ok {
		return shequn.Errorf(shequn.CodeConflict, "the broadcast is not sending any more")
	}
	return nil
}

// Recent returns the last broadcasts, newest first, with the number of
// members each one is for (zero without DM).
func (s *Service) Recent(ctx context.Context, limit int) ([]Broadcast, []int, error) {
	all, err := s.Store.Broadcasts(ctx, limit)
	if err != nil {
		return nil, nil, err
	}
	sizes := make([]int, len(all))
	for i, b := range all {
		if b.DM {
			if sizes[i], err = s.Store.AudienceSize(ctx, b.Course); err != nil {
				return nil, nil, err
			}
		}
	}
	return all, sizes, nil
}

// Broadcast sends the broadcasts in progress, oldest first: into every
// matching student group (a group that fails waits alone), then to every
// member by DM (several at a time; the sender keeps the limits), each
// target recorded once it has the message, so a restart resumes where it
// stopped and sends nobody anything twice. It runs under the lease.
func (s *Service) Broadcast(ctx context.Context, now time.Time) error {
	all, err := s.Store.Broadcasts(ctx, 100)
	if err != nil {
		return fmt.Errorf("list broadcasts: %w", err)
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].State != Sending {
			continue
		}
		if err := s.broadcast(ctx, all[i], now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) broadcast(ctx context.Context, b Broadcast, now time.Time) error {
	gs, err := s.Groups.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	key := fmt.Sprintf("b%d", b.ID)
	done := true
	for _, g := range gs {
		if !inCourse(g, b.Course) {
			continue
		}
		if err := jobs.Check(ctx); err != nil {
			return err
		}
		eff := effect(key, g)
		if g.Problem != "" {
			continue // skipped: its owners were told
		}
		if !s.Groups.EffectReady(eff, now) {
			done = false
			continue
		}
		err := s.once(ctx, key, g.ChatID, func(ctx context.Context) (int, error) {
			return 0, s.Platform.Copy(ctx, g.ChatID, b.Ref, false)
		}, now)
		if errors.Is(err, ErrSourceGone) {
			return s.finish(ctx, b, Cancelled, now)
		}
		done = s.Groups.SettleEffect(ctx, g, eff, err, now) && done
	}
	if b.DM {
		ok, err := s.dms(ctx, b, key, now)
		if err != nil || !ok {
			return err
		}
	}
	if done {
		return s.finish(ctx, b, Done, now)
	}
	return nil
}

func (s *Service) finish(ctx context.Context, b Broadcast, st BroadcastState, now time.Time) error {
	ok, err := s.Store.FinishBroadcast(ctx, b.ID, st, now)
	if err != nil {
		return fmt.Errorf("finish broadcast %d: %w", b.ID, err)
	}
	if ok && b.By != 0 {
		b.State = st
		if b, err = s.Store.Broadcast(ctx, b.ID); err == nil {
			err = s.Notifier.Tell(ctx, b.By, BroadcastDoneNotice{Broadcast: b})
		}
		if err != nil {
			s.Log.WarnContext(ctx, "broadcast's sender not told", "broadcast", b.ID, "err", err)
		}
	}
	return nil
}

// dms sends the broadcast to every member and reports whether every
// member has it (or blocked the bot); false when it was cancelled or some
// failed for a passing reason (the next pass retries those). The members
// are read page by page, the cancel looked at between pages, and Workers
// DMs are in flight at any time (the sender paces them), with no pause
// between pages.
func (s *Service) dms(ctx context.Context, b Broadcast, key string, now time.Time) (bool, error) {
	workers := s.Workers
	if workers <= 0 {
		workers = 16
	}
	var (
		sent, blocked, failed atomic.Int64
		stopped               atomic.Value // the error that stops the workers: lease lost, stopping
		firstFailure          atomic.Value // the first DM that failed for a passing reason
		wg                    sync.WaitGroup
		next                  = make(chan target, page)
	)
	for range workers {
		wg.Go(func() {
			for u := range next {
				if stopped.Load() != nil {
					continue
				}
				o, err := s.dm(ctx, b, key, u, now)
				switch {
				case errors.Is(err, jobs.ErrLeaseLost), errors.Is(err, jobs.ErrStopping), ctx.Err() != nil:
					stopped.CompareAndSwap(nil, stopError{cmpErr(ctx.Err(), err)})
				case err != nil:
					if failed.Add(1) == 1 {
						firstFailure.Store(stopError{fmt.Errorf("user %d: %w", u.user, err)})
					}
				}
				sent.Add(int64(o.sent))
				blocked.Add(int64(o.blocked))
			}
		})
	}
	count := func() error {
		return s.Store.CountBroadcast(ctx, b.ID, int(sent.Swap(0)), int(blocked.Swap(0)))
	}
	more, err := s.feed(ctx, b, next, &stopped, count)
	close(next)
	wg.Wait()
	if cerr := count(); err == nil && cerr != nil {
		err = fmt.Errorf("count broadcast %d: %w", b.ID, cerr)
	}
	if e, ok := stopped.Load().(stopError); err == nil && ok {
		err = e.err
	}
	if n := failed.Load(); n > 0 {
		// One line for the pass, not one per member: an outage fails them all.
		e, _ := firstFailure.Load().(stopError)
		s.Log.WarnContext(ctx, "broadcast DMs failed; the next pass retries them", "broadcast", b.ID, "failed", n, "first", e.err)
	}
	return !more && failed.Load() == 0 && err == nil, err
}

// stopError holds the error that stopped a broadcast's workers (an
// atomic.Value needs one concrete type).
type stopError struct{ err error }

// feed hands the members to the workers page by page, recording the counts
// so far after each page; more is true when it stopped before the end (a
// cancel, a stop).
func (s *Service) feed(ctx context.Context, b Broadcast, next chan<- target, stopped *atomic.Value, count func() error) (more bool, err error) {
	for after := int64(0); ; {
		cur, err := s.Store.Broadcast(ctx, b.ID)
		if err != nil {
			return true, fmt.Errorf("broadcast %d: %w", b.ID, err)
		}
		if cur.State != Sending || stopped.Load() != nil {
			return true, nil
		}
		ids, err := s.Store.Audience(ctx, b.Course, after, page)
		if err != nil {
			return true, fmt.Errorf("audience of broadcast %d: %w", b.ID, err)
		}
		if len(ids) == 0 {
			return false, nil
		}
		targets, err := s.targets(ctx, fmt.Sprintf("b%d", b.ID), ids)
		if err != nil {
			return true, err
		}
		for _, t := range targets {
			if err := jobs.Check(ctx); err != nil {
				return true, err
			}
			next <- t
		}
		if err := count(); err != nil {
			return true, fmt.Errorf("count broadcast %d: %w", b.ID, err)
		}
		after = ids[len(ids)-1]
	}
}

// target is a member a broadcast is for, with what the post log knows.
type target struct {
	user    int64
	has     bool // the broadcast reached them before
	tried   bool // a process began to send it and stopped before it knew
	blocked bool // they blocked the bot
}

// triedKey names, in the post log, a DM begun: it is recorded before the
// send, and its outcome after.
func triedKey(key string) string { return key + ":try" }

// targets reads, for a page of members, who has the broadcast already, to
// whom it was begun, and who blocked the bot.
func (s *Service) targets(ctx context.Context, key string, ids []int64) ([]target, error) {
	sets := make([]map[int64]bool, 3)
	for i, k := range []string{key, triedKey(key), blockedKey} {
		got, err := s.Store.PostedTo(ctx, k, ids)
		if err != nil {
			return nil, fmt.Errorf("read %s of a page: %w", k, err)
		}
		sets[i] = make(map[int64]bool, len(got))
		for _, id := range got {
			sets[i][id] = true
		}
	}
	out := make([]target, len(ids))
	for i, u := range ids {
		out[i] = target{user: u, has: sets[0][u], tried: sets[1][u], blocked: sets[2][u]}
	}
	return out, nil
}

type outcome struct{ sent, blocked int }

// dm sends the broadcast to one member unless they have it or blocked the
// bot; a member found blocking the bot is marked so that no broadcast
// tries again. The DM is recorded as begun before it is sent and as sent
// after: one begun by a process that stopped before it knew the outcome
// (a crash) is not sent again, since it most likely went out; a broadcast
// never sends anyone anything twice.
func (s *Service) dm(ctx context.Context, b Broadcast, key string, t target, now time.Time) (outcome, error) {
	u := t.user
	switch {
	case t.has:
		return outcome{}, nil
	case t.blocked:
		return outcome{blocked: 1}, s.mark(ctx, key, u, -1, now)
	case t.tried:
		s.Log.WarnContext(ctx, "broadcast DM begun before a stop: not sent again", "broadcast", b.ID, "user", u)
		return outcome{sent: 1}, s.mark(ctx, key, u, 0, now)
	}
	if begun, err := s.Posts.MarkPosted(ctx, triedKey(key), u, 0, now); err != nil || !begun {
		return outcome{}, err // another process began it meanwhile: it finishes it
	}
	err := s.Platform.Copy(ctx, u, b.Ref, false)
	switch {
	case errors.Is(err, shequn.ErrUnreachable):
		if err := s.mark(ctx, blockedKey, u, 0, now); err != nil {
			return outcome{}, err
		}
		return outcome{blocked: 1}, s.mark(ctx, key, u, -1, now)
	case err != nil:
		// It did not go out: the next pass tries again.
		if ferr := s.Posts.ForgetPost(ctx, triedKey(key), u); ferr != nil {
			s.Log.ErrorContext(ctx, "a failed broadcast DM stays marked begun", "broadcast", b.ID, "user", u, "err", ferr)
		}
		return outcome{}, err
	}
	return outcome{sent: 1}, s.mark(ctx, key, u, 0, now)
}

// Unblocked forgets that a member blocked the bot (they restarted it), so
// that later broadcasts reach them.
func (s *Service) Unblocked(ctx context.Context, userID int64) error {
	return s.Posts.ForgetPost(ctx, blockedKey, userID)
}

// Blocked records that a member blocked the bot: broadcasts skip them
// until they restart it.
func (s *Service) Blocked(ctx context.Context, userID int64) error {
	return s.mark(ctx, blockedKey, userID, 0, s.Now())
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
