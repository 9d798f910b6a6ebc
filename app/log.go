package app

import (
	"errors"
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns the process's structured logger. Any string or error
// attribute holding one of the secrets (the bot token, Stripe keys) has it
// replaced, so a secret that slipped into an error message (net/http puts
// the request URL, with the token, into its errors) never reaches the log.
func NewLogger(w io.Writer, level slog.Level, secrets []string) *slog.Logger {
	var live []string
	for _, s := range secrets {
		if len(s) >= 6 {
			live = append(live, s)
		}
	}
	scrub := func(s string) string {
		for _, secret := range live {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
		return s
	}
	opts := &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if len(live) == 0 {
				return a
			}
			switch a.Value.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(scrub(a.Value.String()))
			case slog.KindAny:
				if err, ok := a.Value.Any().(error); ok {
					a.Value = slog.AnyValue(errors.New(scrub(err.Error())))
				}
			}
			return a
		},
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
