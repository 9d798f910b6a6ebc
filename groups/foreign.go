package groups

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shequn/shequn"
)

// Other domains (sessions) make effects in the groups too; these let them
// settle an effect the way the groups' own are settled, so that what a
// group that refuses the bot means (its problem recorded, its owners told
// once, the group paused) is decided in one place.

// GroupByChat returns the group of a chat, or shequn.ErrNotFound.
func (s *Service) GroupByChat(ctx context.Context, chatID int64) (Group, error) {
	return s.Store.GroupByChat(ctx, chatID)
}

// EffectReady reports whether an effect that failed for a passing reason
// may be tried again now.
func (s *Service) EffectReady(effect string, now time.Time) bool {
	return s.backoff.Ready(effect, now)
}

// SettleEffect records how an effect in the group ended and reports
// whether it is done: a *GroupError records the group's problem (the
// owners are told by the next reconcile pass), another error backs the
// effect off.
func (s *Service) SettleEffect(ctx context.Context, g Group, effect string, err error, now time.Time) bool {
	return s.settle(ctx, &g, effect, err, now)
}

// SessionPoints is what attending one sharing session adds to a core
// member's contribution.
const SessionPoints = 1

// CreditSession adds a check-in at a sharing session (the course's, ""
// for every course) to the member's contribution in the core group, once
// per session; only members of the core group gain points.
func (s *Service) CreditSession(ctx context.Context, course string, userID, sessionID int64, at time.Time) error {
	if s.Core == nil {
		return nil
	}
	scope := s.CoreRules.Scope(course)
	seat, err := s.Core.CoreSeat(ctx, scope, userID)
	if errors.Is(err, shequn.ErrNotFound) || (err == nil && seat.State != CoreMember) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("core seat of %d: %w", userID, err)
	}
	_, err = s.Core.AddContribution(ctx, Contribution{
		Scope: scope, UserID: userID, Period: s.CorePeriod(at), Source: SourceSession, Points: SessionPoints,
		Key: "session:" + strconv.FormatInt(sessionID, 10), At: at,
	})
	if err != nil {
		return fmt.Errorf("credit session %d: %w", sessionID, err)
	}
	return nil
}
