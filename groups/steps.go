package groups

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// Problem is what keeps a group from taking the bot's effects until a
// person acts: a right taken away, the bot removed, the chat deleted.
// Retrying does not help, so the group is left alone, its owners are told
// once, and the effects resume when the rights come back (Telegram tells the
// bot) or an owner registers the group again.
type Problem string

// Problems that do not name a right.
const (
	ProblemRemoved  Problem = "removed"        // the bot is no longer an administrator of the group
	ProblemChatGone Problem = "chat_not_found" // the chat does not exist any more
)

// MissingRight is the problem of a right the bot lacks.
func MissingRight(r Right) Problem { return Problem("right:" + string(r)) }

// Right returns the right a problem names, if it names one.
func (p Problem) Right() (Right, bool) {
	r, ok := strings.CutPrefix(string(p), "right:")
	return Right(r), ok
}

// GroupError is a failure in a group that only a person can fix; the
// platform returns it (errors.As) so that the effect is not retried.
type GroupError struct {
	ChatID  int64
	Problem Problem
	Err     error
}

func (e *GroupError) Error() string {
	return fmt.Sprintf("group %d: %s: %v", e.ChatID, e.Problem, e.Err)
}

func (e *GroupError) Unwrap() error { return e.Err }

// Post is what the post log holds of one post in one chat: each step is
// recorded on its own, so a post whose pin failed is pinned later, never
// posted again.
type Post struct {
	MessageID int
	PostedAt  time.Time // zero: not posted
	PinnedAt  time.Time // zero: not pinned
}

// PostLog remembers, per key and chat, which steps of a post were done, so
// that a post resumed after a failure or a restart repeats nothing. The
// owners' alerts use it too (the chat is then the owner's id).
type PostLog interface {
	// PostOf returns the record of the post named key in the chat; the
	// zero Post when it was never posted.
	PostOf(ctx context.Context, key string, chatID int64) (Post, error)
	// MarkPosted records that the post reached the chat as messageID; it
	// reports false, changing nothing, when that was recorded already.
	MarkPosted(ctx context.Context, key string, chatID int64, messageID int, at time.Time) (bool, error)
	// MarkPinned records that the post was pinned.
	MarkPinned(ctx context.Context, key string, chatID int64, at time.Time) error
	// ForgetPost deletes the record, so that the post may be made again (a
	// reminder); forgetting what was never recorded is no error.
	ForgetPost(ctx context.Context, key string, chatID int64) error
}

// PostPinned posts the notice into the chat and pins it, each step once:
// a post that was made is never made again, however often the pin fails.
// The error is the platform's (a *GroupError when a person must act).
func PostPinned(ctx context.Context, log PostLog, n shequn.Notifier, key string, chatID int64, notice shequn.Notice, now time.Time) error {
	p, err := log.PostOf(ctx, key, chatID)
	if err != nil {
		return fmt.Errorf("read post log: %w", err)
	}
	if p.PostedAt.IsZero() {
		id, err := n.Post(ctx, chatID, notice)
		if err != nil {
			return err
		}
		if _, err := log.MarkPosted(ctx, key, chatID, id, now); err != nil {
			return fmt.Errorf("record post: %w", err)
		}
		if p, err = log.PostOf(ctx, key, chatID); err != nil {
			return fmt.Errorf("read post log: %w", err)
		}
	}
	if !p.PinnedAt.IsZero() {
		return nil
	}
	if err := n.Pin(ctx, chatID, p.MessageID); err != nil {
		return err
	}
	if err := log.MarkPinned(ctx, key, chatID, now); err != nil {
		return fmt.Errorf("record pin: %w", err)
	}
	return nil
}
