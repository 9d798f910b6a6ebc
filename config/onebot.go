package config

import (
	"fmt"
	"strings"
	"time"
)

// OneBot configures the QQ transport (OneBot v11, as NapCat, LLOneBot or
// Lagrange.OneBot serve it). QQ is on when URL or Token is set: the
// implementation connects to /onebot/v11/ws (reverse WebSocket) with the
// token, or posts events to /onebot/v11/events signed with Secret while
// shequn posts its actions to URL.
type OneBot struct {
	URL    string // HTTP API of the implementation; empty: actions go over the reverse WebSocket
	Token  string // access_token both ways; secret
	Secret string // HMAC-SHA1 key of the events posted over HTTP; secret
	Limits QQLimits
}

// Enabled reports whether the QQ transport runs.
func (o OneBot) Enabled() bool { return o.URL != "" || o.Token != "" }

// QQLimits are the QQ sender's limits: QQ's risk control punishes bursts,
// so they sit well below Telegram's.
type QQLimits struct {
	Group   Rate          // into one group
	Private Rate          // into one private chat
	Global  Rate          // in all
	Jitter  time.Duration // up to this much is added at random before each message
}

// onebotOptions are the QQ transport's keys, at the end of the table.
var onebotOptions = []option{
	{key: "onebot_url", env: "SHEQUN_ONEBOT_URL", shown: "empty (actions over the reverse WebSocket)",
		doc: "HTTP API of the OneBot v11 implementation (NapCat, Lagrange.OneBot); events then come to `POST /onebot/v11/events`",
		set: text(func(c *Config) *string { return &c.OneBot.URL }),
		check: func(c *Config) error {
			if c.OneBot.URL == "" {
				return nil
			}
			return checkURL(c.OneBot.URL)
		}},
	{key: "onebot_token", env: "SHEQUN_ONEBOT_TOKEN", shown: "empty (QQ off)",
		doc: "the OneBot `access_token`: the implementation sends it to `/onebot/v11/ws` as `Authorization: Bearer`, shequn sends it with its actions",
		set: text(func(c *Config) *string { return &c.OneBot.Token }),
		check: func(c *Config) error {
			if c.OneBot.URL != "" && c.OneBot.Token == "" {
				return fmt.Errorf("must be set when SHEQUN_ONEBOT_URL is")
			}
			return nil
		}},
	{key: "onebot_secret", env: "SHEQUN_ONEBOT_SECRET",
		doc: "the OneBot `secret`: events posted over HTTP carry `X-Signature: sha1=<HMAC>` of their body; required with `onebot_url`",
		set: text(func(c *Config) *string { return &c.OneBot.Secret }),
		check: func(c *Config) error {
			if c.OneBot.URL != "" && c.OneBot.Secret == "" {
				return fmt.Errorf("must be set when SHEQUN_ONEBOT_URL is: events posted over HTTP are signed with it")
			}
			return nil
		}},
	qqRate("group", "1/1s", "QQ messages into one group, per duration", func(l *QQLimits) *Rate { return &l.Group }),
	qqRate("private", "1/1s", "QQ messages into one private chat, per duration", func(l *QQLimits) *Rate { return &l.Private }),
	qqRate("global", "20/1m", "QQ messages in all, per duration (QQ's risk control punishes bursts)", func(l *QQLimits) *Rate { return &l.Global }),
	{key: "onebot_limit_jitter", env: "SHEQUN_ONEBOT_LIMIT_JITTER", def: "300ms",
		doc:   "up to this much random delay before each QQ message, so sends never tick like a machine",
		set:   duration(func(c *Config) *time.Duration { return &c.OneBot.Limits.Jitter }),
		check: func(c *Config) error { return durationBetween(c.OneBot.Limits.Jitter, 0, 10*time.Second) }},
}

func init() { options = append(options, onebotOptions...) }

// qqRate declares an onebot_limit_* option.
func qqRate(name, def, doc string, field func(*QQLimits) *Rate) option {
	return option{key: "onebot_limit_" + name, env: "SHEQUN_ONEBOT_LIMIT_" + strings.ToUpper(name), def: def, doc: doc,
		set: func(c *Config, v string) error {
			r, err := parseRate(v)
			if err != nil {
				return err
			}
			*field(&c.OneBot.Limits) = r
			return nil
		},
		check: func(c *Config) error { return checkRate(*field(&c.OneBot.Limits)) }}
}
