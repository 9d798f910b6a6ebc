package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
)

// fenced reports whether the pass of ctx may still act (see jobs.Check).
func fenced(ctx context.Context) error { return jobs.Check(ctx) }

// settle records how an effect in group g ended and reports whether it is
// done: a *GroupError records the group's problem (the owners are told
// and the group waits for a person), any other error backs the effect off.
func (s *Service) settle(ctx context.Context, g *Group, key string, err error, now time.Time) bool {
	if err == nil {
		s.backoff.Done(key)
		return true
	}
	var ge *GroupError
	if errors.As(err, &ge) {
		s.recordProblem(ctx, g, ge.Problem)
		return false
	}
	if errors.Is(err, jobs.ErrLeaseLost) || errors.Is(err, jobs.ErrStopping) {
		return false
	}
	wait := s.backoff.Failed(key, now)
	s.Log.WarnContext(ctx, "group effect failed", "effect", key, "group", g.ID, "retry_in", wait, "err", err)
	return false
}

// recordProblem stores the group's problem; the reconciler tells the owners.
func (s *Service) recordProblem(ctx context.Context, g *Group, p Problem) {
	if g.Problem == p {
		return
	}
	g.Problem = p
	changed, err := s.Store.SetGroupProblem(ctx, g.ID, p)
	if err != nil {
		s.Log.ErrorContext(ctx, "group problem not recorded", "group", g.ID, "problem", string(p), "err", err)
		return
	}
	if changed {
		s.Log.WarnContext(ctx, "group needs its owner", "group", g.ID, "chat", g.ChatID, "problem", string(p))
		s.wake()
	}
}

// problemKey names the owners' alert of a group's problem in the post log.
func problemKey(g Group) string { return fmt.Sprintf("problem:%d:%s", g.ID, g.Problem) }

// clearProblem lets the group take effects again, and forgets the alert so
// that the same problem coming back is told again.
func (s *Service) clearProblem(ctx context.Context, g *Group) error {
	if g.Problem == "" {
		return nil
	}
	key := problemKey(*g)
	if _, err := s.Store.SetGroupProblem(ctx, g.ID, ""); err != nil {
		return fmt.Errorf("clear group problem: %w", err)
	}
	for _, owner := range s.Owners {
		if err := s.Posts.ForgetPost(ctx, key, owner); err != nil {
			return fmt.Errorf("forget problem alert: %w", err)
		}
	}
	s.Log.InfoContext(ctx, "group problem solved", "group", g.ID, "problem", string(g.Problem))
	g.Problem = ""
	s.wake()
	return nil
}

// RightsChanged re-reads the bot's rights in a group after the platform
// said they changed (on Telegram a my_chat_member update): a group whose
// problem is solved resumes at once, one that lost a right records it and
// its owners are told. Chats that are not the community's are ignored.
func (s *Service) RightsChanged(ctx context.Context, chatID int64) error {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if errors.Is(err, shequn.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find group: %w", err)
	}
	err = s.checkRights(ctx, chatID, g.Kind)
	var missing *MissingRightsError
	var ge *GroupError
	switch {
	case err == nil:
		return s.clearProblem(ctx, &g)
	case errors.As(err, &missing) && missing.NotAdmin:
		s.recordProblem(ctx, &g, ProblemRemoved)
	case errors.As(err, &missing):
		s.recordProblem(ctx, &g, MissingRight(missing.Missing[0]))
	case errors.As(err, &ge):
		s.recordProblem(ctx, &g, ge.Problem)
	default:
		return err
	}
	return nil
}

// reconcileGroup tells the owners of a group's problem, or finishes its
// set-up and tells the owner who registered it.
func (s *Service) reconcileGroup(ctx context.Context, g *Group, now time.Time) {
	if g.Problem != "" {
		s.alertOwners(ctx, problemKey(*g), GroupProblemAlert{Group: *g, Problem: g.Problem}, 0, now)
		return
	}
	key := fmt.Sprintf("setup:%d", g.ID)
	if !g.SetUpAt.IsZero() || !s.backoff.Ready(key, now) {
		return
	}
	if !s.settle(ctx, g, key, s.setUp(ctx, g, now), now) {
		if g.Problem != "" {
			s.alertOwners(ctx, problemKey(*g), GroupProblemAlert{Group: *g, Problem: g.Problem}, 0, now)
		}
		return
	}
	if err := s.Notifier.Tell(ctx, g.RegisteredBy, GroupReadyNotice{Group: *g}); err != nil {
		s.Log.WarnContext(ctx, "set-up done but not told", "group", g.ID, "owner", g.RegisteredBy, "err", err)
	}
}

// setUp mutes a student group and posts and pins its rules, each step
// once; a group muted already counts as muted.
func (s *Service) setUp(ctx context.Context, g *Group, now time.Time) error {
	if g.Kind == KindStudent {
		if err := s.Platform.MuteAll(ctx, g.ChatID); err != nil {
			return fmt.Errorf("mute: %w", err)
		}
	}
	if err := PostPinned(ctx, s.Posts, s.Notifier, "rules", g.ChatID, RulesNotice{Group: *g}, now); err != nil {
		return fmt.Errorf("pin rules: %w", err)
	}
	if err := s.Store.MarkGroupSetUp(ctx, g.ID, now); err != nil {
		return err
	}
	g.SetUpAt = now
	return nil
}

// waitlistReminder is how often the owners are reminded of a waitlist
// that is still there.
const waitlistReminder = 24 * time.Hour

// alertWaitlists keeps the owners told of every course with a waitlist:
// one alert when it starts (retried until delivered), a reminder every 24
// hours while it lasts. A waitlist that emptied ends the episode.
func (s *Service) alertWaitlists(ctx context.Context, now time.Time) error {
	courses := make([]string, 0, len(s.Courses))
	for id := range s.Courses {
		courses = append(courses, id)
	}
	slices.Sort(courses)
	for _, c := range courses {
		n, err := s.Store.WaitlistLen(ctx, c)
		if err != nil {
			return fmt.Errorf("waitlist length of %s: %w", c, err)
		}
		key := "waitlist-alert:" + c
		if n > 0 {
			s.alertOwners(ctx, key, WaitlistAlert{Course: c, Waiting: n}, waitlistReminder, now)
			continue
		}
		for _, owner := range s.Owners {
			p, err := s.Posts.PostOf(ctx, key, owner)
			if err == nil && !p.PostedAt.IsZero() {
				err = s.Posts.ForgetPost(ctx, key, owner)
			}
			if err != nil {
				return fmt.Errorf("end waitlist alert: %w", err)
			}
		}
	}
	return nil
}

// alertOwners tells every owner the notice once under key (recorded in
// the post log with the owner as the chat), again after every when it is
// not zero. A failed delivery is retried on a later pass.
func (s *Service) alertOwners(ctx context.Context, key string, n shequn.Notice, every time.Duration, now time.Time) {
	for _, owner := range s.Owners {
		if fenced(ctx) != nil {
			return
		}
		effect := fmt.Sprintf("%s:%d", key, owner)
		p, err := s.Posts.PostOf(ctx, key, owner)
		if err != nil {
			s.Log.ErrorContext(ctx, "read alert log", "alert", key, "err", err)
			continue
		}
		due := p.PostedAt.IsZero() || (every > 0 && !now.Before(p.PostedAt.Add(every)))
		if !due || !s.backoff.Ready(effect, now) {
			continue
		}
		if err := s.Notifier.Tell(ctx, owner, n); err != nil {
			wait := s.backoff.Failed(effect, now)
			s.Log.WarnContext(ctx, "owner alert not delivered", "alert", key, "owner", owner, "retry_in", wait, "err", err)
			continue
		}
		s.backoff.Done(effect)
		err = s.Posts.ForgetPost(ctx, key, owner)
		if err == nil {
			_, err = s.Posts.MarkPosted(ctx, key, owner, 0, now)
		}
		if err != nil {
			s.Log.ErrorContext(ctx, "owner alert not recorded", "alert", key, "owner", owner, "err", err)
		}
	}
}
