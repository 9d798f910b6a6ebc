package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
)

func TestOneBotDefaultsAndEnv(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "shequn.yaml"), false, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	l := c.OneBot.Limits
	if c.OneBot.Enabled() || l.Group != (Rate{1, time.Second}) || l.Private != (Rate{1, time.Second}) ||
		l.Global != (Rate{20, time.Minute}) || l.Jitter != 300*time.Millisecond {
		t.Errorf("QQ defaults: %+v", c.OneBot)
	}
	c, err = Load(filepath.Join(t.TempDir(), "shequn.yaml"), false, env(map[string]string{
		"SHEQUN_ONEBOT_URL": "http://127.0.0.1:3000", "SHEQUN_ONEBOT_TOKEN": "tok", "SHEQUN_ONEBOT_SECRET": "sec",
		"SHEQUN_ONEBOT_LIMIT_GLOBAL": "10/1m", "SHEQUN_OWNERS": "42,qq:10001",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.OneBot.Enabled() || c.OneBot.URL != "http://127.0.0.1:3000" || c.OneBot.Token != "tok" || c.OneBot.Secret != "sec" ||
		c.OneBot.Limits.Global != (Rate{10, time.Minute}) {
		t.Errorf("QQ from the environment: %+v", c.OneBot)
	}
	if len(c.Owners) != 2 || c.Owners[0] != 42 || c.Owners[1] != shequn.QQUser(10001) {
		t.Errorf("owners = %v, want 42 and QQ 10001", c.Owners)
	}
}

func TestOneBotErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"url without token":  {map[string]string{"SHEQUN_ONEBOT_URL": "http://x:3000", "SHEQUN_ONEBOT_SECRET": "s"}, "onebot_token: must be set"},
		"url without secret": {map[string]string{"SHEQUN_ONEBOT_URL": "http://x:3000", "SHEQUN_ONEBOT_TOKEN": "t"}, "onebot_secret: must be set"},
		"bad url":            {map[string]string{"SHEQUN_ONEBOT_URL": "x:3000", "SHEQUN_ONEBOT_TOKEN": "t"}, "SHEQUN_ONEBOT_URL:"},
		"group rate":         {map[string]string{"SHEQUN_ONEBOT_LIMIT_GROUP": "0/1s"}, "SHEQUN_ONEBOT_LIMIT_GROUP: 0/1s: the count"},
		"jitter":             {map[string]string{"SHEQUN_ONEBOT_LIMIT_JITTER": "1m"}, "SHEQUN_ONEBOT_LIMIT_JITTER: 1m0s is not between"},
		"qq owner":           {map[string]string{"SHEQUN_OWNERS": "qq:x"}, `SHEQUN_OWNERS: "qq:x" is not`},
		"qq owner too large": {map[string]string{"SHEQUN_OWNERS": "qq:4503599627370496"}, "is not a QQ number"},
	} {
		_, err := Load(filepath.Join(t.TempDir(), "shequn.yaml"), false, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// serve needs a Telegram token unless QQ is configured: a community may
// live on QQ only.
func TestTelegramIsOptionalWithQQ(t *testing.T) {
	c := Default()
	if c.RequireTelegram() == nil {
		t.Fatal("neither Telegram nor QQ: accepted")
	}
	c.OneBot.Token = "napcat-token"
	if err := c.RequireTelegram(); err != nil || c.TelegramEnabled() {
		t.Fatalf("QQ only: %v, Telegram enabled %v", err, c.TelegramEnabled())
	}
}
