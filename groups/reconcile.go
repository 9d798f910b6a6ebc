package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shequn/shequn"
)

// reconcileBatch is how many seats one stage takes from the store at a
// time; reconcileWorkers how many of them are worked on at once (the sender
// keeps the platform's rate limits, so more workers only fill its queue).
const (
	reconcileBatch   = 200
	reconcileWorkers = 16
)

// errSkipped is a seat's step left for a later pass: its group has a
// problem, or its last failure is still backing off.
var errSkipped = errors.New("skipped for now")

// Reconcile makes the chats match the stored state: groups not set up are
// muted and pinned, owners are told of groups with a problem and of
// waitlists, seated members get their welcome with the way in, waiting
// buyers are told, approved joins that were never seen are checked,
// arrivals are greeted (several in one line) and released members are
// taken out. Every step is recorded when done, so a pass that dies
// half-way is finished by the next one and nothing is done twice. A step
// that fails for a passing reason backs off on its own; one that fails
// because of the group records the group's problem, and the group is left
// alone until it is solved. The error reports only a broken store.
func (s *Service) Reconcile(ctx context.Context, now time.Time) error {
	all, err := s.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	set := &groupSet{m: make(map[int64]Group, len(all))}
	for _, g := range all {
		if err := fenced(ctx); err != nil {
			return err
		}
		s.reconcileGroup(ctx, &g, now)
		set.m[g.ID] = g
	}
	if err := s.alertWaitlists(ctx, now); err != nil {
		return err
	}
	stages := []struct {
		stage Stage
		do    func(Seat) error
	}{
		{StageInvite, func(seat Seat) error { return s.invite(ctx, set, seat, now) }},
		{StageWaitNote, func(seat Seat) error {
			err := s.Notifier.Tell(ctx, seat.UserID, WaitlistNotice{Course: seat.Course, Number: seat.Number})
			if err := s.unreachableIsDone(ctx, seat, err); err != nil {
				return err
			}
			_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkWaitNoted, now)
			return err
		}},
		{StageJoin, func(seat Seat) error { return s.finishJoin(ctx, set, seat, now) }},
		{StageRemove, func(seat Seat) error { return s.remove(ctx, set, seat, now) }},
	}
	for _, st := range stages {
		if err := s.runStage(ctx, set, st.stage, st.do, now); err != nil {
			return err
		}
	}
	if err := s.welcomeArrivals(ctx, set, now); err != nil {
		return err
	}
	return s.reconcileCore(ctx, set, now)
}

// groupSet holds the pass's view of the groups; steps running at once
// update it (a new join link, a problem found).
type groupSet struct {
	mu sync.Mutex
	m  map[int64]Group
}

func (gs *groupSet) get(id int64) (Group, bool) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	g, ok := gs.m[id]
	return g, ok
}

func (gs *groupSet) put(g Group) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	gs.m[g.ID] = g
}

// usable returns the group a seat's step acts in, or errSkipped while the
// group has a problem.
func (gs *groupSet) usable(id int64) (Group, error) {
	g, ok := gs.get(id)
	if !ok {
		return g, fmt.Errorf("group %d is not registered", id)
	}
	if g.Problem != "" {
		return g, errSkipped
	}
	return g, nil
}

func (s *Service) invite(ctx context.Context, set *groupSet, seat Seat, now time.Time) error {
	g, ok := set.get(seat.GroupID)
	if !ok {
		return fmt.Errorf("group %d is not registered", seat.GroupID)
	}
	if g.Problem != "" && g.JoinLink == "" {
		return errSkipped
	}
	set.mu.Lock() // one link per group, made once
	l, err := s.joinLink(ctx, &g)
	if err == nil {
		set.m[g.ID] = g
	}
	set.mu.Unlock()
	if err != nil {
		return err
	}
	err = s.Notifier.Tell(ctx, seat.UserID, InviteNotice{Course: seat.Course, Number: seat.Number, Group: g, Link: l})
	if err := s.unreachableIsDone(ctx, seat, err); err != nil {
		return err
	}
	_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkInviteSent, now)
	return err
}

func (s *Service) finishJoin(ctx context.Context, set *groupSet, seat Seat, now time.Time) error {
	g, err := set.usable(seat.GroupID)
	if err != nil {
		return err
	}
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
}

func (s *Service) remove(ctx context.Context, set *groupSet, seat Seat, now time.Time) error {
	g, seated := set.get(seat.GroupID)
	if seated {
		if g.Problem != "" {
			return errSkipped
		}
		// Taking the member out is a step of its own: a DM that fails
		// later does not take them out again.
		step := fmt.Sprintf("removal:%s:%d:%d", seat.Course, seat.UserID, seat.ReleasedAt.UnixNano())
		p, err := s.Posts.PostOf(ctx, step, g.ChatID)
		if err != nil {
			return fmt.Errorf("read step log: %w", err)
		}
		if p.PostedAt.IsZero() {
			if err := s.Platform.RemoveMember(ctx, g.ChatID, seat.UserID); err != nil {
				return err
			}
			if _, err := s.Posts.MarkPosted(ctx, step, g.ChatID, 0, now); err != nil {
				return fmt.Errorf("record removal: %w", err)
			}
		}
	}
	err := s.Notifier.Tell(ctx, seat.UserID, RemovedNotice{Course: seat.Course, Number: seat.Number, Group: g})
	if err := s.unreachableIsDone(ctx, seat, err); err != nil {
		return err
	}
	_, err = s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkRemoved, now)
	return err
}

// welcomeBatch is how many arrivals one greeting names.
const welcomeBatch = 30

// welcomeArrivals greets the arrivals of each group, several in one line.
// A group with a problem, or whose greeting failed, waits; the next batch
// looks past its arrivals to greet the other groups'.
func (s *Service) welcomeArrivals(ctx context.Context, set *groupSet, now time.Time) error {
	waiting := map[int64]int{} // group id -> arrivals left for later
	for {
		left := 0
		for _, n := range waiting {
			left += n
		}
		limit := min(left+reconcileBatch, maxStageWindow)
		seats, err := s.Store.PendingSeats(ctx, StageWelcome, limit)
		if err != nil {
			return fmt.Errorf("list seats pending %s: %w", StageWelcome, err)
		}
		greeted := 0
		for id, batch := range byGroup(seats) {
			if _, later := waiting[id]; later {
				continue
			}
			if err := fenced(ctx); err != nil {
				return err
			}
			n := s.welcomeGroup(ctx, set, id, batch, now)
			greeted += n
			if n < len(batch) {
				waiting[id] = len(batch) - n
			}
		}
		if len(seats) < limit || greeted == 0 {
			return nil
		}
	}
}

// byGroup groups seats by their group, keeping the order of each group's.
func byGroup(seats []Seat) map[int64][]Seat {
	out := map[int64][]Seat{}
	for _, seat := range seats {
		out[seat.GroupID] = append(out[seat.GroupID], seat)
	}
	return out
}

// welcomeGroup greets a group's arrivals, welcomeBatch to a line, and
// returns how many it greeted.
func (s *Service) welcomeGroup(ctx context.Context, set *groupSet, id int64, seats []Seat, now time.Time) int {
	g, err := set.usable(id)
	key := fmt.Sprintf("welcome:%d", id)
	if err != nil || !s.backoff.Ready(key, now) {
		return 0
	}
	greeted := 0
	for batch := range slices.Chunk(seats, welcomeBatch) {
		if fenced(ctx) != nil || !s.settle(ctx, &g, key, s.welcome(ctx, g, batch, now), now) {
			set.put(g)
			break
		}
		greeted += len(batch)
	}
	return greeted
}

// maxStageWindow bounds how far past stuck seats (of a group with a
// problem, or backing off) one stage looks in a pass.
const maxStageWindow = 20 * reconcileBatch

// outcome is how one seat's step went.
type outcome int

const (
	stepDone outcome = iota
	stepSkipped
	stepFailed
)

// runStage works through the seats pending at a stage, a batch at a time.
// Seats left for later (their group has a problem, their step backs off)
// stay first in the store's order, so the next batch looks past them: one
// stuck group never holds up the others. A batch in which nothing
// succeeded and something failed ends the stage, so a platform outage
// does not spin. A step that panics is logged as failed; the others go on.
func (s *Service) runStage(ctx context.Context, set *groupSet, stage Stage, do func(Seat) error, now time.Time) error {
	type seatKey struct {
		course string
		user   int64
	}
	seen := map[seatKey]bool{}
	stuck := 0
	for {
		limit := min(stuck+reconcileBatch, maxStageWindow)
		seats, err := s.Store.PendingSeats(ctx, stage, limit)
		if err != nil {
			return fmt.Errorf("list seats pending %s: %w", stage, err)
		}
		fresh := slices.DeleteFunc(slices.Clone(seats), func(st Seat) bool { return seen[seatKey{st.Course, st.UserID}] })
		for _, st := range fresh {
			seen[seatKey{st.Course, st.UserID}] = true
		}
		counts := s.runBatch(ctx, set, stage, fresh, do, now)
		if err := fenced(ctx); err != nil {
			return err
		}
		stuck += counts[stepSkipped] + counts[stepFailed]
		if len(seats) < limit || len(fresh) == 0 || (counts[stepDone] == 0 && counts[stepFailed] > 0) {
			return nil
		}
	}
}

// runBatch runs the steps of seats, reconcileWorkers at a time, and counts
// their outcomes.
func (s *Service) runBatch(ctx context.Context, set *groupSet, stage Stage, seats []Seat, do func(Seat) error, now time.Time) [3]int {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts [3]int
		tokens = make(chan struct{}, reconcileWorkers)
	)
	for _, seat := range seats {
		if fenced(ctx) != nil {
			break
		}
		tokens <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-tokens; wg.Done() }()
			o := s.seatStep(ctx, set, stage, seat, do, now)
			mu.Lock()
			counts[o]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// seatStep runs one seat's step, unless its last failure still backs
// off, and settles the outcome.
func (s *Service) seatStep(ctx context.Context, set *groupSet, stage Stage, seat Seat, do func(Seat) error, now time.Time) (o outcome) {
	key := fmt.Sprintf("%s:%s:%d", stage, seat.Course, seat.UserID)
	if !s.backoff.Ready(key, now) {
		return stepSkipped
	}
	defer func() {
		if p := recover(); p != nil {
			s.Log.ErrorContext(ctx, "reconcile step panicked", "stage", string(stage), "course", seat.Course, "user", seat.UserID, "panic", fmt.Sprint(p))
			s.backoff.Failed(key, now)
			o = stepFailed
		}
	}()
	err := do(seat)
	if errors.Is(err, errSkipped) {
		return stepSkipped
	}
	var ge *GroupError
	if errors.As(err, &ge) {
		g, known := set.get(seat.GroupID)
		if known {
			s.recordProblem(ctx, &g, ge.Problem)
			set.put(g)
		}
		return stepSkipped
	}
	if err != nil {
		if fenced(ctx) != nil {
			return stepSkipped
		}
		wait := s.backoff.Failed(key, now)
		s.Log.WarnContext(ctx, "reconcile step failed", "stage", string(stage), "course", seat.Course, "user", seat.UserID, "retry_in", wait, "err", err)
		return stepFailed
	}
	s.backoff.Done(key)
	return stepDone
}

// unreachableIsDone treats a user who cannot be written to as done: they
// blocked the bot or never opened it, and /me gives them the same again.
func (s *Service) unreachableIsDone(ctx context.Context, seat Seat, err error) error {
	if errors.Is(err, shequn.ErrUnreachable) {
		s.Log.InfoContext(ctx, "member cannot be reached", "course", seat.Course, "user", seat.UserID)
		return nil
	}
	return err
}
