package shequn

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

// DialogueStore remembers what the bot asked a user, so that their next
// message is taken as the answer, also after a restart. Primitive types
// keep the stores free of the transports' types.
type DialogueStore interface {
	// SetDialogue records the question (kind, with its data) until expires.
	SetDialogue(ctx context.Context, userID int64, kind, data string, expires time.Time) error
	// Dialogue returns the open question; kind is "" when there is none.
	// An expired one is returned too: the caller compares expires with its
	// clock.
	Dialogue(ctx context.Context, userID int64) (kind, data string, expires time.Time, err error)
	// ClearDialogue forgets the question.
	ClearDialogue(ctx context.Context, userID int64) error
}
