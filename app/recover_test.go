package app

import (
	"errors"
	"strings"
	"testing"
)

// A panic in a background pass becomes an error with its stack; the worker
// logs it and goes on.
func TestSafelyRecoversAPanic(t *testing.T) {
	err := safely(func() error { panic("no text for a key") })
	if err == nil || !strings.Contains(err.Error(), "no text for a key") || !strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("safely = %v", err)
	}
	boom := errors.New("boom")
	if err := safely(func() error { return boom }); err != boom {
		t.Fatalf("safely = %v, want the function's error", err)
	}
}
