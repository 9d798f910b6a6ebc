package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSessionsSection(t *testing.T) {
	d := Default().Sessions
	if d.Weekly != "0 20 * * 5" || !slices.Equal(d.Remind, []time.Duration{24 * time.Hour, time.Hour}) || d.Speaker != 0 {
		t.Errorf("default sessions = %+v", d)
	}
	c, err := Load(writeFile(t, "courses:\n  - {id: ppt, title: PPT, prefix: PPT, amount: 100, currency: cny}\n"+
		"sessions:\n  weekly: \"30 19 * * 4\"\n  remind: 48h, 2h, 10m\n  topic: 复盘\n  speaker: 77\n  course: ppt\n"), true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sessions
	if s.Weekly != "30 19 * * 4" || !slices.Equal(s.Remind, []time.Duration{48 * time.Hour, 2 * time.Hour, 10 * time.Minute}) ||
		s.Topic != "复盘" || s.Speaker != 77 || s.Course != "ppt" {
		t.Errorf("sessions = %+v", s)
	}
}

func TestSessionsSectionErrors(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"sessions:\n  weekly: fridays\n", `sessions.weekly: "fridays" is not a cron spec`},
		{"sessions:\n  remind: soon\n", `sessions.remind: "soon" is not a list of durations`},
		{"sessions:\n  remind: 30s\n", "sessions.remind: 30s is not between 1m0s and 336h0m0s"},
		{"sessions:\n  speaker: ann\n", `sessions.speaker: "ann" is not a Telegram user id`},
		{"sessions:\n  course: xls\n", `sessions.course: "xls" is not one of the courses`},
	} {
		_, err := Load(writeFile(t, tt.file), true, env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.file, err, tt.want)
		}
	}
}
