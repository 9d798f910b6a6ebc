package config

import (
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
)

// The core section fills the core group's rules; its defaults are the
// domain's.
func TestCoreSection(t *testing.T) {
	if got, want := Default().Core, groups.DefaultCoreRules(); got != want {
		t.Errorf("default core rules = %+v, want the domain's %+v", got, want)
	}
	c, err := Load(writeFile(t, "core:\n  capacity: 40\n  per_course: true\n  eliminate: 10%\n  invite_timeout: 48h\n  period: \"0 0 * * 1\"\n"), true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Core
	if r.Capacity != 40 || !r.PerCourse || r.BottomPercent != 10 || r.BottomN != 0 || r.InviteTimeout != 48*time.Hour || r.Period != "0 0 * * 1" {
		t.Errorf("core rules = %+v", r)
	}
}

func TestCoreSectionErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"core:\n  capacity: 0\n", "core.capacity: 0 is not between 1 and 200000"},
		{"core:\n  eliminate: many\n", `core.eliminate: "many" is not a number of members or a percentage`},
		{"core:\n  eliminate: 70%\n", "core.eliminate: 70 is not between 1 and 50"},
		{"core:\n  capacity: 10\n  eliminate: 11\n", "core.eliminate: 11 is not between 0 and 10"},
		{"core:\n  period: monthly\n", `core.period: "monthly" is not a cron spec`},
		{"core:\n  invite_timeout: 10m\n", "core.invite_timeout: 10m0s is not between 1h0m0s and 720h0m0s"},
		{"core:\n  promote_excellent: 0\n  promote_top: 0\n", "core.promote_top: 0 closes the last way in"},
		{"core:\n  grace: soon\n", `core.grace: "soon" is not a duration`},
		{"core:\n  seats: 5\n", `line 2: unknown key "core.seats"`},
	}
	for _, tt := range tests {
		_, err := Load(writeFile(t, tt.file), true, env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want %q", tt.file, err, tt.want)
		}
	}
}
