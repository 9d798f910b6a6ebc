package app

import (
	"testing"
	"time"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/config"
)

// The sender keeps the configured limits: Telegram's by default, a paid
// broadcast's higher global limit when configured.
func TestSenderLimitsFromConfig(t *testing.T) {
	c := config.Default()
	if got := senderLimits(c.TelegramLimits); got != bot.TelegramLimits {
		t.Fatalf("default limits %+v, want Telegram's %+v", got, bot.TelegramLimits)
	}
	c.TelegramLimits.Global = config.Rate{Count: 1000, Per: time.Second}
	if got := senderLimits(c.TelegramLimits).Global; got != (bot.Limit{Count: 1000, Window: time.Second}) {
		t.Fatalf("global limit %+v, want 1000 a second", got)
	}
}
