package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// option declares one setting once: its YAML key, the environment variable
// that overrides it, its default, how a value is stored, how it is checked
// and what the README says about it. Loading, Default, Validate and the
// README's configuration table are all driven by the options table.
type option struct {
	key   string // YAML key
	env   string // environment variable; empty when only the file sets it
	def   string // default, written as in the file; empty for none
	shown string // the README's default column when def alone would mislead
	doc   string // the README's meaning column (Markdown)
	// set stores a value given as text (a file's scalar, a list joined by
	// commas, or an environment variable).
	set func(c *Config, v string) error
	// check validates the stored value; its error does not name the key.
	check func(c *Config) error
}

// options is the configuration table, in the README's order.
var options = []option{
	{key: "telegram_token", env: "SHEQUN_TELEGRAM_TOKEN", shown: "— (required by `serve` unless QQ is configured)",
		doc: "the bot's token", set: text(func(c *Config) *string { return &c.TelegramToken })},
	{key: "telegram_api_url", env: "SHEQUN_TELEGRAM_API_URL", def: "https://api.telegram.org",
		doc:   "Bot API base URL; the client appends `/bot<token>/<method>`",
		set:   func(c *Config, v string) error { c.TelegramAPIURL = strings.TrimRight(v, "/"); return nil },
		check: func(c *Config) error { return checkURL(c.TelegramAPIURL) }},
	{key: "telegram_webhook_secret", env: "SHEQUN_TELEGRAM_WEBHOOK_SECRET", shown: "empty (long polling)",
		doc: "set to run in webhook mode; Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`",
		set: text(func(c *Config) *string { return &c.TelegramWebhookSecret }), check: checkWebhookSecret},
	{key: "telegram_webhook_url", env: "SHEQUN_TELEGRAM_WEBHOOK_URL",
		doc: "public https URL of `/telegram/webhook`, given to `setWebhook`",
		set: text(func(c *Config) *string { return &c.TelegramWebhookURL }), check: checkWebhookURL},
	rateOption("global", "30/1s", "messages the bot may send in all, per duration (higher with paid broadcasts)",
		func(l *TelegramLimits) *Rate { return &l.Global }),
	rateOption("private", "1/1s", "messages into one private chat, per duration",
		func(l *TelegramLimits) *Rate { return &l.Private }),
	rateOption("group", "20/1m", "messages into one group, per duration",
		func(l *TelegramLimits) *Rate { return &l.Group }),
	{key: "stripe_secret_key", env: "SHEQUN_STRIPE_SECRET_KEY",
		doc: "Stripe secret key", set: text(func(c *Config) *string { return &c.StripeSecretKey })},
	{key: "stripe_webhook_secret", env: "SHEQUN_STRIPE_WEBHOOK_SECRET",
		doc: "the webhook endpoint's signing secret", set: text(func(c *Config) *string { return &c.StripeWebhookSecret })},
	{key: "stripe_api_url", env: "SHEQUN_STRIPE_API_URL", shown: "Stripe's",
		doc: "another Stripe API (stripe-mock in tests)", set: text(func(c *Config) *string { return &c.StripeAPIURL }),
		check: func(c *Config) error {
			if c.StripeAPIURL == "" {
				return nil
			}
			return checkURL(c.StripeAPIURL)
		}},
	{key: "stripe_success_url", def: "https://t.me", doc: "where Checkout returns the buyer after paying",
		set:   text(func(c *Config) *string { return &c.StripeSuccessURL }),
		check: func(c *Config) error { return checkURL(c.StripeSuccessURL) }},
	{key: "stripe_cancel_url", def: "https://t.me", doc: "where Checkout returns a buyer who cancels",
		set:   text(func(c *Config) *string { return &c.StripeCancelURL }),
		check: func(c *Config) error { return checkURL(c.StripeCancelURL) }},
	{key: "http_addr", env: "SHEQUN_HTTP_ADDR", def: ":8080", doc: "HTTP listen address",
		set:   text(func(c *Config) *string { return &c.HTTPAddr }),
		check: func(c *Config) error { return quoted(c.HTTPAddr, checkAddr(c.HTTPAddr)) }},
	{key: "metrics_addr", env: "SHEQUN_METRICS_ADDR", def: "127.0.0.1:9090",
		doc: "where `GET /metrics` is served, off the public port", set: text(func(c *Config) *string { return &c.MetricsAddr }),
		check: func(c *Config) error { return quoted(c.MetricsAddr, checkAddr(c.MetricsAddr)) }},
	{key: "store", env: "SHEQUN_STORE", def: "sqlite:data/shequn.db",
		doc: "`sqlite:PATH` (created on first run) or a `mongodb://` / `mongodb+srv://` URI",
		set: text(func(c *Config) *string { return &c.Store }), check: func(c *Config) error { return checkStore(c.Store) }},
	{key: "owners", env: "SHEQUN_OWNERS", shown: "—", doc: "Telegram user ids of the owners, QQ owners as `qq:<QQ number>` (comma-separated in the variable)",
		set: setOwners, check: checkOwners},
	{key: "timezone", env: "SHEQUN_TIMEZONE", def: "Asia/Shanghai", doc: "time zone of schedules and dates",
		set: text(func(c *Config) *string { return &c.Timezone }), check: checkTimezone},
	{key: "log_level", env: "SHEQUN_LOG_LEVEL", def: "info", doc: "`debug`, `info`, `warn` or `error`",
		set: text(func(c *Config) *string { return &c.LogLevel }), check: checkLogLevel},
}

// nested are the sections with their own keys; each is one README row.
var nested = []struct{ key, doc string }{
	{"courses", "list of `id`, `title`, `prefix`, `stripe_price` or `amount`+`currency`, `payment_methods` (default " +
		"`" + strings.Join(defaultPaymentMethods[:], ", ") + "`)"},
	{"homework", ""}, // described by homeworkOptions
	{"core", "the core group's cycle: its seats; one core group for the community, or one per course; a candidate has " +
		"`promote_excellent` excellent reviews in `promote_days` days or a place in the month's top `promote_top`; an " +
		"invitation passes on after `invite_timeout`; at each `period` (cron) the bottom `eliminate` (members, or a " +
		"percentage like `10%`) leave, warned `warn_days` days before, except members promoted less than `grace` ago"},
	{"moderation", "in student groups `warnings_to_mute` warnings (0: never) within `warnings_expire` mute for `mute_for`, " +
		"also the length of `/mute` without one"},
	{"desk", "the Q&A desk: a ticket its assistant leaves unanswered goes to another assistant after `reassign_after`, " +
		"and to the teachers `escalate_after` after it was asked; the owners get the week's figures at `summary` (cron)"},
	{"sessions", "the Friday sessions: at `weekly` (cron, in `SHEQUN_TIMEZONE`) the next week's session on `topic` by " +
		"`speaker` (a Telegram user id; none: no session scheduled by itself) for `course` (empty: every course) is " +
		"scheduled; reminders are posted and pinned `remind` before every session"},
}

// defaultPaymentMethods are the Stripe payment method types of a course
// whose payment_methods is not set; an array, so nobody can change it.
var defaultPaymentMethods = [...]string{"card", "alipay", "wechat_pay"}

// DefaultPaymentMethods returns a fresh copy of the payment method types a
// course offers when its payment_methods is not set.
func DefaultPaymentMethods() []string { return append([]string(nil), defaultPaymentMethods[:]...) }

// homeworkOptions are the keys of the homework section.
var homeworkOptions = []option{
	{key: "late_policy", def: "accept", set: text(func(c *Config) *string { return &c.Homework.LatePolicy }),
		check: func(c *Config) error {
			switch c.Homework.LatePolicy {
			case "accept", "penalty", "refuse":
				return nil
			}
			return fmt.Errorf("%q is not accept, penalty or refuse", c.Homework.LatePolicy)
		}},
	{key: "late_penalty", def: "20", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		c.Homework.LatePenalty = n
		return nil
	}, check: func(c *Config) error {
		if p := c.Homework.LatePenalty; p < 0 || p > 100 {
			return fmt.Errorf("%d is not a percentage from 0 to 100", p)
		}
		return nil
	}},
	{key: "review_hold", def: "30m", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 30m", v)
		}
		c.Homework.ReviewHold = d
		return nil
	}, check: func(c *Config) error {
		if h := c.Homework.ReviewHold; h < time.Minute || h > 24*time.Hour {
			return fmt.Errorf("%s is not between 1m and 24h", h)
		}
		return nil
	}},
	{key: "digest_at", def: "09:00", shown: `"09:00"`, set: text(func(c *Config) *string { return &c.Homework.DigestAt }),
		check: func(c *Config) error { _, _, err := c.Homework.Digest(); return err }},
}

// sectionList is the nested sections described by their own options, in
// the order they are read and checked; a new section is one line here.
var sectionList = []struct {
	name string
	opts []option
}{
	{"homework", homeworkOptions},
	{"core", coreOptions},
	{"moderation", moderationOptions},
	{"desk", deskOptions},
	{"sessions", sessionOptions},
}

// sections are sectionList by name.
var sections = func() map[string][]option {
	m := map[string][]option{}
	for _, s := range sectionList {
		m[s.name] = s.opts
	}
	return m
}()

// text is the setter of a plain string option.
func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

// quoted prefixes err's message with the offending value.
func quoted(v string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%q %v", v, err)
}

func checkURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL", v)
	}
	return nil
}

func checkWebhookSecret(c *Config) error {
	if c.TelegramWebhookSecret != "" && !webhookSecretRe.MatchString(c.TelegramWebhookSecret) {
		return errors.New("must be 1-256 characters A-Z, a-z, 0-9, _ or -")
	}
	return nil
}

// checkWebhookURL wants https, as Telegram does; plain http is accepted for
// a loopback host, where a local Bot API server or a test delivers updates.
func checkWebhookURL(c *Config) error {
	if c.TelegramWebhookURL == "" {
		return nil
	}
	u, err := url.Parse(c.TelegramWebhookURL)
	loopback := err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	if err != nil || (u.Scheme != "https" && !loopback) || u.Host == "" {
		return fmt.Errorf("%q is not an https URL (Telegram requires https)", c.TelegramWebhookURL)
	}
	return nil
}

func setOwners(c *Config, v string) error {
	c.Owners = nil
	for _, s := range strings.Split(v, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		id, err := shequn.ParseUserRef(s)
		if err != nil {
			return err
		}
		c.Owners = append(c.Owners, id)
	}
	return nil
}

func checkOwners(c *Config) error {
	for _, id := range c.Owners {
		if id <= 0 {
			return fmt.Errorf("%d is not a Telegram user id", id)
		}
	}
	return nil
}

func checkTimezone(c *Config) error {
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || strings.EqualFold(c.Timezone, "local") {
		return fmt.Errorf("unknown time zone %q", c.Timezone)
	}
	return nil
}

func checkLogLevel(c *Config) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("%q is not one of debug, info, warn, error", c.LogLevel)
	}
	return nil
}

// Default returns a configuration holding only the defaults.
func Default() *Config {
	c := &Config{}
	for _, tab := range allOptions() {
		for _, o := range tab {
			if o.def != "" {
				_ = o.set(c, o.def) // defaults are valid: TestDefaultsValid
			}
		}
	}
	return c
}

// Table returns the README's configuration table (Markdown), generated
// from the options.
func Table() string {
	var b strings.Builder
	b.WriteString("| variable | YAML key | default | meaning |\n|---|---|---|---|\n")
	cell := func(s string) string {
		if s == "" {
			return "—"
		}
		return "`" + s + "`"
	}
	for _, o := range options {
		def := o.shown
		if def == "" {
			def = cell(o.def)
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", cell(o.env), o.key, def, o.doc)
	}
	for _, n := range nested {
		doc, def := n.doc, "—"
		if sub := sections[n.key]; sub != nil {
			def = "see meaning"
			parts := make([]string, len(sub))
			for i, o := range sub {
				shown := o.shown
				if shown == "" {
					shown = o.def
				}
				parts[i] = fmt.Sprintf("`%s` (`%s`)", o.key, shown)
			}
			doc = strings.Join(parts, ", ")
			if n.doc != "" {
				doc = n.doc + "; defaults " + doc
			}
		}
		fmt.Fprintf(&b, "| — | `%s` | %s | %s |\n", n.key, def, doc)
	}
	return b.String()
}

// allOptions is every table: the top level's and each section's.
func allOptions() [][]option {
	all := [][]option{options}
	for _, s := range sectionList {
		all = append(all, s.opts)
	}
	return all
}
