package bot

import (
	"context"
	"time"
)

// DialogueStore remembers what the bot asked a user, so that their next
// message is taken as the answer, also after a restart. Primitive types
// keep the stores free of this package.
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
