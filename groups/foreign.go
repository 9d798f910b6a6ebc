package groups

import (
	"context"
	"time"
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
