package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/shequn/shequn/groups"
)

// coreOptions are the keys of the core section: the core group's cycle
// (see groups.CoreRules, which they fill).
var coreOptions = []option{
	{key: "capacity", def: "69", set: wholeNumber(func(c *Config) *int { return &c.Core.Capacity }),
		check: func(c *Config) error { return between(c.Core.Capacity, groups.MinCapacity, groups.MaxCapacity) }},
	{key: "per_course", def: "false", set: func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.Core.PerCourse = b
		return nil
	}},
	{key: "promote_excellent", def: "3", set: wholeNumber(func(c *Config) *int { return &c.Core.ExcellentMin }),
		check: func(c *Config) error { return between(c.Core.ExcellentMin, 0, 1000) }},
	{key: "promote_days", def: "60", set: wholeNumber(func(c *Config) *int { return &c.Core.ExcellentDays }),
		check: func(c *Config) error { return between(c.Core.ExcellentDays, 1, 3660) }},
	{key: "promote_top", def: "10", set: wholeNumber(func(c *Config) *int { return &c.Core.TopK }),
		check: func(c *Config) error {
			if c.Core.TopK == 0 && c.Core.ExcellentMin == 0 {
				return fmt.Errorf("0 closes the last way in (promote_excellent is 0 too)")
			}
			return between(c.Core.TopK, 0, 1000)
		}},
	{key: "invite_timeout", def: "72h", set: duration(func(c *Config) *time.Duration { return &c.Core.InviteTimeout }),
		check: func(c *Config) error { return durationBetween(c.Core.InviteTimeout, time.Hour, 30*24*time.Hour) }},
	{key: "period", def: "0 0 1 * *", shown: `"0 0 1 * *"`, set: text(func(c *Config) *string { return &c.Core.Period }),
		check: func(c *Config) error {
			if _, err := cron.ParseStandard(c.Core.Period); err != nil {
				return fmt.Errorf("%q is not a cron spec like \"0 0 1 * *\"", c.Core.Period)
			}
			return nil
		}},
	{key: "warn_days", def: "3", set: wholeNumber(func(c *Config) *int { return &c.Core.WarnDays }),
		check: func(c *Config) error { return between(c.Core.WarnDays, 0, 27) }},
	{key: "eliminate", def: "5", set: setEliminate, check: func(c *Config) error {
		if c.Core.BottomPercent > 0 {
			return between(c.Core.BottomPercent, 1, 50)
		}
		return between(c.Core.BottomN, 0, c.Core.Capacity)
	}},
	{key: "grace", def: "720h", set: duration(func(c *Config) *time.Duration { return &c.Core.Grace }),
		check: func(c *Config) error { return durationBetween(c.Core.Grace, 0, 366*24*time.Hour) }},
}

// setEliminate reads "5" (the bottom five) or "10%" (the bottom tenth).
func setEliminate(c *Config, v string) error {
	c.Core.BottomN, c.Core.BottomPercent = 0, 0
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("%q is not a number of members or a percentage like 10%%", v)
		}
		c.Core.BottomPercent = n
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%q is not a number of members or a percentage like 10%%", v)
	}
	c.Core.BottomN = n
	return nil
}

func wholeNumber(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*field(c) = n
		return nil
	}
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 72h", v)
		}
		*field(c) = d
		return nil
	}
}

func between(n, lo, hi int) error {
	if n < lo || n > hi {
		return fmt.Errorf("%d is not between %d and %d", n, lo, hi)
	}
	return nil
}

func durationBetween(d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return fmt.Errorf("%s is not between %s and %s", d, lo, hi)
	}
	return nil
}
