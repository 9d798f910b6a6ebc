package bot

import (
	"context"
	"time"
)

// UpdateLog remembers which updates were handled, so that an update that
// Telegram delivers again (after a crash before the offset was confirmed, or
// twice to a webhook) is handled once.
type UpdateLog interface {
	// ClaimUpdate reports whether the update should be handled: true when it
	// was never seen or was seen but not finished (a crash mid-way).
	ClaimUpdate(ctx context.Context, updateID int64, at time.Time) (bool, error)
	// FinishUpdate records that the update was handled.
	FinishUpdate(ctx context.Context, updateID int64, at time.Time) error
	// PruneUpdates forgets updates finished before the time. Telegram only
	// re-delivers recent updates, and after a week of silence it restarts
	// update ids at random, so old ids must not be remembered for ever.
	PruneUpdates(ctx context.Context, before time.Time) error
}
