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
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones also in containers without /usr/share/zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/shequn/shequn/membership"
)

// Defaults.
const (
	DefaultPath           = "shequn.yaml"
	DefaultTelegramAPIURL = "https://api.telegram.org"
	DefaultHTTPAddr       = ":8080"
	DefaultMetricsAddr    = "127.0.0.1:9090" // the Prometheus habit, off the public port
	DefaultStore          = "sqlite:data/shequn.db"
	DefaultTimezone       = "Asia/Shanghai"
	DefaultLogLevel       = "info"
	DefaultReturnURL      = "https://t.me"
)

// DefaultPaymentMethods are the Stripe payment method types a course offers
// when its payment_methods is not set.
var DefaultPaymentMethods = []string{"card", "alipay", "wechat_pay"}

// Config is the whole configuration of shequn. The YAML key of each field is
// given in its comment, then the environment variable that overrides it.
type Config struct {
	TelegramToken         string              // telegram_token, SHEQUN_TELEGRAM_TOKEN; secret
	TelegramAPIURL        string              // telegram_api_url, SHEQUN_TELEGRAM_API_URL
	TelegramWebhookSecret string              // telegram_webhook_secret, SHEQUN_TELEGRAM_WEBHOOK_SECRET; set = webhook mode; secret
	TelegramWebhookURL    string              // telegram_webhook_url, SHEQUN_TELEGRAM_WEBHOOK_URL; public URL for setWebhook
	StripeSecretKey       string              // stripe_secret_key, SHEQUN_STRIPE_SECRET_KEY; secret
	StripeWebhookSecret   string              // stripe_webhook_secret, SHEQUN_STRIPE_WEBHOOK_SECRET; secret
	StripeAPIURL          string              // stripe_api_url, SHEQUN_STRIPE_API_URL; empty = Stripe's own
	StripeSuccessURL      string              // stripe_success_url
	StripeCancelURL       string              // stripe_cancel_url
	HTTPAddr              string              // http_addr, SHEQUN_HTTP_ADDR
	MetricsAddr           string              // metrics_addr, SHEQUN_METRICS_ADDR: where /metrics is served
	Store                 string              // store, SHEQUN_STORE: sqlite:PATH, mongodb://… or mongodb+srv://…
	Owners                []int64             // owners, SHEQUN_OWNERS (comma-separated Telegram user ids)
	Timezone              string              // timezone, SHEQUN_TIMEZONE
	Location              *time.Location      // Timezone loaded; set by Load and Validate
	LogLevel              string              // log_level, SHEQUN_LOG_LEVEL: debug, info, warn or error
	Courses               []membership.Course // courses
	Homework              Homework            // homework

	// env maps a YAML key to the environment variable that set it, so that
	// error messages name what the operator actually wrote.
	env map[string]string
}

// Homework configures homework review.
type Homework struct {
	// LatePolicy is accept (late work is taken and marked late), penalty
	// (taken, marked, LatePenalty percent off the score) or refuse.
	LatePolicy string `yaml:"late_policy"`
	// LatePenalty is the percentage taken off late work under penalty.
	LatePenalty int `yaml:"late_penalty"`
	// ReviewHold is how long a reviewer keeps a submission they opened.
	ReviewHold time.Duration `yaml:"review_hold"`
	// DigestAt is the local time (HH:MM) of the daily digest to reviewers.
	DigestAt string `yaml:"digest_at"`
}

// DefaultHomework is the homework configuration when none is given.
var DefaultHomework = Homework{LatePolicy: "accept", LatePenalty: 20, ReviewHold: 30 * time.Minute, DigestAt: "09:00"}

// Default returns a configuration holding only the defaults.
func Default() *Config {
	return &Config{
		TelegramAPIURL:   DefaultTelegramAPIURL,
		StripeSuccessURL: DefaultReturnURL,
		StripeCancelURL:  DefaultReturnURL,
		HTTPAddr:         DefaultHTTPAddr,
		MetricsAddr:      DefaultMetricsAddr,
		Store:            DefaultStore,
		Timezone:         DefaultTimezone,
		LogLevel:         DefaultLogLevel,
		Homework:         DefaultHomework,
	}
}

// fileConfig is the YAML file's shape.
type fileConfig struct {
	TelegramToken         string       `yaml:"telegram_token"`
	TelegramAPIURL        string       `yaml:"telegram_api_url"`
	TelegramWebhookSecret string       `yaml:"telegram_webhook_secret"`
	TelegramWebhookURL    string       `yaml:"telegram_webhook_url"`
	StripeSecretKey       string       `yaml:"stripe_secret_key"`
	StripeWebhookSecret   string       `yaml:"stripe_webhook_secret"`
	StripeAPIURL          string       `yaml:"stripe_api_url"`
	StripeSuccessURL      string       `yaml:"stripe_success_url"`
	StripeCancelURL       string       `yaml:"stripe_cancel_url"`
	HTTPAddr              string       `yaml:"http_addr"`
	MetricsAddr           string       `yaml:"metrics_addr"`
	Store                 string       `yaml:"store"`
	Owners                []ownerID    `yaml:"owners"`
	Timezone              string       `yaml:"timezone"`
	LogLevel              string       `yaml:"log_level"`
	Courses               []fileCourse `yaml:"courses"`
	Homework              *Homework    `yaml:"homework"`
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

// ownerID is a Telegram user id in the file, with a readable parse error.
type ownerID int64

func (o *ownerID) UnmarshalYAML(n *yaml.Node) error {
	id, err := parseUserID(n.Value)
	if err != nil {
		return fmt.Errorf("owners: %q is not a Telegram user id (line %d)", n.Value, n.Line)
	}
	*o = ownerID(id)
	return nil
}

func parseUserID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not a user id")
	}
	return id, nil
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
	// The Telegram client appends /bot<token>/<method> to the base URL.
	c.TelegramAPIURL = strings.TrimRight(c.TelegramAPIURL, "/")
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
	fc := fileConfig{
		TelegramAPIURL: c.TelegramAPIURL, StripeSuccessURL: c.StripeSuccessURL,
		StripeCancelURL: c.StripeCancelURL, HTTPAddr: c.HTTPAddr, Store: c.Store,
		MetricsAddr: c.MetricsAddr,
		Timezone:    c.Timezone, LogLevel: c.LogLevel,
	}
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", path, yamlMessage(err))
	}
	c.TelegramToken, c.TelegramAPIURL = fc.TelegramToken, fc.TelegramAPIURL
	c.TelegramWebhookSecret, c.TelegramWebhookURL = fc.TelegramWebhookSecret, fc.TelegramWebhookURL
	c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = fc.StripeSecretKey, fc.StripeWebhookSecret, fc.StripeAPIURL
	c.StripeSuccessURL, c.StripeCancelURL = fc.StripeSuccessURL, fc.StripeCancelURL
	c.HTTPAddr, c.Store, c.Timezone, c.LogLevel = fc.HTTPAddr, fc.Store, fc.Timezone, fc.LogLevel
	c.MetricsAddr = fc.MetricsAddr
	if fc.Homework != nil {
		h := DefaultHomework
		if fc.Homework.LatePolicy != "" {
			h.LatePolicy = fc.Homework.LatePolicy
		}
		if fc.Homework.LatePenalty != 0 {
			h.LatePenalty = fc.Homework.LatePenalty
		}
		if fc.Homework.ReviewHold != 0 {
			h.ReviewHold = fc.Homework.ReviewHold
		}
		if fc.Homework.DigestAt != "" {
			h.DigestAt = fc.Homework.DigestAt
		}
		c.Homework = h
	}
	for _, o := range fc.Owners {
		c.Owners = append(c.Owners, int64(o))
	}
	for _, fcr := range fc.Courses {
		methods := fcr.PaymentMethods
		if methods == nil {
			methods = append([]string(nil), DefaultPaymentMethods...)
		}
		c.Courses = append(c.Courses, membership.Course{
			ID: fcr.ID, Title: fcr.Title, Prefix: fcr.Prefix, StripePrice: fcr.StripePrice,
			Amount: fcr.Amount, Currency: strings.ToLower(fcr.Currency), PaymentMethods: methods,
		})
	}
	return nil
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

// envVars maps YAML keys to the environment variables that override them.
var envVars = []struct{ key, env string }{
	{"telegram_token", "SHEQUN_TELEGRAM_TOKEN"},
	{"telegram_api_url", "SHEQUN_TELEGRAM_API_URL"},
	{"telegram_webhook_secret", "SHEQUN_TELEGRAM_WEBHOOK_SECRET"},
	{"telegram_webhook_url", "SHEQUN_TELEGRAM_WEBHOOK_URL"},
	{"stripe_secret_key", "SHEQUN_STRIPE_SECRET_KEY"},
	{"stripe_webhook_secret", "SHEQUN_STRIPE_WEBHOOK_SECRET"},
	{"stripe_api_url", "SHEQUN_STRIPE_API_URL"},
	{"http_addr", "SHEQUN_HTTP_ADDR"},
	{"metrics_addr", "SHEQUN_METRICS_ADDR"},
	{"store", "SHEQUN_STORE"},
	{"owners", "SHEQUN_OWNERS"},
	{"timezone", "SHEQUN_TIMEZONE"},
	{"log_level", "SHEQUN_LOG_LEVEL"},
}

func (c *Config) field(key string) *string {
	switch key {
	case "telegram_token":
		return &c.TelegramToken
	case "telegram_api_url":
		return &c.TelegramAPIURL
	case "telegram_webhook_secret":
		return &c.TelegramWebhookSecret
	case "telegram_webhook_url":
		return &c.TelegramWebhookURL
	case "stripe_secret_key":
		return &c.StripeSecretKey
	case "stripe_webhook_secret":
		return &c.StripeWebhookSecret
	case "stripe_api_url":
		return &c.StripeAPIURL
	case "http_addr":
		return &c.HTTPAddr
	case "metrics_addr":
		return &c.MetricsAddr
	case "store":
		return &c.Store
	case "timezone":
		return &c.Timezone
	case "log_level":
		return &c.LogLevel
	}
	return nil
}

func (c *Config) applyEnv(getenv func(string) string) error {
	for _, v := range envVars {
		val := strings.TrimSpace(getenv(v.env))
		if val == "" {
			continue
		}
		if c.env == nil {
			c.env = map[string]string{}
		}
		c.env[v.key] = v.env
		if v.key != "owners" {
			*c.field(v.key) = val
			continue
		}
		c.Owners = nil
		for _, s := range strings.Split(val, ",") {
			if strings.TrimSpace(s) == "" {
				continue
			}
			id, err := parseUserID(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not a Telegram user id", v.env, strings.TrimSpace(s))
			}
			c.Owners = append(c.Owners, id)
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
