package groups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/shequn/shequn"
)

// catchUp is how long after a period's end a tick still runs its
// elimination: a service down at midnight eliminates when it is back.
const catchUp = 24 * time.Hour

// CoreTick is the core cycle's job, run every hour or so (cron only
// triggers it; the rules read now): it queues the students the promotion
// rule names, warns members at risk when the period ends within WarnDays,
// and eliminates each core group once when its period has ended. The
// period is the calendar month in the community's time zone; the schedule
// (CoreRules.Period, default the 1st at 00:00) says when it ends: the
// month eliminated is the one holding the minute before that moment.
func (s *Service) CoreTick(ctx context.Context, now time.Time) error {
	sched, err := cron.ParseStandard(s.CoreRules.Period)
	if err != nil {
		return fmt.Errorf("core period %q: %w", s.CoreRules.Period, err)
	}
	if s.Homework != nil {
		if _, err := s.Qualify(ctx); err != nil {
			return err
		}
	}
	scopes, err := s.coreScopes(ctx)
	if err != nil {
		return err
	}
	loc := s.location()
	local := now.In(loc)
	end := lastActivation(sched, local)
	warn := sched.Next(local).Sub(local) <= time.Duration(s.CoreRules.WarnDays)*24*time.Hour
	for _, scope := range scopes {
		if !end.IsZero() && local.Sub(end) < catchUp {
			_, err := s.Eliminate(ctx, scope, s.CorePeriod(end.Add(-time.Minute)))
			if err != nil && !errors.Is(err, shequn.ErrConflict) {
				return err
			}
		}
		if warn {
			if err := s.WarnAtRisk(ctx, scope); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastActivation is the schedule's latest moment at or before t within
// catchUp, or the zero time.
func lastActivation(sched cron.Schedule, t time.Time) time.Time {
	var last time.Time
	for next := sched.Next(t.Add(-catchUp - time.Second)); !next.After(t); next = sched.Next(next) {
		last = next
	}
	return last
}

// coreScopes lists the scopes that have a core group.
func (s *Service) coreScopes(ctx context.Context) ([]string, error) {
	all, err := s.Store.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var scopes []string
	for _, g := range all {
		if g.Kind == KindCore {
			scopes = append(scopes, g.Course)
		}
	}
	return scopes, nil
}

func (s *Service) location() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}
