package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// reconcileBatch is how many seats one stage takes from the store at a
// time; reconcileWorkers how many of them are worked on at once (the sender
// keeps the platform's rate limits, so more workers only fill its queue).
const (
	reconcileBatch   = 200
	reconcileWorkers = 16
)

// Reconcile makes the chats match the stored state: groups not set up are
// muted and pinned, seated members get their welcome with the way in,
// waiting buyers are told, approved joins that were never seen are
// checked, arrivals are greeted (several in one line) and released members
// are taken out. Every step is recorded when done, so a pass that dies
// half-way is finished by the next one and nothing is done twice. Failures of single seats are
// logged and retried next pass; the error reports only a broken store.
func (s *Service) Reconcile(ctx context.Context, now time.Time) error {
	all, err := s.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	groups := make(map[int64]Group, len(all))
	for _, g := range all {
		if g.SetUpAt.IsZero() {
			if err := s.setUp(ctx, g); err != nil {
				s.Log.WarnContext(ctx, "group set-up failed", "group", g.ID, "err", err)
			}
		}
		groups[g.ID] = g
	}
	var links sync.Mutex // guards groups while join links are made
	link := func(id int64) (Group, string, error) {
		links.Lock()
		defer links.Unlock()
		g, ok := groups[id]
		if !ok {
			return g, "", fmt.Errorf("group %d is not registered", id)
		}
		l, err := s.joinLink(ctx, &g)
		groups[id] = g
		return g, l, err
	}
	stages := []struct {
		stage Stage
		do    func(Seat) error
	}{
		{StageInvite, func(seat Seat) error {
			g, l, err := link(seat.GroupID)
			if err != nil {
				return err
			}
			err = s.Notifier.Tell(ctx, seat.UserID, InviteNotice{Course: seat.Course, Number: seat.Number, Group: g, Link: l})
			if err := s.unreachableIsDone(ctx, seat, err); err != nil {
				return err
			}
			_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkInviteSent, now)
			return err
		}},
		{StageWaitNote, func(seat Seat) error {
			err := s.Notifier.Tell(ctx, seat.UserID, WaitlistNotice{Course: seat.Course, Number: seat.Number})
			if err := s.unreachableIsDone(ctx, seat, err); err != nil {
				return err
			}
			_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkWaitNoted, now)
			return err
		}},
		{StageJoin, func(seat Seat) error {
			g := groups[seat.GroupID]
			in, err := s.Platform.IsMember(ctx, g.ChatID, seat.UserID)
			if err != nil {
				return err
			}
			if !in {
				err = s.Platform.ApproveJoin(ctx, g.ChatID, seat.UserID)
				if errors.Is(err, ErrJoinRequestGone) {
					// Nothing to approve and not in: the member will ask again.
					_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkLeft, now)
					return err
				}
				if err != nil {
					return err
				}
			}
			return s.arrived(ctx, g, seat)
		}},
		{StageRemove, func(seat Seat) error {
			g, seated := groups[seat.GroupID]
			if seated {
				if err := s.Platform.RemoveMember(ctx, g.ChatID, seat.UserID); err != nil {
					return err
				}
			}
			err := s.Notifier.Tell(ctx, seat.UserID, RemovedNotice{Course: seat.Course, Number: seat.Number, Group: g})
			if err := s.unreachableIsDone(ctx, seat, err); err != nil {
				return err
			}
			_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkRemoved, now)
			return err
		}},
	}
	for _, st := range stages {
		if err := s.runStage(ctx, st.stage, st.do); err != nil {
			return err
		}
	}
	return s.welcomeArrivals(ctx, groups)
}

// welcomeBatch is how many arrivals one greeting names.
const welcomeBatch = 30

// welcomeArrivals greets the arrivals of each group, several in one line.
func (s *Service) welcomeArrivals(ctx context.Context, groups map[int64]Group) error {
	for {
		seats, err := s.Store.PendingSeats(ctx, StageWelcome, reconcileBatch)
		if err != nil {
			return fmt.Errorf("list seats pending %s: %w", StageWelcome, err)
		}
		byGroup := map[int64][]Seat{}
		var order []int64
		for _, seat := range seats {
			if _, ok := byGroup[seat.GroupID]; !ok {
				order = append(order, seat.GroupID)
			}
			byGroup[seat.GroupID] = append(byGroup[seat.GroupID], seat)
		}
		done := 0
		for _, id := range order {
			for batch := range slices.Chunk(byGroup[id], welcomeBatch) {
				if err := s.welcome(ctx, groups[id], batch); err != nil {
					s.Log.WarnContext(ctx, "reconcile step failed", "stage", string(StageWelcome), "group", id, "err", err)
					break
				}
				done += len(batch)
			}
		}
		if len(seats) < reconcileBatch || done == 0 {
			return nil
		}
	}
}

// runStage works through the seats pending at a stage. A batch in which
// nothing succeeded ends the stage, so a platform outage does not spin.
func (s *Service) runStage(ctx context.Context, stage Stage, do func(Seat) error) error {
	for {
		seats, err := s.Store.PendingSeats(ctx, stage, reconcileBatch)
		if err != nil {
			return fmt.Errorf("list seats pending %s: %w", stage, err)
		}
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			done   int
			tokens = make(chan struct{}, reconcileWorkers)
		)
		for _, seat := range seats {
			if ctx.Err() != nil {
				break
			}
			tokens <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-tokens; wg.Done() }()
				if err := do(seat); err != nil {
					s.Log.WarnContext(ctx, "reconcile step failed", "stage", string(stage), "course", seat.Course, "user", seat.UserID, "err", err)
					return
				}
				mu.Lock()
				done++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(seats) < reconcileBatch || done == 0 {
			return nil
		}
	}
}

// unreachableIsDone treats a user who cannot be written to as done: they
// blocked the bot or never opened it, and /me gives them the same again.
func (s *Service) unreachableIsDone(ctx context.Context, seat Seat, err error) error {
	if errors.Is(err, ErrUnreachable) {
		s.Log.InfoContext(ctx, "member cannot be reached", "course", seat.Course, "user", seat.UserID)
		return nil
	}
	return err
}
