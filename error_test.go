package shequn_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/shequn/shequn"
)

func TestErrorTable(t *testing.T) {
	tests := []struct {
		err      error
		key      string
		status   int
		internal bool
	}{
		{shequn.Errorf(shequn.CodeInvalid, "bad"), "error.invalid", http.StatusBadRequest, false},
		{fmt.Errorf("find: %w", shequn.ErrNotFound), "error.not_found", http.StatusNotFound, false},
		{shequn.ErrConflict, "error.conflict", http.StatusConflict, false},
		{shequn.Errorf(shequn.CodeForbidden, "no"), "error.forbidden", http.StatusForbidden, false},
		{shequn.Errorf(shequn.CodeNotYet, "later"), "error.not_yet", http.StatusServiceUnavailable, false},
		{&shequn.Error{Code: shequn.CodeUnavailable, Err: errors.New("stripe down")}, "error.unavailable", http.StatusServiceUnavailable, true},
		{errors.New("disk full"), "error.internal", http.StatusInternalServerError, true},
		{shequn.Errorf("made_up", "?"), "error.internal", http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		c := shequn.ErrorCode(tt.err)
		if got := shequn.TextKey(c); got != tt.key {
			t.Errorf("TextKey(%q) = %q, want %q", c, got, tt.key)
		}
		if got := shequn.HTTPStatus(c); got != tt.status {
			t.Errorf("HTTPStatus(%q) = %d, want %d", c, got, tt.status)
		}
		if got := shequn.Internal(c); got != tt.internal {
			t.Errorf("Internal(%q) = %v, want %v", c, got, tt.internal)
		}
	}
	if n := len(shequn.Codes()); n != 7 {
		t.Errorf("Codes() lists %d codes, want 7", n)
	}
	for _, c := range shequn.Codes() {
		if shequn.TextKey(c) != "error."+string(c) {
			t.Errorf("TextKey(%q) = %q", c, shequn.TextKey(c))
		}
	}
}
