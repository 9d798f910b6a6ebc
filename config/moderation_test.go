package config

import (
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/moderation"
)

// The moderation section fills the domain's policy; its defaults are the
// domain's.
func TestModerationSection(t *testing.T) {
	if got, want := Default().Moderation, moderation.DefaultPolicy; got != want {
		t.Errorf("default moderation = %+v, want the domain's %+v", got, want)
	}
	c, err := Load(writeFile(t, "moderation:\n  warnings_to_mute: 2\n  mute_for: 2h\n  warnings_expire: 168h\n"), true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := (moderation.Policy{WarningsToMute: 2, MuteFor: 2 * time.Hour, WarningsExpire: 168 * time.Hour}); c.Moderation != want {
		t.Errorf("moderation = %+v, want %+v", c.Moderation, want)
	}
	for _, tt := range []struct{ file, want string }{
		{"moderation:\n  mute_for: 10s\n", "moderation.mute_for: 10s is not between 1m0s and 8784h0m0s"},
		{"moderation:\n  warnings_to_mute: -1\n", "moderation.warnings_to_mute: -1 is not between 0 and 100"},
		{"moderation:\n  warnings_expire: never\n", `moderation.warnings_expire: "never" is not a duration`},
		{"moderation:\n  bans: 3\n", `unknown key "moderation.bans"`},
	} {
		_, err := Load(writeFile(t, tt.file), true, env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want %q", tt.file, err, tt.want)
		}
	}
}
