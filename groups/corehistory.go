package groups

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// event appends to a person's history; the key makes a step done again
// after a crash appear once.
func (s *Service) event(ctx context.Context, e CoreEvent, key string) error {
	e.Key = key
	if _, err := s.Core.AddCoreEvent(ctx, e); err != nil {
		return fmt.Errorf("history of %d: %w", e.UserID, err)
	}
	return nil
}

// at is the key part of a time.
func at(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// Protect keeps a member from elimination (on) or ends that; an owner's
// decision, written to the member's history.
func (s *Service) Protect(ctx context.Context, by int64, scope string, userID int64, on bool) error {
	now := s.Now()
	if err := s.Core.ProtectCore(ctx, scope, userID, on); err != nil {
		return fmt.Errorf("protect: %w", err)
	}
	kind := EventProtected
	if !on {
		kind = EventUnprotected
	}
	return s.event(ctx, CoreEvent{Scope: scope, UserID: userID, At: now, Kind: kind, By: by}, string(kind)+":"+at(now))
}

// History returns a person's history with the core group, oldest first.
func (s *Service) History(ctx context.Context, scope string, userID int64) ([]CoreEvent, error) {
	h, err := s.Core.CoreHistory(ctx, scope, userID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	// Steps of one pass share a time; they happened in the cycle's order.
	slices.SortStableFunc(h, func(a, b CoreEvent) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(cycleOrder[a.Kind], cycleOrder[b.Kind]))
	})
	return h, nil
}

// cycleOrder is the order of the events of one moment: a person qualifies
// before being invited, is invited before joining, joins before leaving.
var cycleOrder = map[CoreEventKind]int{
	EventQualified: 1, EventInvited: 2, EventExpired: 3, EventJoined: 4,
	EventProtected: 5, EventUnprotected: 6, EventLeft: 7, EventEliminated: 8,
}

// eliminatedEvent writes the decision of the run about the member.
func (s *Service) eliminatedEvent(ctx context.Context, runs map[int64]EliminationRun, c CoreSeat, now time.Time) error {
	e := CoreEvent{Scope: c.Scope, UserID: c.UserID, At: now, Kind: EventEliminated, RunID: c.RunID,
		Decision: decisionOf(runs[c.RunID], c.UserID)}
	return s.event(ctx, e, "run:"+strconv.FormatInt(c.RunID, 10))
}

// decisionOf returns the run's decision about the user.
func decisionOf(r EliminationRun, userID int64) Decision {
	for _, d := range r.Out {
		if d.UserID == userID {
			return d
		}
	}
	return Decision{UserID: userID}
}
