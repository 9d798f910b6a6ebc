package app_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/demo"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/payments/stripetest"
)

// stripeSessions is a fake Stripe list endpoint that returns the Checkout
// Sessions a test chooses.
func stripeSessions(t *testing.T, sessions ...map[string]any) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/checkout/sessions" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/checkout/sessions", "has_more": false, "data": sessions})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func paidSession(id string, user int64, amount int64) map[string]any {
	uid := strconv.FormatInt(user, 10)
	return map[string]any{"id": id, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": "paid", "client_reference_id": uid, "payment_intent": "pi_" + id, "amount_total": amount,
		"currency": "cny", "created": time.Now().Unix(), "metadata": map[string]any{"course": "ppt", "telegram_user_id": uid}}
}

// The daily reconciliation applies a payment whose webhook never arrived,
// exactly once: listing it again, a payment whose webhook did arrive and
// the missed webhook arriving later change nothing.
func TestStripeReconciliationAppliesMissedPaymentsOnce(t *testing.T) {
	api := stripeSessions(t, paidSession("cs_missed", 77, 19900), paidSession("cs_arrived", 78, 19900))
	h, err := demo.Start(t.Context(), func(cfg *config.Config, _ *app.Options) { cfg.StripeAPIURL = api })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := t.Context()
	for _, id := range []int64{77, 78} {
		h.TG.AddUser(telegramtest.User{ID: id, FirstName: "Buyer", LanguageCode: "en"})
		must(t, h.Say(ctx, id, id, "/start"))
	}
	code, err := h.Deliver(ctx, stripetest.CheckoutCompleted(demo.WebhookSecret, "evt_arrived", "cs_arrived", "pi_cs_arrived", "ppt", 78, 19900, time.Now()))
	if err != nil || code != http.StatusOK {
		t.Fatalf("webhook: %d %v", code, err)
	}
	must(t, h.Step(ctx))
	arrived, err := h.App.Store().Enrollment(ctx, "ppt", 78)
	must(t, err)
	dms78 := len(h.TG.BotMessages(78))

	for range 2 {
		must(t, h.App.RunStripeReconcile(ctx, h.Clock.Now()))
		must(t, h.Step(ctx))
	}
	missed, err := h.App.Store().Enrollment(ctx, "ppt", 77)
	if err != nil || !missed.Active() || missed.OrderID != "cs_missed" {
		t.Fatalf("missed payment not applied: %+v %v", missed, err)
	}
	dms77 := len(h.TG.BotMessages(77))
	if dms77 != 2 {
		t.Errorf("the recovered buyer got %d messages, want /start's answer and one welcome: %+v", dms77, h.TG.BotMessages(77))
	}
	if again, _ := h.App.Store().Enrollment(ctx, "ppt", 78); again != arrived || len(h.TG.BotMessages(78)) != dms78 {
		t.Errorf("a payment whose webhook arrived changed: %+v -> %+v, %d -> %d messages", arrived, again, dms78, len(h.TG.BotMessages(78)))
	}
	// The missed webhook arrives at last.
	code, err = h.Deliver(ctx, stripetest.CheckoutCompleted(demo.WebhookSecret, "evt_late", "cs_missed", "pi_cs_missed", "ppt", 77, 19900, time.Now()))
	if err != nil || code != http.StatusOK {
		t.Fatalf("late webhook: %d %v", code, err)
	}
	must(t, h.Step(ctx))
	if late, _ := h.App.Store().Enrollment(ctx, "ppt", 77); late != missed || len(h.TG.BotMessages(77)) != dms77 {
		t.Errorf("the late webhook changed the enrollment %+v -> %+v or sent %d messages", missed, late, len(h.TG.BotMessages(77))-dms77)
	}
	orders, _ := h.App.Store().Orders(ctx, 77)
	if len(orders) != 1 {
		t.Errorf("orders of the recovered buyer: %+v", orders)
	}
}

// A payment of the wrong amount enrolls nobody, stays on record and tells
// every owner once, in the owner's language.
func TestAmountMismatchAlertsOwnersOnce(t *testing.T) {
	const english = 1001
	h, err := demo.Start(t.Context(), func(cfg *config.Config, _ *app.Options) { cfg.Owners = append(cfg.Owners, english) })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := t.Context()
	h.TG.AddUser(telegramtest.User{ID: english, FirstName: "Owner2", LanguageCode: "en"})
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "Buyer", LanguageCode: "en"})
	must(t, h.Say(ctx, english, english, "/help"))
	must(t, h.Say(ctx, h.Owner, h.Owner, "/help"))
	before := map[int64]int{h.Owner: len(h.TG.BotMessages(h.Owner)), english: len(h.TG.BotMessages(english))}
	d := stripetest.CheckoutCompleted(demo.WebhookSecret, "evt_cheap", "cs_cheap", "pi_cheap", "ppt", 42, 100, time.Now())
	for range 2 {
		code, err := h.Deliver(ctx, d)
		if err != nil || code != http.StatusOK {
			t.Fatalf("webhook: %d %v", code, err)
		}
		must(t, h.Step(ctx))
	}
	if _, err := h.App.Store().Enrollment(ctx, "ppt", 42); err == nil {
		t.Error("a payment of 1.00 CNY enrolled the buyer of a 199.00 CNY course")
	}
	ev, err := h.App.Store().Event(ctx, "evt_cheap")
	if err != nil || ev.Outcome != membership.OutcomeMismatch {
		t.Errorf("event kept as %+v (%v), want outcome %s", ev, err, membership.OutcomeMismatch)
	}
	for owner, want := range map[int64]string{h.Owner: "付款金额不符", english: "does not match"} {
		msgs := h.TG.BotMessages(owner)
		if len(msgs)-before[owner] != 1 {
			t.Fatalf("owner %d got %d new messages, want one alert\n%s", owner, len(msgs)-before[owner], h.Log)
		}
		last := msgs[len(msgs)-1].Text
		if !strings.Contains(last, want) || !strings.Contains(last, "1.00 CNY") || !strings.Contains(last, "199.00 CNY") {
			t.Errorf("owner %d alert %q", owner, last)
		}
	}
}

// 500 refunds and disputes of another product's payments on the same
// Stripe account (their PaymentIntents carry no shequn metadata) are
// dropped at once, and a real purchase made after them is applied in the
// same pass.
func TestForeignRefundsDoNotHoldBackEnrollment(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id := strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "payment_intent", "metadata": map[string]any{"shop_order": "x"}})
	}))
	defer srv.Close()
	h, err := demo.Start(t.Context(), func(cfg *config.Config, _ *app.Options) { cfg.StripeAPIURL = srv.URL })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := t.Context()
	for i := range 500 {
		d := stripetest.ChargeRefunded(demo.WebhookSecret, fmt.Sprint("evt_r", i), fmt.Sprint("ch_", i), fmt.Sprint("pi_shop_", i), 500, time.Now())
		if i%2 == 1 {
			d = stripetest.DisputeCreated(demo.WebhookSecret, fmt.Sprint("evt_d", i), fmt.Sprint("dp_", i), fmt.Sprint("ch_", i), fmt.Sprint("pi_shop_", i), 500, time.Now())
		}
		if code, err := h.Deliver(ctx, d); err != nil || code != http.StatusOK {
			t.Fatalf("foreign event %d: %d %v", i, code, err)
		}
	}
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "Buyer", LanguageCode: "en"})
	code, err := h.Deliver(ctx, stripetest.CheckoutCompleted(demo.WebhookSecret, "evt_real", "cs_real", "pi_real", "ppt", 42, 19900, time.Now().Add(time.Second)))
	if err != nil || code != http.StatusOK {
		t.Fatalf("purchase: %d %v", code, err)
	}
	must(t, h.App.RunJobs(ctx, h.Clock.Now()))
	if en, err := h.App.Store().Enrollment(ctx, "ppt", 42); err != nil || !en.Active() {
		t.Fatalf("the purchase waited behind other products' refunds: %+v %v", en, err)
	}
	if ev, err := h.App.Store().Event(ctx, "evt_r0"); err != nil || ev.Outcome != membership.OutcomeForeign {
		t.Errorf("foreign refund kept as %+v (%v)", ev, err)
	}
	if pending, _ := h.App.Store().PendingEvents(ctx, 10); len(pending) != 0 {
		t.Errorf("%d events still pending", len(pending))
	}
}

// Ten taps on Buy through the bot open one Checkout Session: every tap
// gets the same payment page while it is open.
func TestBuyTappedTenTimesOpensOneSession(t *testing.T) {
	var mu sync.Mutex
	created := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/checkout/sessions" {
			http.NotFound(w, r)
			return
		}
		r.ParseForm()
		mu.Lock()
		created++
		id := fmt.Sprintf("cs_test_%d", created)
		mu.Unlock()
		expires, _ := strconv.ParseInt(r.PostForm.Get("expires_at"), 10, 64)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "checkout.session", "status": "open",
			"url": "https://checkout.stripe.com/c/pay/" + id, "expires_at": expires})
	}))
	defer srv.Close()
	h, err := demo.Start(t.Context(), func(cfg *config.Config, opts *app.Options) {
		cfg.StripeAPIURL = srv.URL
		opts.Checkout = nil // the real Stripe client, against the fake
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := t.Context()
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "Buyer", LanguageCode: "en"})
	for range 10 {
		must(t, h.Say(ctx, 42, 42, "/start buy-ppt"))
		if url, ok := h.LinkButton(42, "https://checkout.stripe.com/"); !ok || url != "https://checkout.stripe.com/c/pay/cs_test_1" {
			t.Fatalf("tap answered with %q", url)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if created != 1 {
		t.Errorf("10 taps created %d sessions, want 1", created)
	}
}

// With two instances on one store, each triggering the daily
// reconciliation, Stripe is asked once a day, by one of them.
func TestStripeReconciliationRunsOnOneInstanceADay(t *testing.T) {
	var mu sync.Mutex
	lists := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lists++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/checkout/sessions", "has_more": false, "data": []any{}})
	}))
	defer srv.Close()
	h, err := demo.Start(t.Context(), func(cfg *config.Config, _ *app.Options) { cfg.StripeAPIURL = srv.URL })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	second, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	defer second.Close()
	count := func() int { mu.Lock(); defer mu.Unlock(); return lists }
	day := h.Clock.Now()
	for _, a := range []*app.App{h.App, second} {
		must(t, a.RunStripeReconcile(t.Context(), day))
	}
	if count() != 1 {
		t.Errorf("Stripe asked %d times on the first day, want once", count())
	}
	next := day.Add(24 * time.Hour)
	for _, a := range []*app.App{second, h.App} {
		must(t, a.RunStripeReconcile(t.Context(), next))
	}
	if count() != 2 {
		t.Errorf("Stripe asked %d times after two days, want twice", count())
	}
}
