package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shequn/shequn"
)

// reconcileCore makes the core groups match the stored cycle: elimination
// runs recorded but not applied are applied, expired invitations pass on,
// free seats are offered to the best candidates, the invited get their
// congratulation with the way in, the leaving are taken out and told, the
// arrived are welcomed, and a finished run's summary is posted. Each step
// is recorded when done, so a pass that stops half-way is finished by the
// next one: nobody is removed twice, skipped, or given a seat twice (the
// seats are counted by the store, not by the pass).
func (s *Service) reconcileCore(ctx context.Context, set *groupSet, now time.Time) error {
	if s.Core == nil {
		return nil
	}
	if err := s.creditTasks(ctx); err != nil {
		return err
	}
	runs, err := s.Core.OpenRuns(ctx)
	if err != nil {
		return fmt.Errorf("open runs: %w", err)
	}
	for _, r := range runs {
		if !r.Applied {
			if err := s.Core.ApplyRun(ctx, r.ID); err != nil {
				return fmt.Errorf("apply run %d: %w", r.ID, err)
			}
		}
	}
	byID := make(map[int64]EliminationRun, len(runs))
	for _, r := range runs {
		byID[r.ID] = r
	}
	cores := s.coreGroups(set)
	for scope, g := range cores {
		if g.Problem != "" { // an invitation's time would run while nobody can come in
			continue
		}
		if err := s.fillCore(ctx, scope, g, now); err != nil {
			return err
		}
	}
	steps := []struct {
		step CoreStep
		do   func(Group, CoreSeat) error
	}{
		{CoreStepRemove, func(g Group, c CoreSeat) error { return s.coreRemove(ctx, g, c) }},
		{CoreStepTell, func(g Group, c CoreSeat) error {
			n := CoreEliminatedNotice{Scope: c.Scope, Group: g, RunID: c.RunID, Period: byID[c.RunID].Period,
				Decision: decisionOf(byID[c.RunID], c.UserID), Back: now.AddDate(0, 0, s.CoreRules.ExcellentDays)}
			if err := s.tell(ctx, c.UserID, n); err != nil {
				return err
			}
			return s.eliminatedEvent(ctx, byID, c, now)
		}},
		{CoreStepInvite, func(g Group, c CoreSeat) error { return s.coreInvite(ctx, set, g, c, now) }},
		{CoreStepWelcome, func(g Group, c CoreSeat) error {
			_, err := s.Notifier.Post(ctx, g.ChatID, CoreWelcomeNotice{Scope: c.Scope, UserID: c.UserID, Name: s.firstName(ctx, c.UserID), Reason: c.Reason})
			return err
		}},
	}
	for _, st := range steps {
		if err := s.coreStep(ctx, cores, st.step, st.do, now); err != nil {
			return err
		}
	}
	return s.coreSummaries(ctx, cores, runs, now)
}

// fillCore passes expired invitations on and invites the best candidates
// into the free seats, writing both to the history.
func (s *Service) fillCore(ctx context.Context, scope string, g Group, now time.Time) error {
	expired, err := s.Core.ExpireInvites(ctx, scope, now)
	if err != nil {
		return fmt.Errorf("expire invitations: %w", err)
	}
	for _, c := range expired {
		if err := s.event(ctx, CoreEvent{Scope: scope, UserID: c.UserID, At: now, Kind: EventExpired}, "expired:"+at(c.InvitedAt)); err != nil {
			return err
		}
	}
	invited, err := s.Core.InviteNext(ctx, scope, g.Capacity, now, now.Add(s.CoreRules.InviteTimeout))
	if err != nil {
		return fmt.Errorf("invite candidates: %w", err)
	}
	for _, c := range invited {
		if err := s.event(ctx, CoreEvent{Scope: scope, UserID: c.UserID, At: now, Kind: EventInvited}, "invited:"+at(c.InvitedAt)); err != nil {
			return err
		}
	}
	return nil
}

// coreGroups maps each scope to its core group.
func (s *Service) coreGroups(set *groupSet) map[string]Group {
	set.mu.Lock()
	defer set.mu.Unlock()
	out := map[string]Group{}
	for _, g := range set.m {
		if g.Kind == KindCore {
			out[g.Course] = g
		}
	}
	return out
}

// coreStep does one step for a batch of records and marks each one done.
// A step that fails is left for a later pass and holds up nobody else.
func (s *Service) coreStep(ctx context.Context, cores map[string]Group, step CoreStep, do func(Group, CoreSeat) error, now time.Time) error {
	pending, err := s.Core.PendingCore(ctx, step, reconcileBatch)
	if err != nil {
		return fmt.Errorf("core records pending %s: %w", step, err)
	}
	for _, c := range pending {
		if err := fenced(ctx); err != nil {
			return err
		}
		g, ok := cores[c.Scope]
		if !ok || g.Problem != "" {
			continue
		}
		key := "core:" + string(step) + ":" + strconv.FormatInt(c.UserID, 10)
		if !s.backoff.Ready(key, now) {
			continue
		}
		if !s.settle(ctx, &g, key, do(g, c), now) {
			continue
		}
		if _, err := s.Core.MarkCore(ctx, c.Scope, c.UserID, step, now); err != nil {
			return fmt.Errorf("mark core %s: %w", step, err)
		}
	}
	return nil
}

// coreRemove takes a leaving member out of the core group. It looks
// first: a pass that died after the removal and before recording it finds
// the member gone and does not remove them again, but lifts the ban in
// case it died before that, so that the member can be invited again.
func (s *Service) coreRemove(ctx context.Context, g Group, c CoreSeat) error {
	in, err := s.Platform.IsMember(ctx, g.ChatID, c.UserID)
	if err != nil {
		return err
	}
	if !in {
		return s.Platform.LiftBan(ctx, g.ChatID, c.UserID)
	}
	return s.Platform.RemoveMember(ctx, g.ChatID, c.UserID)
}

// tell delivers a notice; a user who cannot be reached counts as told.
func (s *Service) tell(ctx context.Context, userID int64, n shequn.Notice) error {
	err := s.Notifier.Tell(ctx, userID, n)
	if errors.Is(err, shequn.ErrUnreachable) {
		s.Log.InfoContext(ctx, "member cannot be reached", "user", userID, "notice", n.NoticeName())
		return nil
	}
	return err
}

// coreInvite congratulates the invited with the way in; the invitation
// holds for the timeout from now (MarkCore moves the stored expiry alike).
func (s *Service) coreInvite(ctx context.Context, set *groupSet, g Group, c CoreSeat, now time.Time) error {
	if shequn.IsQQ(g.ChatID) != shequn.IsQQ(c.UserID) {
		return s.passOn(ctx, c, now)
	}
	set.mu.Lock() // one link per group, made once
	if cur, ok := set.m[g.ID]; ok {
		g = cur // holds the link an earlier invitation of this pass made
	}
	link, err := s.joinLink(ctx, &g)
	if err == nil {
		set.m[g.ID] = g
	}
	set.mu.Unlock()
	if err != nil {
		return err
	}
	expires := c.ExpiresAt.Add(max(now.Sub(c.InvitedAt), 0))
	return s.tell(ctx, c.UserID, CoreInviteNotice{Scope: c.Scope, Group: g, Link: link, Reason: c.Reason, Expires: expires})
}

// coreSummaries posts, once, the summary of each run whose leaving members
// were all taken out and told.
func (s *Service) coreSummaries(ctx context.Context, cores map[string]Group, runs []EliminationRun, now time.Time) error {
	for _, r := range runs {
		g, ok := cores[r.Scope]
		if !ok || g.Problem != "" || !r.Summary.IsZero() {
			continue
		}
		done, err := s.runDone(ctx, r)
		if err != nil || !done {
			return err
		}
		joined, err := s.Core.CoreSeats(ctx, r.Scope, CoreInvited, 0)
		if err != nil {
			return fmt.Errorf("invited: %w", err)
		}
		n := CoreSummaryNotice{Scope: r.Scope, Period: r.Period, Left: len(r.Out), Top: r.TopUsers, Names: map[int64]string{}}
		for _, c := range joined {
			n.Invited = append(n.Invited, c.UserID)
		}
		for _, u := range append(slices.Clone(n.Invited), n.Top...) {
			n.Names[u] = s.firstName(ctx, u)
		}
		key := "core-run:" + strconv.FormatInt(r.ID, 10)
		if err := s.postOnce(ctx, key, g, n, now); err != nil {
			s.settle(ctx, &g, key, err, now)
			continue
		}
		if err := s.Core.MarkRunSummary(ctx, r.ID, now); err != nil {
			return fmt.Errorf("record summary: %w", err)
		}
	}
	return nil
}

// postOnce posts the notice unless the post log has it: a pass that died
// after posting and before closing the run does not post it again.
func (s *Service) postOnce(ctx context.Context, key string, g Group, n shequn.Notice, now time.Time) error {
	p, err := s.Posts.PostOf(ctx, key, g.ChatID)
	if err != nil || !p.PostedAt.IsZero() {
		return err
	}
	id, err := s.Notifier.Post(ctx, g.ChatID, n)
	if err != nil {
		return err
	}
	_, err = s.Posts.MarkPosted(ctx, key, g.ChatID, id, now)
	return err
}

func (s *Service) runDone(ctx context.Context, r EliminationRun) (bool, error) {
	for _, d := range r.Out {
		c, err := s.Core.CoreSeat(ctx, r.Scope, d.UserID)
		if err != nil {
			return false, fmt.Errorf("core record: %w", err)
		}
		if c.State == CoreLeaving && c.RunID == r.ID {
			return false, nil
		}
	}
	return true, nil
}

// passOn ends an invitation its holder could never use (queued before the
// core group was registered on the other platform): the seat goes to the
// next candidate at the next pass.
func (s *Service) passOn(ctx context.Context, c CoreSeat, now time.Time) error {
	ended, err := s.Core.SetCoreState(ctx, c.Scope, c.UserID, CoreInvited, CoreExpired, now)
	if err != nil {
		return fmt.Errorf("pass invitation on: %w", err)
	}
	if !ended {
		return nil
	}
	s.Log.InfoContext(ctx, "core invitation passed on: the core group is on the other platform", "user", c.UserID)
	s.wake()
	return s.event(ctx, CoreEvent{Scope: c.Scope, UserID: c.UserID, At: now, Kind: EventExpired}, "expired:"+at(c.InvitedAt))
}
