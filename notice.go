package shequn

import (
	"context"
	"errors"
)

// Notice is a message for the transport to render in the reader's
// language. Domain packages declare their notices as plain structs; the
// transport renders each type it knows and reports the others as errors.
type Notice interface {
	// NoticeName names the notice in logs, e.g. "invite".
	NoticeName() string
}

// Teller writes notices to people in private chats.
type Teller interface {
	// Tell sends a notice to a user in a private chat. It returns an
	// error wrapping ErrUnreachable when the user cannot be written to.
	Tell(ctx context.Context, userID int64, n Notice) error
}

// Notifier writes notices to people and groups; the transport renders each
// notice in the reader's language.
type Notifier interface {
	Teller
	// Post sends a notice into a group and returns its message id.
	Post(ctx context.Context, chatID int64, n Notice) (int, error)
	// Pin pins a message the bot posted in a group.
	Pin(ctx context.Context, chatID int64, messageID int) error
}

// ErrUnreachable is returned by a Notifier or a platform when a user cannot
// be written to (they blocked the bot or never opened a chat with it);
// retrying will not help until the user acts.
var ErrUnreachable = errors.New("user cannot be reached")
