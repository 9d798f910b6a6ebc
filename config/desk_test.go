package config

import (
	"strings"
	"testing"
	"time"
)

// The desk section sets when tickets move on and when the owners' summary
// goes out; a bad value is one line naming the key.
func TestDeskSection(t *testing.T) {
	if d := Default().Desk; d.ReassignAfter != 2*time.Hour || d.EscalateAfter != 8*time.Hour || d.Summary != "0 9 * * 1" {
		t.Errorf("default desk = %+v", d)
	}
	c, err := Load(writeFile(t, "desk:\n  reassign_after: 30m\n  escalate_after: 4h\n  summary: \"0 8 * * 5\"\n"), true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Desk; d.ReassignAfter != 30*time.Minute || d.EscalateAfter != 4*time.Hour || d.Summary != "0 8 * * 5" {
		t.Errorf("desk = %+v", d)
	}
	for _, c := range []struct{ yaml, want string }{
		{"desk:\n  reassign_after: soon\n", `desk.reassign_after: "soon" is not a duration`},
		{"desk:\n  reassign_after: 9h\n", "desk.escalate_after: 8h0m0s is not later than reassign_after (9h0m0s)"},
		{"desk:\n  summary: weekly\n", `desk.summary: "weekly" is not a cron spec`},
		{"desk:\n  faq: on\n", `line 2: unknown key "desk.faq"`},
	} {
		_, err := Load(writeFile(t, c.yaml), true, env(nil))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}
