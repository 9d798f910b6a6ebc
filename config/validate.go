package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	courseIDRe      = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	prefixRe        = regexp.MustCompile(`^[A-Z0-9]{1,8}$`)
	currencyRe      = regexp.MustCompile(`^[a-z]{3}$`)
	methodRe        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	webhookSecretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// Validate checks the configuration and returns the first problem as one
// line naming the key (or the environment variable that set it). It loads
// Timezone into Location when Location is nil. It does not require the
// Telegram token or Stripe keys: see RequireTelegram and RequireStripe.
func (c *Config) Validate() error {
	if err := c.Homework.validate(); err != nil {
		return err
	}
	for _, u := range []struct {
		key, val string
		optional bool
	}{
		{"telegram_api_url", c.TelegramAPIURL, false},
		{"stripe_api_url", c.StripeAPIURL, true},
		{"stripe_success_url", c.StripeSuccessURL, false},
		{"stripe_cancel_url", c.StripeCancelURL, false},
	} {
		if u.val == "" && u.optional {
			continue
		}
		if !httpURL(u.val) {
			return fmt.Errorf("%s: %q is not an http or https URL", c.name(u.key), u.val)
		}
	}
	if c.TelegramWebhookSecret != "" {
		if !webhookSecretRe.MatchString(c.TelegramWebhookSecret) {
			return fmt.Errorf("%s: must be 1-256 characters A-Z, a-z, 0-9, _ or -", c.name("telegram_webhook_secret"))
		}
		if c.TelegramWebhookURL == "" {
			key := "telegram_webhook_url"
			if _, fromEnv := c.env["telegram_webhook_secret"]; fromEnv {
				key = "SHEQUN_TELEGRAM_WEBHOOK_URL"
			}
			return fmt.Errorf("%s: must be set in webhook mode (when %s is set)", key, c.name("telegram_webhook_secret"))
		}
	}
	if c.TelegramWebhookURL != "" {
		// Telegram requires https; plain http is accepted for a loopback
		// host, where a local Bot API server or a test delivers updates.
		u, err := url.Parse(c.TelegramWebhookURL)
		loopback := err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
		if err != nil || (u.Scheme != "https" && !loopback) || u.Host == "" {
			return fmt.Errorf("%s: %q is not an https URL (Telegram requires https)", c.name("telegram_webhook_url"), c.TelegramWebhookURL)
		}
	}
	if err := c.validateStripe(); err != nil {
		return err
	}
	if err := checkAddr(c.HTTPAddr); err != nil {
		return fmt.Errorf("%s: %q %v", c.name("http_addr"), c.HTTPAddr, err)
	}
	if err := checkAddr(c.MetricsAddr); err != nil {
		return fmt.Errorf("%s: %q %v", c.name("metrics_addr"), c.MetricsAddr, err)
	}
	if err := checkStore(c.Store); err != nil {
		return fmt.Errorf("%s: %v", c.name("store"), err)
	}
	for i, id := range c.Owners {
		if id <= 0 {
			return fmt.Errorf("owners[%d]: %d is not a Telegram user id", i, id)
		}
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" || strings.EqualFold(c.Timezone, "local") {
		return fmt.Errorf("%s: unknown time zone %q", c.name("timezone"), c.Timezone)
	}
	if c.Location == nil {
		c.Location = loc
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("%s: %q is not one of debug, info, warn, error", c.name("log_level"), c.LogLevel)
	}
	return c.validateCourses()
}

func (c *Config) validateCourses() error {
	ids := map[string]int{}
	prefixes := map[string]string{}
	for i, co := range c.Courses {
		at := fmt.Sprintf("courses[%d]", i)
		if !courseIDRe.MatchString(co.ID) {
			return fmt.Errorf("%s.id: %q must be 1-32 characters a-z, 0-9, _ or -", at, co.ID)
		}
		if j, dup := ids[co.ID]; dup {
			return fmt.Errorf("%s.id: duplicate course id %q (also courses[%d])", at, co.ID, j)
		}
		ids[co.ID] = i
		if strings.TrimSpace(co.Title) == "" {
			return fmt.Errorf("%s.title: must not be empty", at)
		}
		if !prefixRe.MatchString(co.Prefix) {
			return fmt.Errorf("%s.prefix: must be 1-8 upper-case letters or digits", at)
		}
		if other, dup := prefixes[co.Prefix]; dup {
			return fmt.Errorf("%s.prefix: %q is used by course %q already", at, co.Prefix, other)
		}
		prefixes[co.Prefix] = co.ID
		switch {
		case co.StripePrice != "" && co.Amount == 0 && co.Currency == "":
			if !strings.HasPrefix(co.StripePrice, "price_") {
				return fmt.Errorf("%s.stripe_price: %q is not a Stripe Price id (price_…)", at, co.StripePrice)
			}
		case co.StripePrice == "" && co.Amount != 0 && co.Currency != "":
			if co.Amount < 0 {
				return fmt.Errorf("%s.amount: must be positive (minor units, e.g. 9900 for 99.00)", at)
			}
			if !currencyRe.MatchString(co.Currency) {
				return fmt.Errorf("%s.currency: %q is not a lower-case ISO currency code such as cny", at, co.Currency)
			}
		default:
			return fmt.Errorf("%s: set either stripe_price or amount with currency", at)
		}
		if len(co.PaymentMethods) == 0 {
			return fmt.Errorf("%s.payment_methods: must not be empty", at)
		}
		for j, m := range co.PaymentMethods {
			if !methodRe.MatchString(m) {
				return fmt.Errorf("%s.payment_methods[%d]: %q is not a Stripe payment method type", at, j, m)
			}
		}
	}
	return nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("is not host:port, e.g. :8080 or 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("has no valid port (0-65535)")
	}
	return nil
}

// checkStore checks the store location without ever printing it whole: a
// MongoDB URI may hold a password.
func checkStore(store string) error {
	switch {
	case strings.HasPrefix(store, "sqlite:"):
		if strings.TrimSpace(strings.TrimPrefix(store, "sqlite:")) == "" {
			return errors.New("sqlite: needs a file path, e.g. sqlite:data/shequn.db")
		}
		return nil
	case strings.HasPrefix(store, "mongodb://"), strings.HasPrefix(store, "mongodb+srv://"):
		u, err := url.Parse(store)
		if err != nil || u.Host == "" {
			return errors.New("the MongoDB URI does not parse or has no host")
		}
		return nil
	}
	scheme, _, ok := strings.Cut(store, ":")
	if !ok || strings.Contains(scheme, "/") {
		scheme = ""
	}
	return fmt.Errorf("unknown store scheme %q: use sqlite:PATH or a mongodb:// or mongodb+srv:// URI", scheme)
}

// RequireTelegram reports a missing Telegram token; serve needs one, demo
// does not.
func (c *Config) RequireTelegram() error {
	if c.TelegramToken == "" {
		return errors.New("SHEQUN_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it")
	}
	return nil
}

// validateStripe refuses half a Stripe configuration: a secret key without
// the webhook's signing secret would leave the webhook unable to tell a
// real payment from a forged one, and a signing secret without the key
// leaves prices and missed payments unverifiable. With neither, payments
// are simply not open yet.
func (c *Config) validateStripe() error {
	switch {
	case c.StripeSecretKey != "" && c.StripeWebhookSecret == "":
		return errors.New("SHEQUN_STRIPE_WEBHOOK_SECRET is not set but the Stripe secret key is: no payment can be accepted without it; " +
			"add a webhook endpoint for /stripe/webhook in the Stripe dashboard and set its signing secret (whsec_…)")
	case c.StripeWebhookSecret != "" && c.StripeSecretKey == "":
		return errors.New("SHEQUN_STRIPE_SECRET_KEY is not set but the Stripe webhook secret is: " +
			"copy the secret key (sk_…) from the Stripe dashboard and set it")
	}
	return nil
}

// PaymentsEnabled reports whether Stripe is configured: without it the
// webhook answers 503 and the Buy button says purchases are not open yet.
func (c *Config) PaymentsEnabled() bool {
	return c.StripeSecretKey != "" && c.StripeWebhookSecret != ""
}

// RequireStripe reports a missing Stripe secret key or webhook secret.
func (c *Config) RequireStripe() error {
	if c.StripeSecretKey == "" {
		return errors.New("SHEQUN_STRIPE_SECRET_KEY is not set: copy the secret key (sk_…) from the Stripe dashboard and set it")
	}
	if c.StripeWebhookSecret == "" {
		return errors.New("SHEQUN_STRIPE_WEBHOOK_SECRET is not set: add a webhook endpoint for /stripe/webhook in the Stripe dashboard and set its signing secret (whsec_…)")
	}
	return nil
}

// validate checks the homework section.
func (h Homework) validate() error {
	switch h.LatePolicy {
	case "accept", "penalty", "refuse":
	default:
		return fmt.Errorf("homework.late_policy: %q is not accept, penalty or refuse", h.LatePolicy)
	}
	if h.LatePenalty < 0 || h.LatePenalty > 100 {
		return fmt.Errorf("homework.late_penalty: %d is not a percentage from 0 to 100", h.LatePenalty)
	}
	if h.ReviewHold < time.Minute || h.ReviewHold > 24*time.Hour {
		return fmt.Errorf("homework.review_hold: %s is not between 1m and 24h", h.ReviewHold)
	}
	if _, _, err := h.Digest(); err != nil {
		return err
	}
	return nil
}

// Digest returns the hour and minute of the daily digest.
func (h Homework) Digest() (hour, minute int, err error) {
	t, err := time.Parse("15:04", h.DigestAt)
	if err != nil {
		return 0, 0, fmt.Errorf("homework.digest_at: %q is not a time like 09:00", h.DigestAt)
	}
	return t.Hour(), t.Minute(), nil
}
