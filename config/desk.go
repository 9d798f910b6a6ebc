package config

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Desk configures the Q&A desk (the desk section): when an unanswered
// ticket moves on, and when the owners get the week's figures.
type Desk struct {
	// ReassignAfter hands a ticket its assistant left unanswered to
	// another assistant.
	ReassignAfter time.Duration
	// EscalateAfter hands a ticket still unanswered since it was asked to
	// the teachers.
	EscalateAfter time.Duration
	// Summary is the cron spec of the owners' weekly summary, in
	// SHEQUN_TIMEZONE.
	Summary string
}

// deskOptions are the keys of the desk section.
var deskOptions = []option{
	{key: "reassign_after", def: "2h", set: duration(func(c *Config) *time.Duration { return &c.Desk.ReassignAfter }),
		check: func(c *Config) error { return durationBetween(c.Desk.ReassignAfter, time.Minute, 7*24*time.Hour) }},
	{key: "escalate_after", def: "8h", set: duration(func(c *Config) *time.Duration { return &c.Desk.EscalateAfter }),
		check: func(c *Config) error {
			if c.Desk.EscalateAfter <= c.Desk.ReassignAfter {
				return fmt.Errorf("%s is not later than reassign_after (%s)", c.Desk.EscalateAfter, c.Desk.ReassignAfter)
			}
			return durationBetween(c.Desk.EscalateAfter, time.Minute, 30*24*time.Hour)
		}},
	{key: "summary", def: "0 9 * * 1", shown: `"0 9 * * 1"`, set: text(func(c *Config) *string { return &c.Desk.Summary }),
		check: func(c *Config) error {
			if _, err := cron.ParseStandard(c.Desk.Summary); err != nil {
				return fmt.Errorf("%q is not a cron spec like \"0 9 * * 1\"", c.Desk.Summary)
			}
			return nil
		}},
}
