package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
)

const validCourses = `
courses:
  - id: ppt
    title: PPT 进阶
    prefix: PPT
    amount: 9900
    currency: CNY
  - id: excel
    title: Excel
    prefix: XL
    stripe_price: price_123
    payment_methods: [card]
`

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shequn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "shequn.yaml"), false, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	if c.TelegramAPIURL != want.TelegramAPIURL || c.TelegramAPIURL != "https://api.telegram.org" ||
		c.HTTPAddr != ":8080" || c.Store != "sqlite:data/shequn.db" || c.Timezone != "Asia/Shanghai" ||
		c.LogLevel != "info" || c.StripeSuccessURL != "https://t.me" || c.StripeCancelURL != "https://t.me" ||
		c.StripeAPIURL != "" || len(c.Owners) != 0 || len(c.Courses) != 0 {
		t.Errorf("defaults: %s", c)
	}
	if c.Location().String() != "Asia/Shanghai" {
		t.Errorf("Location = %v", c.Location())
	}
	if c.WebhookMode() {
		t.Error("webhook mode without a secret")
	}
	if c.Level() != slog.LevelInfo {
		t.Errorf("Level = %v", c.Level())
	}
}

func TestCoursesOnlyFile(t *testing.T) {
	c, err := Load(writeFile(t, validCourses), true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []membership.Course{
		{ID: "ppt", Title: "PPT 进阶", Prefix: "PPT", Amount: 9900, Currency: "cny", PaymentMethods: []string{"card", "alipay", "wechat_pay"}},
		{ID: "excel", Title: "Excel", Prefix: "XL", StripePrice: "price_123", PaymentMethods: []string{"card"}},
	}
	if !reflect.DeepEqual(c.Courses, want) {
		t.Errorf("courses = %+v", c.Courses)
	}
	if co, ok := c.Course("excel"); !ok || co.StripePrice != "price_123" {
		t.Errorf("Course(excel) = %+v, %v", co, ok)
	}
	if _, ok := c.Course("nope"); ok {
		t.Error("Course(nope) found")
	}
	if m := c.CourseMap(); len(m) != 2 || m["ppt"].Prefix != "PPT" {
		t.Errorf("CourseMap = %+v", m)
	}
	// The default slice is copied, not shared.
	c.Courses[0].PaymentMethods[0] = "x"
	if DefaultPaymentMethods()[0] != "card" {
		t.Error("DefaultPaymentMethods modified through a course")
	}
}

func TestEnvOverridesFile(t *testing.T) {
	p := writeFile(t, `
telegram_token: file-token
http_addr: ":9000"
store: sqlite:file.db
owners: [1, 2]
timezone: Europe/Berlin
log_level: debug
`+validCourses)
	c, err := Load(p, true, env(map[string]string{
		"SHEQUN_TELEGRAM_TOKEN":          "env-token",
		"SHEQUN_TELEGRAM_API_URL":        "http://127.0.0.1:9999",
		"SHEQUN_STRIPE_SECRET_KEY":       "sk_test_env",
		"SHEQUN_STRIPE_WEBHOOK_SECRET":   "whsec_env",
		"SHEQUN_STRIPE_API_URL":          "http://localhost:12111",
		"SHEQUN_HTTP_ADDR":               "127.0.0.1:8081",
		"SHEQUN_STORE":                   "mongodb://user:pw@db.example:27017/shequn",
		"SHEQUN_OWNERS":                  " 42, 7 ,",
		"SHEQUN_TIMEZONE":                "UTC",
		"SHEQUN_LOG_LEVEL":               "warn",
		"SHEQUN_TELEGRAM_WEBHOOK_SECRET": "hook_Secret-1",
		"SHEQUN_TELEGRAM_WEBHOOK_URL":    "https://bot.example/telegram/webhook",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "env-token" || c.TelegramAPIURL != "http://127.0.0.1:9999" ||
		c.StripeSecretKey != "sk_test_env" || c.StripeWebhookSecret != "whsec_env" ||
		c.StripeAPIURL != "http://localhost:12111" || c.HTTPAddr != "127.0.0.1:8081" ||
		c.Store != "mongodb://user:pw@db.example:27017/shequn" || !reflect.DeepEqual(c.Owners, []int64{42, 7}) ||
		c.Timezone != "UTC" || c.Location().String() != "UTC" || c.LogLevel != "warn" || c.Level() != slog.LevelWarn ||
		!c.WebhookMode() || c.TelegramWebhookURL != "https://bot.example/telegram/webhook" || len(c.Courses) != 2 {
		t.Errorf("got %#v", c)
	}
	// Without the environment, the file's values stand.
	c, err = Load(p, true, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "file-token" || c.HTTPAddr != ":9000" || c.Store != "sqlite:file.db" ||
		!reflect.DeepEqual(c.Owners, []int64{1, 2}) || c.Timezone != "Europe/Berlin" || c.Level() != slog.LevelDebug {
		t.Errorf("got %s", c)
	}
}

func TestLoadErrors(t *testing.T) {
	course := func(fields string) string {
		return "courses:\n  - {id: ppt, title: PPT, prefix: PPT, amount: 100, currency: cny}\n  - {" + fields + "}\n"
	}
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown top key", "telegram_tokn: x\n", nil, `line 1: unknown key "telegram_tokn"`},
		{"unknown course key", course("id: b, title: B, prefix: B, amount: 1, currency: usd, pricee: 3"), nil, `line 3: unknown key "pricee"`},
		{"bad yaml type", "owners: {a: 1}\n", nil, "line 1: cannot unmarshal"},
		{"owner in file", "owners: [12x]\n", nil, `owners: "12x" is not a Telegram user id`},
		{"owner zero in file", "owners: [0]\n", nil, `owners: "0" is not a Telegram user id`},
		{"owners env", "", map[string]string{"SHEQUN_OWNERS": "1,12x"}, `SHEQUN_OWNERS: "12x" is not a Telegram user id`},
		{"owners env negative", "", map[string]string{"SHEQUN_OWNERS": "-5"}, `SHEQUN_OWNERS: "-5" is not a Telegram user id`},
		{"timezone", "timezone: Mars/Base\n", nil, `timezone: unknown time zone "Mars/Base"`},
		{"timezone env", "", map[string]string{"SHEQUN_TIMEZONE": "Mars/Base"}, `SHEQUN_TIMEZONE: unknown time zone "Mars/Base"`},
		{"timezone local", "timezone: Local\n", nil, `timezone: unknown time zone "Local"`},
		{"log level", "", map[string]string{"SHEQUN_LOG_LEVEL": "loud"}, `SHEQUN_LOG_LEVEL: "loud" is not one of debug, info, warn, error`},
		{"http addr", "http_addr: 8080\n", nil, `http_addr: "8080" is not host:port`},
		{"http addr port", "", map[string]string{"SHEQUN_HTTP_ADDR": ":99999"}, `SHEQUN_HTTP_ADDR: ":99999" has no valid port`},
		{"store scheme", "store: postgres://u:secretpw@h/db\n", nil, `store: unknown store scheme "postgres"`},
		{"store no scheme", "", map[string]string{"SHEQUN_STORE": "data.db"}, `SHEQUN_STORE: unknown store scheme ""`},
		{"sqlite empty", "store: 'sqlite:'\n", nil, "store: sqlite: needs a file path"},
		{"mongo no host", "store: mongodb://\n", nil, "store: the MongoDB URI does not parse or has no host"},
		{"telegram url", "", map[string]string{"SHEQUN_TELEGRAM_API_URL": "api.telegram.org"}, `SHEQUN_TELEGRAM_API_URL: "api.telegram.org" is not an http or https URL`},
		{"stripe url", "stripe_api_url: ftp://x\n", nil, `stripe_api_url: "ftp://x" is not an http or https URL`},
		{"success url", "stripe_success_url: ''\n", nil, `stripe_success_url: "" is not an http or https URL`},
		{"webhook secret chars", "", map[string]string{"SHEQUN_TELEGRAM_WEBHOOK_SECRET": "bad secret!", "SHEQUN_TELEGRAM_WEBHOOK_URL": "https://x.example/"}, "SHEQUN_TELEGRAM_WEBHOOK_SECRET: must be 1-256 characters"},
		{"webhook url missing", "", map[string]string{"SHEQUN_TELEGRAM_WEBHOOK_SECRET": "s"}, "SHEQUN_TELEGRAM_WEBHOOK_URL: must be set in webhook mode"},
		{"webhook url http", "", map[string]string{"SHEQUN_TELEGRAM_WEBHOOK_SECRET": "s", "SHEQUN_TELEGRAM_WEBHOOK_URL": "http://x.example/"}, `SHEQUN_TELEGRAM_WEBHOOK_URL: "http://x.example/" is not an https URL`},
		{"limit count", "telegram_limit_global: 0/1s\n", nil, "telegram_limit_global: 0/1s: the count is not from 1 to 100000"},
		{"limit duration", "", map[string]string{"SHEQUN_TELEGRAM_LIMIT_GROUP": "20/500ms"}, "SHEQUN_TELEGRAM_LIMIT_GROUP: 20/500ms: the duration is not from 1s to 1h"},
		{"limit syntax", "telegram_limit_private: 1 per second\n", nil, `telegram_limit_private: "1 per second" is not messages per duration like 30/1s`},
		{"course id", course("id: PPT2, title: B, prefix: B, amount: 1, currency: usd"), nil, `courses[1].id: "PPT2" must be 1-32 characters a-z, 0-9, _ or -`},
		{"course id long", course("id: " + strings.Repeat("a", 33) + ", title: B, prefix: B, amount: 1, currency: usd"), nil, "courses[1].id: "},
		{"course id dup", course("id: ppt, title: B, prefix: B, amount: 1, currency: usd"), nil, `courses[1].id: duplicate course id "ppt" (also courses[0])`},
		{"title", course("id: b, prefix: B, amount: 1, currency: usd"), nil, "courses[1].title: must not be empty"},
		{"prefix", course("id: b, title: B, prefix: ppt, amount: 1, currency: usd"), nil, "courses[1].prefix: must be 1-8 upper-case letters or digits"},
		{"prefix long", course("id: b, title: B, prefix: ABCDEFGHI, amount: 1, currency: usd"), nil, "courses[1].prefix: must be 1-8 upper-case letters or digits"},
		{"prefix dup", course("id: b, title: B, prefix: PPT, amount: 1, currency: usd"), nil, `courses[1].prefix: "PPT" is used by course "ppt" already`},
		{"no price", course("id: b, title: B, prefix: B"), nil, "courses[1]: set either stripe_price or amount with currency"},
		{"both prices", course("id: b, title: B, prefix: B, stripe_price: price_1, amount: 1, currency: usd"), nil, "courses[1]: set either stripe_price or amount with currency"},
		{"amount without currency", course("id: b, title: B, prefix: B, amount: 1"), nil, "courses[1]: set either stripe_price or amount with currency"},
		{"negative amount", course("id: b, title: B, prefix: B, amount: -1, currency: usd"), nil, "courses[1].amount: must be positive"},
		{"currency", course("id: b, title: B, prefix: B, amount: 1, currency: yuan"), nil, `courses[1].currency: "yuan" is not a lower-case ISO currency code`},
		{"price id", course("id: b, title: B, prefix: B, stripe_price: prod_1"), nil, `courses[1].stripe_price: "prod_1" is not a Stripe Price id`},
		{"methods empty", course("id: b, title: B, prefix: B, amount: 1, currency: usd, payment_methods: []"), nil, "courses[1].payment_methods: must not be empty"},
		{"method bad", course("id: b, title: B, prefix: B, amount: 1, currency: usd, payment_methods: [card, 'WeChat Pay']"), nil, `courses[1].payment_methods[1]: "WeChat Pay" is not a Stripe payment method type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.file), true, env(tt.env))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if strings.Contains(msg, "secretpw") || strings.Contains(msg, "fileConfig") {
				t.Errorf("error leaks a secret or a Go type: %q", msg)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := Load(p, true, env(nil)); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("explicit missing file: err = %v", err)
	}
	if _, err := Load(p, false, env(nil)); err != nil {
		t.Errorf("default missing file: err = %v", err)
	}
	if _, err := Load("", false, env(nil)); err != nil {
		t.Errorf("no file: err = %v", err)
	}
	if _, err := Load(t.TempDir(), true, env(nil)); err == nil {
		t.Error("a directory as config file gave no error")
	}
}

func TestEmptyFile(t *testing.T) {
	if _, err := Load(writeFile(t, ""), true, env(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestRequire(t *testing.T) {
	c := Default()
	if err := c.RequireTelegram(); err == nil || err.Error() != "SHEQUN_TELEGRAM_TOKEN is not set: get a token from @BotFather and set it" {
		t.Errorf("RequireTelegram = %v", err)
	}
	if err := c.RequireStripe(); err == nil || !strings.HasPrefix(err.Error(), "SHEQUN_STRIPE_SECRET_KEY is not set") {
		t.Errorf("RequireStripe = %v", err)
	}
	c.StripeSecretKey = "sk_test_1"
	if err := c.RequireStripe(); err == nil || !strings.HasPrefix(err.Error(), "SHEQUN_STRIPE_WEBHOOK_SECRET is not set") {
		t.Errorf("RequireStripe = %v", err)
	}
	c.TelegramToken, c.StripeWebhookSecret = "1:abc", "whsec_1"
	if c.RequireTelegram() != nil || c.RequireStripe() != nil {
		t.Error("Require* failed with everything set")
	}
}

func TestValidateProgrammatic(t *testing.T) {
	c := Default()
	c.Courses = []membership.Course{{ID: "ppt", Title: "PPT", Prefix: "PPT", Amount: 1, Currency: "cny", PaymentMethods: []string{"card"}}}
	before := *c
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*c, before) {
		t.Errorf("Validate changed the configuration: %#v", c)
	}
	c.Owners = []int64{5, 0}
	if err := c.Validate(); err == nil || err.Error() != "owners: 0 is not a Telegram user id" {
		t.Errorf("Validate = %v", err)
	}
}

func TestSecretsRedacted(t *testing.T) {
	secrets := map[string]string{
		"SHEQUN_TELEGRAM_TOKEN":          "123456:TOKENSECRET",
		"SHEQUN_STRIPE_SECRET_KEY":       "sk_test_KEYSECRET",
		"SHEQUN_STRIPE_WEBHOOK_SECRET":   "whsec_HOOKSECRET",
		"SHEQUN_TELEGRAM_WEBHOOK_SECRET": "TGHOOKSECRET",
		"SHEQUN_TELEGRAM_WEBHOOK_URL":    "https://bot.example/telegram/webhook",
		"SHEQUN_STORE":                   "mongodb://shequn:DBPASSWORD@db.example/shequn",
	}
	c, err := Load("", false, env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Secrets()
	want := []string{"123456:TOKENSECRET", "TGHOOKSECRET", "sk_test_KEYSECRET", "whsec_HOOKSECRET", "DBPASSWORD"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
	if s := Default().Secrets(); len(s) != 0 {
		t.Errorf("Secrets of defaults = %q", s)
	}

	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("config", "config", c)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", *c)
	outputs := []string{buf.String(), c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v", *c, *c, *c), fmt.Sprintf("%#v", c)}
	for _, out := range outputs {
		for _, s := range []string{"TOKENSECRET", "KEYSECRET", "HOOKSECRET", "DBPASSWORD"} {
			if strings.Contains(out, s) {
				t.Errorf("output leaks %s: %s", s, out)
			}
		}
	}
	if !strings.Contains(buf.String(), "config.telegram_token=[redacted]") || !strings.Contains(buf.String(), "db.example") {
		t.Errorf("log output lacks redacted fields: %s", buf.String())
	}
}

func TestHomeworkSection(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		yaml, err string
		want      Homework
	}{
		{"courses: []\n", "", Default().Homework},
		{"homework:\n  late_penalty: 0\n", "", Homework{LatePolicy: "accept", ReviewHold: 30 * time.Minute, DigestAt: "09:00"}},
		{"homework:\n  latepolicy: refuse\n", `line 2: unknown key "homework.latepolicy"`, Homework{}},
		{"homework:\n  review_hold: soon\n", `homework.review_hold: "soon" is not a duration`, Homework{}},
		{"homework:\n  late_policy: penalty\n  late_penalty: 30\n  review_hold: 10m\n  digest_at: \"08:30\"\n", "", Homework{LatePolicy: "penalty", LatePenalty: 30, ReviewHold: 10 * time.Minute, DigestAt: "08:30"}},
		{"homework:\n  late_policy: maybe\n", "homework.late_policy", Homework{}},
		{"homework:\n  late_penalty: 120\n", "homework.late_penalty", Homework{}},
		{"homework:\n  digest_at: noon\n", "homework.digest_at", Homework{}},
		{"homework:\n  review_hold: 2s\n", "homework.review_hold", Homework{}},
	}
	for i, c := range cases {
		path := filepath.Join(dir, fmt.Sprintf("h%d.yaml", i))
		os.WriteFile(path, []byte(c.yaml), 0o600)
		cfg, err := Load(path, true, func(string) string { return "" })
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err = %v, want %s", c.yaml, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		if cfg.Homework != c.want {
			t.Errorf("%q: homework = %+v, want %+v", c.yaml, cfg.Homework, c.want)
		}
	}
}

// The example shipped beside docker-compose.yml stays valid.
func TestExampleConfigLoads(t *testing.T) {
	cfg, err := Load("../shequn.example.yaml", true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Courses) != 1 || cfg.Courses[0].Prefix != "PPT" || cfg.Homework.DigestAt != "09:00" {
		t.Fatalf("example config = %+v", cfg)
	}
}

// /metrics has its own address: loopback by default, from the file or
// the environment, and checked like the HTTP address.
func TestMetricsAddr(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "shequn.yaml"), false, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("default metrics_addr = %q", c.MetricsAddr)
	}
	p := writeFile(t, "metrics_addr: \"10.0.0.5:9100\"\n")
	if c, err = Load(p, true, env(nil)); err != nil || c.MetricsAddr != "10.0.0.5:9100" {
		t.Errorf("metrics_addr from the file = %q, %v", c.MetricsAddr, err)
	}
	if c, err = Load(p, true, env(map[string]string{"SHEQUN_METRICS_ADDR": ":9200"})); err != nil || c.MetricsAddr != ":9200" {
		t.Errorf("SHEQUN_METRICS_ADDR = %q, %v", c.MetricsAddr, err)
	}
	_, err = Load(p, true, env(map[string]string{"SHEQUN_METRICS_ADDR": "9200"}))
	if err == nil || !strings.Contains(err.Error(), `SHEQUN_METRICS_ADDR: "9200" is not host:port`) {
		t.Errorf("a bad SHEQUN_METRICS_ADDR: %v", err)
	}
}

// The limits default to Telegram's and take a file's or a variable's
// higher ones (paid broadcasts).
func TestTelegramLimits(t *testing.T) {
	c, err := Load(writeFile(t, "telegram_limit_group: 30/m\n"), true, env(map[string]string{"SHEQUN_TELEGRAM_LIMIT_GLOBAL": "1000/s"}))
	if err != nil {
		t.Fatal(err)
	}
	want := TelegramLimits{Global: Rate{1000, time.Second}, Private: Rate{1, time.Second}, Group: Rate{30, time.Minute}}
	if c.TelegramLimits != want {
		t.Fatalf("limits %+v, want %+v", c.TelegramLimits, want)
	}
	if d := Default().TelegramLimits; d != (TelegramLimits{Rate{30, time.Second}, Rate{1, time.Second}, Rate{20, time.Minute}}) {
		t.Fatalf("defaults %+v are not Telegram's", d)
	}
	if !strings.Contains(c.String(), "telegram_limits=1000/1s 1/1s 30/1m") {
		t.Fatalf("String() = %s", c)
	}
}
