package config

import (
	"time"

	"github.com/shequn/shequn/moderation"
)

// moderationOptions are the keys of the moderation section: warnings and
// mutes in student groups (see moderation.Policy, which they fill).
var moderationOptions = []option{
	{key: "warnings_to_mute", def: "3", set: wholeNumber(func(c *Config) *int { return &c.Moderation.WarningsToMute }),
		check: func(c *Config) error { return between(c.Moderation.WarningsToMute, 0, 100) }},
	{key: "mute_for", def: "24h", set: duration(func(c *Config) *time.Duration { return &c.Moderation.MuteFor }),
		check: func(c *Config) error {
			return durationBetween(c.Moderation.MuteFor, moderation.MinMute, moderation.MaxMute)
		}},
	{key: "warnings_expire", def: "720h", set: duration(func(c *Config) *time.Duration { return &c.Moderation.WarningsExpire }),
		check: func(c *Config) error {
			return durationBetween(c.Moderation.WarningsExpire, time.Hour, 3660*24*time.Hour)
		}},
}
