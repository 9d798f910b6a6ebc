package config

import (
	"errors"
	"fmt"
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
// line naming the key (or the environment variable that set it). It changes
// nothing. It does not require the Telegram token or Stripe keys: see
// RequireTelegram and RequireStripe.
func (c Config) Validate() error {
	for _, sec := range sectionList {
		for _, o := range sec.opts {
			if o.check == nil {
				continue
			}
			if err := o.check(&c); err != nil {
				return fmt.Errorf("%s.%s: %w", sec.name, o.key, err)
			}
		}
	}
	for _, o := range sessionOptions {
		if o.check == nil {
			continue
		}
		if err := o.check(&c); err != nil {
			return fmt.Errorf("sessions.%s: %w", o.key, err)
		}
	}
	for _, o := range options {
		if o.check == nil {
			continue
		}
		if err := o.check(&c); err != nil {
			return fmt.Errorf("%s: %w", c.name(o.key), err)
		}
	}
	if c.TelegramWebhookSecret != "" && c.TelegramWebhookURL == "" {
		key := "telegram_webhook_url"
		if _, fromEnv := c.env["telegram_webhook_secret"]; fromEnv {
			key = "SHEQUN_TELEGRAM_WEBHOOK_URL"
		}
		return fmt.Errorf("%s: must be set in webhook mode (when %s is set)", key, c.name("telegram_webhook_secret"))
	}
	if err := c.validateStripe(); err != nil {
		return err
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

// RequireTelegram reports a missing Telegram token; serve needs one
// unless QQ is configured (a QQ-only community); demo does not.
func (c *Config) RequireTelegram() error {
	if c.TelegramToken == "" && !c.OneBot.Enabled() {
		return errors.New("SHEQUN_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it")
	}
	return nil
}

// TelegramEnabled reports whether the bot runs on Telegram: without a
// token it runs on QQ only, and nothing calls Telegram.
func (c *Config) TelegramEnabled() bool { return c.TelegramToken != "" }

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

// Digest returns the hour and minute of the daily digest.
func (h Homework) Digest() (hour, minute int, err error) {
	t, err := time.Parse("15:04", h.DigestAt)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time like 09:00", h.DigestAt)
	}
	return t.Hour(), t.Minute(), nil
}
