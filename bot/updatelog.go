package bot

import (
	"context"
	"time"
)

// UpdateLog keeps every Telegram update from its arrival until it was
// handled, so that an update confirmed to Telegram (or answered 200 in
// webhook mode) is never lost by a crash, and an update Telegram delivers
// twice is handled once.
type UpdateLog interface {
	// SaveUpdate stores an update as it arrives, claimed by the caller at
	// at, and reports whether it is new: false when the same update (same
	// id, same hash of its content) was stored before. A stored update
	// with the same id and another hash is replaced: after a week without
	// updates Telegram starts update ids again at random, so an id alone
	// does not name an update for ever.
	SaveUpdate(ctx context.Context, updateID, chat int64, hash string, payload []byte, at time.Time) (bool, error)
	// ClaimUpdates claims up to limit stored, unfinished updates last
	// claimed before staleBefore, of one chat or (chat nil) of every chat,
	// and returns their JSON in the order they arrived. Two callers never
	// get the same update for one staleBefore.
	ClaimUpdates(ctx context.Context, chat *int64, staleBefore, at time.Time, limit int) ([][]byte, error)
	// FinishUpdate records that the update was handled.
	FinishUpdate(ctx context.Context, updateID int64, at time.Time) error
	// PruneUpdates forgets updates finished, or received and never
	// finished, before the time. Telegram only re-delivers recent updates.
	PruneUpdates(ctx context.Context, before time.Time) error
}
