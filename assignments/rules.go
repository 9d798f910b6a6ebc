package assignments

import (
	"unicode/utf8"

	"github.com/shequn/shequn"
)

// ErrTitle and ErrMaxScore refuse an assignment's title or maximum score.
var (
	ErrTitle    = shequn.Errorf(shequn.CodeInvalid, "title must have 1 to %d characters", MaxTitle)
	ErrMaxScore = shequn.Errorf(shequn.CodeInvalid, "max score must be 1 to %d", MaxScoreLimit)
)

// CheckTitle is the rule for an assignment's (trimmed) title; the bot's
// dialogue checks each answer with it before Create checks them all.
func CheckTitle(title string) error {
	if title == "" || utf8.RuneCountInString(title) > MaxTitle {
		return ErrTitle
	}
	return nil
}

// CheckMaxScore is the rule for an assignment's maximum score.
func CheckMaxScore(n int) error {
	if n < 1 || n > MaxScoreLimit {
		return ErrMaxScore
	}
	return nil
}
