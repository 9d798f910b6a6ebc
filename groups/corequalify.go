package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
)

// Homework is what the promotion rule reads of the homework ledger. It is
// declared here, and implemented by the stores, so that groups does not
// import assignments.
type Homework interface {
	// ExcellentSince returns the students of the course with at least min
	// excellent reviews of submissions reviewed at or after since, with
	// their count; a submission reviewed excellent twice counts once.
	ExcellentSince(ctx context.Context, course string, since time.Time, min int) ([]UserCount, error)
	// MonthTop returns the first k students of the course's ranking of the
	// month ("2026-03"), best first.
	MonthTop(ctx context.Context, course, month string, k int) ([]int64, error)
	// HomeworkPoints returns the points of the users in the course's
	// ranking of the month; a user without points is left out.
	HomeworkPoints(ctx context.Context, course, month string, users []int64) (map[int64]int, error)
}

// UserCount is a student and a count.
type UserCount struct {
	UserID int64
	N      int
}

// Qualify applies the promotion rule to the students of every course and
// queues the new candidates with their reason. Someone eliminated, or
// whose invitation expired, qualifies again only on work done after: once
// the rule's whole window (ExcellentDays) has passed since they went out.
// It returns how many were queued.
func (s *Service) Qualify(ctx context.Context) (int, error) {
	now := s.Now()
	month := s.CorePeriod(now)
	since := now.AddDate(0, 0, -s.CoreRules.ExcellentDays)
	added := 0
	for _, course := range s.courseIDs() {
		excellent := map[int64]int{}
		if s.CoreRules.ExcellentMin > 0 {
			counts, err := s.Homework.ExcellentSince(ctx, course, since, s.CoreRules.ExcellentMin)
			if err != nil {
				return added, fmt.Errorf("excellent reviews of %s: %w", course, err)
			}
			for _, c := range counts {
				excellent[c.UserID] = c.N
			}
		}
		rank := map[int64]int{}
		if s.CoreRules.TopK > 0 {
			top, err := s.Homework.MonthTop(ctx, course, month, s.CoreRules.TopK)
			if err != nil {
				return added, fmt.Errorf("month top of %s: %w", course, err)
			}
			for i, u := range top {
				rank[u] = i + 1
			}
		}
		n, err := s.queue(ctx, s.CoreRules.Scope(course), excellent, rank, month, now)
		added += n
		if err != nil {
			return added, err
		}
	}
	if added > 0 {
		s.wake()
	}
	return added, nil
}

func (s *Service) queue(ctx context.Context, scope string, excellent, rank map[int64]int, month string, now time.Time) (int, error) {
	users := make([]int64, 0, len(excellent)+len(rank))
	for u := range excellent {
		users = append(users, u)
	}
	for u := range rank {
		if _, dup := excellent[u]; !dup {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	core, hasCore, err := s.coreGroupOf(ctx, scope)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, u := range users {
		reason, score, ok := Qualifies(s.CoreRules, excellent[u], rank[u], month)
		if !ok || hasCore && shequn.IsQQ(core.ChatID) != shequn.IsQQ(u) { // could never ask to join it
			continue
		}
		c, err := s.Core.CoreSeat(ctx, scope, u)
		if err != nil && !errors.Is(err, shequn.ErrNotFound) {
			return added, fmt.Errorf("core record: %w", err)
		}
		if err == nil && s.coolingDown(c, now) {
			continue
		}
		ok, err = s.Core.AddCandidate(ctx, CoreSeat{Scope: scope, UserID: u, State: CoreCandidate, Reason: reason, Score: score, QualifiedAt: now})
		if err != nil {
			return added, fmt.Errorf("add candidate: %w", err)
		}
		if !ok {
			continue
		}
		added++
		e := CoreEvent{Scope: scope, UserID: u, At: now, Kind: EventQualified, Reason: reason}
		if err := s.event(ctx, e, "qualified:"+at(now)); err != nil {
			return added, err
		}
	}
	return added, nil
}

// coolingDown reports whether someone who went out recently must show new
// work before qualifying again.
func (s *Service) coolingDown(c CoreSeat, now time.Time) bool {
	var out time.Time
	switch c.State {
	case CoreOut:
		out = c.RemovedAt
	case CoreExpired:
		out = c.ExpiresAt
	default:
		return false
	}
	return now.Sub(out) < time.Duration(s.CoreRules.ExcellentDays)*24*time.Hour
}

func (s *Service) courseIDs() []string {
	ids := make([]string, 0, len(s.Courses))
	for id := range s.Courses {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
