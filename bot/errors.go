package bot

import (
	"errors"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// errorText is the one table from a failed request's error to the reply
// that explains it, used by the one error handler (Bot.fail). The
// domain's errors a user can cause have a text of their own; any other
// error is answered by its code ("error.<code>"). known is false for an
// error with no text, which is a bug to log.
//
// A handler only answers an error itself when the same error means
// something else where it happens (a conflict while grading means the
// work changed under the reviewer).
func errorText(lang Lang, err error) (text string, known bool) {
	switch {
	case errors.Is(err, assignments.ErrNotReviewer):
		return T(lang, "not_reviewer"), true
	case errors.Is(err, assignments.ErrNotEnrolled):
		return T(lang, "not_enrolled"), true
	case errors.Is(err, assignments.ErrHeld):
		return T(lang, "review.held"), true
	case errors.Is(err, assignments.ErrNoWork):
		return T(lang, "review.none"), true
	case errors.Is(err, assignments.ErrOwnWork):
		return T(lang, "review.own"), true
	}
	// The domain's table names the text of every code it knows.
	key := shequn.TextKey(shequn.ErrorCode(err))
	if _, ok := catalog[key]; !ok {
		return T(lang, "error.internal"), false
	}
	return T(lang, key), true
}
