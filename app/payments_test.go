package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/demo"
	"github.com/shequn/shequn/payments/stripetest"
)

// With no Stripe settings at all, purchases are closed: Buy answers so in
// the buyer's language, and the webhook refuses even an event signed with
// the empty key, so nobody is enrolled for free.
func TestPaymentsClosedWithoutStripe(t *testing.T) {
	h, err := demo.Start(t.Context(), func(cfg *config.Config, opts *app.Options) {
		cfg.StripeSecretKey, cfg.StripeWebhookSecret = "", ""
		opts.Checkout = nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, u := range []struct {
		id   int64
		lang string
		want string
	}{{501, "zh-hans", "暂未开放购买"}, {502, "en", "not open yet"}} {
		h.TG.AddUser(telegramtest.User{ID: u.id, FirstName: "Buyer", LanguageCode: u.lang})
		must(t, h.Say(t.Context(), u.id, u.id, "/start buy-ppt"))
		last, _ := h.LastBotMessage(u.id)
		if !strings.Contains(last.Text, u.want) {
			t.Errorf("user %d (%s) got %q, want %q", u.id, u.lang, last.Text, u.want)
		}
	}
	code, err := h.Deliver(t.Context(), stripetest.CheckoutCompleted("", "evt_free", "cs_free", "pi_free", "ppt", 501, 19900, time.Now()))
	must(t, err)
	if code != http.StatusServiceUnavailable {
		t.Errorf("webhook without a secret answered %d, want 503", code)
	}
	must(t, h.Step(t.Context()))
	if _, err := h.App.Store().Enrollment(t.Context(), "ppt", 501); err == nil {
		t.Error("a payment signed with the empty key enrolled the buyer")
	}
}
