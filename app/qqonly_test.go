package app_test

import (
	"strings"
	"testing"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/demo"
)

// A community on QQ only runs without a Telegram token: nothing calls
// Telegram, /healthz says Telegram is off without failing, and a QQ
// user is answered.
func TestQQOnlyCommunityNeedsNoTelegramToken(t *testing.T) {
	noTelegram := func(cfg *config.Config, _ *app.Options) { cfg.TelegramToken = "" }
	h, err := demo.Start(t.Context(), instant, noTelegram)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	qq, err := h.ConnectQQ(t.Context(), 3_000_000_001)
	if err != nil {
		t.Fatal(err)
	}
	defer qq.Close()
	if err := qq.Say(t.Context(), 20002, "小红", 0, "/start"); err != nil {
		t.Fatal(err)
	}
	if got := qq.LastTo(20002, 0); !strings.Contains(got, "购买") {
		t.Fatalf("a QQ user's /start without Telegram: %q", got)
	}
	if code, status := healthz(t, h); code != 200 || status["telegram"] != "off" || status["qq"] != "ok" {
		t.Fatalf("healthz without Telegram: %d %v", code, status)
	}
	for _, m := range []string{"getMe", "setMyCommands", "getUpdates", "setWebhook"} {
		if n := h.TG.Calls(m); n != 0 {
			t.Errorf("%d %s calls without a Telegram token", n, m)
		}
	}
}
