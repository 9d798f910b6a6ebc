package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Sessions configures the Friday sessions (the sessions section): the
// weekly default that schedules the next session by itself, and the
// reminders ahead of every session.
type Sessions struct {
	// Weekly is the cron spec (in SHEQUN_TIMEZONE) of the weekly session.
	Weekly string
	// Remind lists how long before a session its reminder is posted.
	Remind []time.Duration
	// Topic and Speaker (a Telegram user id) of the weekly session; with
	// no speaker no session is scheduled by itself.
	Topic   string
	Speaker int64
	// Course of the weekly session; empty for every student group.
	Course string
}

// sessionOptions are the keys of the sessions section.
var sessionOptions = []option{
	{key: "weekly", def: "0 20 * * 5", shown: `"0 20 * * 5"`, set: text(func(c *Config) *string { return &c.Sessions.Weekly }),
		check: func(c *Config) error {
			if _, err := cron.ParseStandard(c.Sessions.Weekly); err != nil {
				return fmt.Errorf("%q is not a cron spec like \"0 20 * * 5\"", c.Sessions.Weekly)
			}
			return nil
		}},
	{key: "remind", def: "24h,1h", shown: `"24h,1h"`, set: setRemind, check: func(c *Config) error {
		if len(c.Sessions.Remind) == 0 || len(c.Sessions.Remind) > 5 {
			return fmt.Errorf("give one to five durations, like \"24h,1h\"")
		}
		for _, d := range c.Sessions.Remind {
			if err := durationBetween(d, time.Minute, 14*24*time.Hour); err != nil {
				return err
			}
		}
		return nil
	}},
	{key: "topic", def: "周五干货分享", set: text(func(c *Config) *string { return &c.Sessions.Topic })},
	{key: "speaker", shown: "none", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a Telegram user id", v)
		}
		c.Sessions.Speaker = n
		return nil
	}},
	{key: "course", shown: "every course", set: text(func(c *Config) *string { return &c.Sessions.Course }), check: func(c *Config) error {
		if c.Sessions.Course == "" {
			return nil
		}
		for _, x := range c.Courses {
			if x.ID == c.Sessions.Course {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of the courses", c.Sessions.Course)
	}},
}

// setRemind reads "24h,1h".
func setRemind(c *Config, v string) error {
	c.Sessions.Remind = nil
	for _, f := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not a list of durations like \"24h,1h\"", v)
		}
		c.Sessions.Remind = append(c.Sessions.Remind, d)
	}
	return nil
}
