package shequn

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// Code classifies an Error so that transports can answer it without parsing
// messages: the error table below maps a code to the bot's reply text
// (TextKey) and to a webhook's HTTP status (HTTPStatus).
type Code string

// Error codes shared by every domain package.
const (
	CodeInvalid     Code = "invalid"     // the input is malformed
	CodeNotFound    Code = "not_found"   // the thing asked for does not exist
	CodeConflict    Code = "conflict"    // it exists already or the state forbids the change
	CodeForbidden   Code = "forbidden"   // the caller lacks the role
	CodeNotYet      Code = "not_yet"     // depends on something not stored yet; retry later
	CodeUnavailable Code = "unavailable" // an outside service failed; retry later
	CodeInternal    Code = "internal"    // a bug or a broken store
)

// Error is the one error type of the domain. Message is safe to show to a
// user (it never holds a cause); Err is the cause, for the log only.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a code and a user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, CodeInternal
// for any other non-nil error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Sentinel errors the stores return; callers match them with errors.Is.
var (
	ErrNotFound = &Error{Code: CodeNotFound, Message: "not found"}
	ErrConflict = &Error{Code: CodeConflict, Message: "conflict"}
)

// Is makes errors.Is(err, ErrNotFound) true for any *Error with the same code,
// so adapters can wrap context into their errors and still match.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && (t == ErrNotFound || t == ErrConflict) && t.Code == e.Code
}

// codes is the one error table: what a transport does with each code. The
// bot replies with the text TextKey names in the user's language; a webhook
// answers HTTPStatus; an internal error is logged with its cause, the others
// are the caller's doing and are only answered.
var codes = map[Code]struct {
	status   int
	internal bool
}{
	CodeInvalid:     {http.StatusBadRequest, false},
	CodeNotFound:    {http.StatusNotFound, false},
	CodeConflict:    {http.StatusConflict, false},
	CodeForbidden:   {http.StatusForbidden, false},
	CodeNotYet:      {http.StatusServiceUnavailable, false}, // the sender retries
	CodeUnavailable: {http.StatusServiceUnavailable, true},
	CodeInternal:    {http.StatusInternalServerError, true},
}

// Codes lists every error code, so that a transport's tests can check it
// answers each one (a reply text in every language, for one).
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// TextKey is the key of the reply text for an error code: "error.<code>",
// and "error.internal" for a code the table does not know.
func TextKey(c Code) string {
	if _, ok := codes[c]; !ok {
		c = CodeInternal
	}
	return "error." + string(c)
}

// HTTPStatus is the status a webhook answers an error of the code with
// (500 for a code the table does not know).
func HTTPStatus(c Code) int {
	if e, ok := codes[c]; ok {
		return e.status
	}
	return http.StatusInternalServerError
}

// Internal reports whether an error of the code is not the caller's doing
// (a bug, a broken store, an outside service), and so is logged with its
// cause; a code the table does not know is internal.
func Internal(c Code) bool {
	e, ok := codes[c]
	return !ok || e.internal
}
