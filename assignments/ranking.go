package assignments

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
)

// Rank returns the user's standing in a course for the current period.
// shequn.ErrNotFound when they have no points in it yet.
func (s *Service) Rank(ctx context.Context, userID int64, course string, p Period) (Standing, error) {
	if !p.Valid() {
		return Standing{}, shequn.Errorf(shequn.CodeInvalid, "unknown period %q", p)
	}
	st, err := s.Store.Standing(ctx, course, userID, p, KeysAt(s.Now(), s.Location).Key(p))
	if err != nil {
		return Standing{}, fmt.Errorf("standing: %w", err)
	}
	return st, nil
}

// Top returns the best n of a course for the current period; only
// reviewers of the course may see it.
func (s *Service) Top(ctx context.Context, viewer int64, course string, p Period, n int) ([]Standing, error) {
	if !p.Valid() {
		return nil, shequn.Errorf(shequn.CodeInvalid, "unknown period %q", p)
	}
	if err := s.requireReviewer(ctx, viewer, course); err != nil {
		return nil, err
	}
	top, err := s.Store.Top(ctx, course, p, KeysAt(s.Now(), s.Location).Key(p), n)
	if err != nil {
		return nil, fmt.Errorf("top: %w", err)
	}
	return top, nil
}

// WeekStart is the start of the week containing t, Monday 00:00 in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	day := (int(t.Weekday()) + 6) % 7 // Monday is 0
	return time.Date(t.Year(), t.Month(), t.Day()-day, 0, 0, 0, 0, loc)
}

// Queue describes the reviewer's queue, with reviews done this week.
func (s *Service) Queue(ctx context.Context, reviewer int64) (QueueStats, error) {
	courses, all, ok, err := s.ReviewScope(ctx, reviewer)
	if err != nil {
		return QueueStats{}, err
	}
	if !ok {
		return QueueStats{}, ErrNotReviewer
	}
	if all {
		courses = nil
	}
	q, err := s.Store.Queue(ctx, courses, WeekStart(s.Now(), s.Location))
	if err != nil {
		return QueueStats{}, fmt.Errorf("queue: %w", err)
	}
	return q, nil
}

// Reconcile announces new assignments in every student group of their
// course (pinned) and delivers feedback that could not be delivered at
// once.
func (s *Service) Reconcile(ctx context.Context, now time.Time) error {
	fresh, err := s.Store.Unannounced(ctx, 50)
	if err != nil {
		return fmt.Errorf("list unannounced assignments: %w", err)
	}
	for _, a := range fresh {
		if err := s.announce(ctx, a, now); err != nil {
			s.Log.WarnContext(ctx, "assignment not announced yet", "assignment", a.ID, "err", err)
		}
	}
	unsent, err := s.Store.UnsentFeedback(ctx, 200)
	if err != nil {
		return fmt.Errorf("list unsent feedback: %w", err)
	}
	for _, sub := range unsent {
		key := fmt.Sprintf("feedback:%d", sub.ID)
		if !s.backoff.Ready(key, now) {
			continue
		}
		if err := jobs.Check(ctx); err != nil {
			return err
		}
		a, err := s.Store.Assignment(ctx, sub.AssignmentID)
		if err != nil {
			return fmt.Errorf("find assignment: %w", err)
		}
		if _, err := s.sendFeedback(ctx, sub, a); err != nil {
			wait := s.backoff.Failed(key, now)
			s.Log.WarnContext(ctx, "feedback not delivered yet", "submission", sub.ID, "retry_in", wait, "err", err)
			continue
		}
		s.backoff.Done(key)
	}
	return nil
}

// announce posts and pins the assignment in every student group of its
// course, each step once per group. The assignment counts as announced
// once every group without a problem has it pinned.
func (s *Service) announce(ctx context.Context, a Assignment, now time.Time) error {
	done, err := s.Groups.Announce(ctx, a.Course, fmt.Sprintf("assignment:%d", a.ID), AssignmentNotice{Assignment: a}, now)
	if err != nil || !done {
		return err
	}
	return s.Store.MarkAnnounced(ctx, a.ID, now)
}

// Digest tells every reviewer with pending work how much waits, once a
// day (the schedule calls it).
func (s *Service) Digest(ctx context.Context, now time.Time) error {
	staff, err := s.Roles.Staff(ctx)
	if err != nil {
		return fmt.Errorf("list staff: %w", err)
	}
	reviewers := slices.Clone(s.Owners)
	for _, g := range staff {
		if !slices.Contains(reviewers, g.UserID) {
			reviewers = append(reviewers, g.UserID)
		}
	}
	for _, r := range reviewers {
		q, err := s.Queue(ctx, r)
		if errors.Is(err, ErrNotReviewer) {
			continue
		}
		if err != nil {
			return err
		}
		if q.Pending == 0 {
			continue
		}
		if err := s.Notifier.Tell(ctx, r, DigestNotice{Pending: q.Pending, Oldest: q.OldestPending}); err != nil {
			s.Log.WarnContext(ctx, "digest not delivered", "reviewer", r, "err", err)
		}
	}
	return nil
}
