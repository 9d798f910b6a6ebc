package membership

import (
	"context"
	"time"
)

// Profile is what the community knows of a person on the chat platform.
type Profile struct {
	UserID       int64
	Username     string // without "@"; may be empty
	FirstName    string
	LanguageCode string // as the platform reported it, e.g. "zh-hans"
	Language     string // the user's own choice with /language; empty when none
	UpdatedAt    time.Time
}

// ProfileStore keeps profiles, so that a message sent later (a welcome, a
// refund notice) is written in the user's language.
type ProfileStore interface {
	// SaveProfile stores the platform's fields of p (username, first name,
	// language code) and keeps the stored Language choice.
	SaveProfile(ctx context.Context, p Profile) error
	// SetLanguage records the user's own language choice; it creates the
	// profile when there is none.
	SetLanguage(ctx context.Context, userID int64, lang string) error
	// Profile returns a profile or shequn.ErrNotFound.
	Profile(ctx context.Context, userID int64) (Profile, error)
}
