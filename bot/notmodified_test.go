package bot

import (
	"errors"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/groups"
)

// Telegram's answers are sorted into "done already", "a person must act
// in the group" (naming the right when the call needs one) and "try again
// later".
func TestTelegramAnswersSorted(t *testing.T) {
	apiErr := func(code int, msg string) error { return &tgbotapi.Error{Code: code, Message: msg} }
	for _, tc := range []struct {
		err     error
		right   groups.Right
		done    bool
		problem groups.Problem
	}{
		{apiErr(400, "Bad Request: CHAT_NOT_MODIFIED"), groups.RightRestrict, true, ""},
		{apiErr(400, "Bad Request: message is not modified"), groups.RightPin, true, ""},
		{apiErr(400, "Bad Request: not enough rights to manage pinned messages in the chat"), groups.RightPin, false, groups.MissingRight(groups.RightPin)},
		{apiErr(400, "Bad Request: not enough rights to send text messages to the chat"), "", false, groups.ProblemRemoved},
		{apiErr(403, "Forbidden: bot was kicked from the supergroup chat"), "", false, groups.ProblemRemoved},
		{apiErr(400, "Bad Request: chat not found"), groups.RightInvite, false, groups.ProblemChatGone},
		{apiErr(429, "Too Many Requests: retry after 5"), groups.RightPin, false, ""},
		{apiErr(500, "Internal Server Error"), groups.RightPin, false, ""},
		{errors.New("connection reset"), groups.RightPin, false, ""},
	} {
		if got := notModified(tc.err); got != tc.done {
			t.Errorf("notModified(%v) = %v, want %v", tc.err, got, tc.done)
		}
		var ge *groups.GroupError
		got := groups.Problem("")
		if errors.As(groupError(-1, tc.right, tc.err), &ge) {
			got = ge.Problem
		}
		if !tc.done && got != tc.problem {
			t.Errorf("groupError(%v) problem %q, want %q", tc.err, got, tc.problem)
		}
	}
}
