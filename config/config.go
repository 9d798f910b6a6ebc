// Package config loads shequn's configuration from an optional YAML file and
// the environment, and validates it before anything starts.
//
// Environment variables override the file. The file uses snake_case keys
// (telegram_token, http_addr, store, owners, timezone, courses, …); it may
// hold only courses, since everything else has a default or comes from the
// environment. An unknown key is an error naming it.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // time zones also in containers without /usr/share/zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// DefaultPath is the configuration file read when -config is not given.
const DefaultPath = "shequn.yaml"

// Config is the whole configuration of shequn. Each setting's YAML key,
// environment variable, default and check are declared once, in the options
// table (options.go).
type Config struct {
	TelegramToken         string              // secret
	TelegramAPIURL        string              // without a trailing slash
	TelegramWebhookSecret string              // set = webhook mode; secret
	TelegramWebhookURL    string              // public URL for setWebhook
	TelegramLimits        TelegramLimits      // the flood limits the sender keeps
	StripeSecretKey       string              // secret
	StripeWebhookSecret   string              // secret
	StripeAPIURL          string              // empty = Stripe's own
	StripeSuccessURL      string              // where Checkout returns the buyer
	StripeCancelURL       string              // where Checkout returns a buyer who cancels
	HTTPAddr              string              // public HTTP listen address
	MetricsAddr           string              // where /metrics is served
	Store                 string              // sqlite:PATH, mongodb://… or mongodb+srv://…
	Owners                []int64             // Telegram user ids
	Timezone              string              // IANA name; see Location
	LogLevel              string              // debug, info, warn or error
	Courses               []membership.Course // the courses list
	Homework              Homework            // the homework section
	Core                  groups.CoreRules    // the core section
	Moderation            moderation.Policy   // the moderation section
	Desk                  Desk                // the desk section
	OneBot                OneBot              // the QQ transport (onebot_* keys)
	Sessions              Sessions            // the sessions section

	// env maps a YAML key to the environment variable that set it, so that
	// error messages name what the operator actually wrote.
	env map[string]string
}

// Homework configures homework review (the homework section).
type Homework struct {
	// LatePolicy is accept (late work is taken and marked late), penalty
	// (taken, marked, LatePenalty percent off the score) or refuse.
	LatePolicy string
	// LatePenalty is the percentage taken off late work under penalty.
	LatePenalty int
	// ReviewHold is how long a reviewer keeps a submission they opened.
	ReviewHold time.Duration
	// DigestAt is the local time (HH:MM) of the daily digest to reviewers.
	DigestAt string
}

// fileConfig is the YAML file's shape: the nested sections by type, every
// other key by the options table.
type fileConfig struct {
	Courses []fileCourse         `yaml:"courses"`
	Rest    map[string]yaml.Node `yaml:",inline"` // the sections and every other key
}

type fileCourse struct {
	ID             string   `yaml:"id"`
	Title          string   `yaml:"title"`
	Prefix         string   `yaml:"prefix"`
	StripePrice    string   `yaml:"stripe_price"`
	Amount         int64    `yaml:"amount"`
	Currency       string   `yaml:"currency"`
	PaymentMethods []string `yaml:"payment_methods"`
}

// Load reads the YAML file at path, applies the environment through getenv
// (os.Getenv when nil) and returns the validated configuration.
//
// A missing file is an error when explicit is true (the operator named it
// with -config); when explicit is false (the default shequn.yaml) or path is
// empty, a missing file means "defaults and environment only". Every error
// is one line naming the offending key or variable.
func Load(path string, explicit bool, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Default()
	if path != "" {
		if err := c.readFile(path, explicit); err != nil {
			return nil, err
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) readFile(path string, explicit bool) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	var fc fileConfig
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", path, yamlMessage(err))
	}
	for _, sec := range sectionList {
		n, ok := fc.Rest[sec.name]
		if !ok {
			continue
		}
		delete(fc.Rest, sec.name)
		var nodes map[string]yaml.Node
		if err := n.Decode(&nodes); err != nil {
			return fmt.Errorf("%s: line %d: %s is a section of keys", path, n.Line, sec.name)
		}
		if err := applyNodes(c, sec.opts, nodes, sec.name+"."); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := applyNodes(c, options, fc.Rest, ""); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, fcr := range fc.Courses {
		methods := fcr.PaymentMethods
		if methods == nil {
			methods = DefaultPaymentMethods()
		}
		c.Courses = append(c.Courses, membership.Course{
			ID: fcr.ID, Title: fcr.Title, Prefix: fcr.Prefix, StripePrice: fcr.StripePrice,
			Amount: fcr.Amount, Currency: strings.ToLower(fcr.Currency), PaymentMethods: methods,
		})
	}
	return nil
}

// applyNodes sets the options found among a mapping's keys; a key the table
// does not know is an error naming it and its line.
func applyNodes(c *Config, table []option, nodes map[string]yaml.Node, prefix string) error {
	known := map[string]bool{}
	for _, o := range table {
		known[o.key] = true
		n, ok := nodes[o.key]
		if !ok {
			continue
		}
		v, err := nodeText(&n)
		if err != nil {
			return fmt.Errorf("line %d: cannot unmarshal %v into %s%s", n.Line, err, prefix, o.key)
		}
		if err := o.set(c, v); err != nil {
			return fmt.Errorf("line %d: %s%s: %w", n.Line, prefix, o.key, err)
		}
	}
	keys := make([]string, 0, len(nodes))
	for k := range nodes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			n := nodes[k]
			return fmt.Errorf("line %d: unknown key %q", n.Line, prefix+k)
		}
	}
	return nil
}

// nodeText is a scalar's text, or a list of scalars joined by commas.
func nodeText(n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		vals := make([]string, len(n.Content))
		for i, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				return "", errors.New("a nested list")
			}
			vals[i] = e.Value
		}
		return strings.Join(vals, ","), nil
	}
	return "", errors.New("a mapping")
}

// yamlMessage turns yaml.v3's multi-line errors into one line, rewording the
// unknown-key error so that it names the key and not a Go type.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", " ")
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		// "line 3: field foo not found in type config.fileConfig"
		if i := strings.Index(m, ": field "); i >= 0 && strings.Contains(m, " not found in type ") {
			key := m[i+len(": field "):]
			key = key[:strings.Index(key, " not found in type ")]
			m = fmt.Sprintf("%s: unknown key %q", m[:i], key)
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// applyEnv sets every option whose environment variable is not empty.
func (c *Config) applyEnv(getenv func(string) string) error {
	for _, o := range options {
		val := strings.TrimSpace(getenv(o.env))
		if o.env == "" || val == "" {
			continue
		}
		if c.env == nil {
			c.env = map[string]string{}
		}
		c.env[o.key] = o.env
		if err := o.set(c, val); err != nil {
			return fmt.Errorf("%s: %w", o.env, err)
		}
	}
	return nil
}

// name is what error messages call a key: the environment variable when one
// set it, the YAML key otherwise.
func (c *Config) name(key string) string {
	if e, ok := c.env[key]; ok {
		return e
	}
	return key
}

// Course returns the configured course with the given id.
func (c *Config) Course(id string) (membership.Course, bool) {
	for _, co := range c.Courses {
		if co.ID == id {
			return co, true
		}
	}
	return membership.Course{}, false
}

// CourseMap returns the courses by id, as membership.Service wants them.
func (c *Config) CourseMap() map[string]membership.Course {
	m := make(map[string]membership.Course, len(c.Courses))
	for _, co := range c.Courses {
		m[co.ID] = co
	}
	return m
}

// Location returns Timezone loaded (UTC when it does not load; Validate
// rejects such values).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Level returns LogLevel as a slog.Level (info when it does not parse;
// Validate rejects such values).
func (c *Config) Level() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// WebhookMode reports whether serve should take Telegram updates by webhook
// rather than long polling.
func (c *Config) WebhookMode() bool { return c.TelegramWebhookSecret != "" }

// Secrets returns every non-empty secret value of the configuration (tokens,
// keys, the store's password), for the logger to redact.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.TelegramToken, c.TelegramWebhookSecret, c.StripeSecretKey, c.StripeWebhookSecret, storePassword(c.Store)} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func storePassword(store string) string {
	u, err := url.Parse(store)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// redactedStore is the store location without its password.
func redactedStore(store string) string {
	if storePassword(store) == "" {
		return store
	}
	u, _ := url.Parse(store)
	return u.Redacted()
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue describes the configuration for slog with every secret redacted.
func (c Config) LogValue() slog.Value {
	ids := make([]string, len(c.Courses))
	for i, co := range c.Courses {
		ids[i] = co.ID
	}
	return slog.GroupValue(
		slog.String("telegram_token", redact(c.TelegramToken)),
		slog.String("telegram_api_url", c.TelegramAPIURL),
		slog.String("telegram_webhook_secret", redact(c.TelegramWebhookSecret)),
		slog.String("telegram_webhook_url", c.TelegramWebhookURL),
		slog.String("telegram_limits", fmt.Sprintf("%s %s %s", c.TelegramLimits.Global, c.TelegramLimits.Private, c.TelegramLimits.Group)),
		slog.String("stripe_secret_key", redact(c.StripeSecretKey)),
		slog.String("stripe_webhook_secret", redact(c.StripeWebhookSecret)),
		slog.String("stripe_api_url", c.StripeAPIURL),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("store", redactedStore(c.Store)),
		slog.Any("owners", c.Owners),
		slog.String("timezone", c.Timezone),
		slog.String("log_level", c.LogLevel),
		slog.String("courses", strings.Join(ids, ",")),
	)
}

// String describes the configuration on one line with every secret redacted.
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%v", a.Key, a.Value)
	}
	return b.String()
}

// GoString keeps %#v from printing secrets.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }
