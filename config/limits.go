package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is one of Telegram's flood limits: at most Count messages in any
// span of Per.
type Rate struct {
	Count int
	Per   time.Duration
}

// String writes the rate as the configuration does: 30/1s.
func (r Rate) String() string {
	return fmt.Sprintf("%d/%s", r.Count, strings.TrimSuffix(strings.TrimSuffix(r.Per.String(), "0s"), "0m"))
}

// TelegramLimits are the flood limits the sender keeps. Telegram's are the
// defaults; a bot with paid broadcasts may send more in all.
type TelegramLimits struct {
	Global  Rate // across all chats
	Private Rate // into one private chat
	Group   Rate // into one group
}

// rateOption declares a telegram_limit_* option.
func rateOption(name, def, doc string, field func(*TelegramLimits) *Rate) option {
	key := "telegram_limit_" + name
	return option{key: key, env: "SHEQUN_TELEGRAM_LIMIT_" + strings.ToUpper(name), def: def, doc: doc,
		set: func(c *Config, v string) error {
			r, err := parseRate(v)
			if err != nil {
				return err
			}
			*field(&c.TelegramLimits) = r
			return nil
		},
		check: func(c *Config) error { return checkRate(*field(&c.TelegramLimits)) }}
}

// parseRate reads COUNT/DURATION, e.g. 30/1s or 20/1m (30/s and 20/m too).
func parseRate(v string) (Rate, error) {
	count, per, ok := strings.Cut(strings.TrimSpace(v), "/")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	per = strings.TrimSpace(per)
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	d, derr := time.ParseDuration(per)
	if !ok || err != nil || derr != nil {
		return Rate{}, fmt.Errorf("%q is not messages per duration like 30/1s", v)
	}
	return Rate{Count: n, Per: d}, nil
}

func checkRate(r Rate) error {
	if r.Count < 1 || r.Count > 100000 {
		return fmt.Errorf("%s: the count is not from 1 to 100000", r)
	}
	if r.Per < time.Second || r.Per > time.Hour {
		return fmt.Errorf("%s: the duration is not from 1s to 1h", r)
	}
	return nil
}
