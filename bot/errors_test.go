package bot

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// Every feature's catalog is registered, and no key is defined twice.
func TestCatalogHasNoDuplicates(t *testing.T) {
	if len(duplicateTexts) > 0 {
		t.Errorf("texts defined in more than one catalog: %v", duplicateTexts)
	}
	for _, key := range []string{"help.header", "buy.already", "groups.header", "review.card", "payment.mismatch"} {
		if _, ok := catalog[key]; !ok {
			t.Errorf("%s: its feature's catalog is not registered", key)
		}
	}
	if got := mergeTexts(map[string][2]string{"a": {"1", "1"}}, map[string][2]string{"a": {"2", "2"}}); got["a"][0] != "1" {
		t.Errorf("a doubled key keeps %q, want the first", got["a"][0])
	}
}

// The one error table answers the domain's errors a user can cause with
// their own text, wrapped or not, and anything else by its code; an error
// it has no text for is flagged for the log.
func TestErrorTable(t *testing.T) {
	cases := []struct {
		err   error
		key   string
		known bool
	}{
		{assignments.ErrNotReviewer, "not_reviewer", true},
		{fmt.Errorf("next: %w", assignments.ErrHeld), "review.held", true},
		{assignments.ErrNoWork, "review.none", true},
		{fmt.Errorf("submit: %w", assignments.ErrNotEnrolled), "not_enrolled", true},
		{shequn.Errorf(shequn.CodeInvalid, "bad"), "error.invalid", true},
		{shequn.ErrNotFound, "error.not_found", true},
		{errors.New("disk on fire"), "error.internal", true},
		// A code the domain's table does not know reads as internal (and
		// is logged, since shequn.Internal says so).
		{shequn.Errorf(shequn.Code("brand_new"), "x"), "error.internal", true},
		{fmt.Errorf("grade: %w", assignments.ErrOwnWork), "review.own", true},
	}
	for _, c := range cases {
		for _, lang := range []Lang{Chinese, English} {
			got, known := errorText(lang, c.err)
			if want := T(lang, c.key); got != want || known != c.known {
				t.Errorf("errorText(%s, %v) = %q, %v; want %q, %v", lang, c.err, got, known, want, c.known)
			}
		}
	}
}

// Every code of the domain's error table has its reply text, in both
// languages.
func TestEveryErrorCodeHasAText(t *testing.T) {
	for _, c := range shequn.Codes() {
		forms, ok := catalog[shequn.TextKey(c)]
		if !ok || forms[0] == "" || forms[1] == "" {
			t.Errorf("code %s: no text %q in both languages", c, shequn.TextKey(c))
		}
	}
}
