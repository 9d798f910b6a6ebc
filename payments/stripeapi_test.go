package payments

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// countTransport counts the requests per path it passes on.
type countTransport struct {
	mu    sync.Mutex
	paths map[string]int
}

func (c *countTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.paths == nil {
		c.paths = map[string]int{}
	}
	c.paths[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countTransport) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[key]
}

func TestLookupsAgainstStripeMock(t *testing.T) {
	ct := &countTransport{}
	c := NewCheckout("sk_test_123", stripeMockURL(t), &http.Client{Transport: ct}, "https://t.me", "https://t.me")
	ctx := t.Context()
	amount, currency, err := c.Price(ctx, "price_1OabcExcel")
	if err != nil || amount <= 0 || len(currency) != 3 {
		t.Fatalf("Price = %d %q %v", amount, currency, err)
	}
	again, _, err := c.Price(ctx, "price_1OabcExcel")
	if err != nil || again != amount || ct.count("GET /v1/prices/price_1OabcExcel") != 1 {
		t.Errorf("second Price = %d %v after %d calls; a price never changes, so it is asked once", again, err, ct.count("GET /v1/prices/price_1OabcExcel"))
	}
	// stripe-mock's PaymentIntent has no shequn metadata: another product's.
	if course, ours, err := c.Ours(ctx, "pi_123"); err != nil || ours || course != "" {
		t.Errorf("Ours = %q %v %v, want not ours", course, ours, err)
	}
	if _, err := c.CompletedPayments(ctx, time.Now().Add(-membership.ReconcileWindow)); err != nil {
		t.Errorf("CompletedPayments: %v", err)
	}
	if ct.count("GET /v1/checkout/sessions") != 1 {
		t.Errorf("sessions listed %d times", ct.count("GET /v1/checkout/sessions"))
	}
}

// fakeStripe serves the Checkout Sessions and PaymentIntents a test
// chooses, paging the list the way Stripe does (limit, starting_after,
// has_more).
type fakeStripe struct {
	sessions []map[string]any
	intents  map[string]map[string]any
	mu       sync.Mutex
	queries  []string
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/checkout/sessions":
		f.mu.Lock()
		f.queries = append(f.queries, r.URL.RawQuery)
		f.mu.Unlock()
		q := r.URL.Query()
		start := 0
		if after := q.Get("starting_after"); after != "" {
			for i, s := range f.sessions {
				if s["id"] == after {
					start = i + 1
				}
			}
		}
		const page = 2
		end := min(start+page, len(f.sessions))
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/checkout/sessions",
			"has_more": end < len(f.sessions), "data": f.sessions[start:end]})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payment_intents/"):
		pi, ok := f.intents[strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "invalid_request_error",
				"code": "resource_missing", "message": "No such payment_intent"}})
			return
		}
		json.NewEncoder(w).Encode(pi)
	default:
		http.NotFound(w, r)
	}
}

func fakeSession(id, status, paid string, user int64, course string) map[string]any {
	s := map[string]any{"id": id, "object": "checkout.session", "mode": "payment", "status": status, "payment_status": paid,
		"payment_intent": "pi_" + id, "amount_total": 19900, "currency": "cny", "created": 1700000000, "metadata": map[string]any{}}
	if course != "" {
		s["client_reference_id"] = itoa(user)
		s["metadata"] = map[string]any{"course": course, "telegram_user_id": itoa(user)}
	}
	return s
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestCompletedPaymentsPagesThroughSessions(t *testing.T) {
	f := &fakeStripe{sessions: []map[string]any{
		fakeSession("cs_a", "complete", "paid", 1, "ppt"),
		fakeSession("cs_b", "complete", "unpaid", 2, "ppt"), // a delayed method, not paid yet
		fakeSession("cs_c", "complete", "paid", 0, ""),      // another product
		fakeSession("cs_d", "complete", "paid", 4, "ppt"),
		fakeSession("cs_e", "complete", "no_payment_required", 5, "ppt"),
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := NewCheckout("sk_test_123", srv.URL, nil, "https://t.me", "https://t.me")
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	events, err := c.CompletedPayments(t.Context(), since)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].OrderID != "cs_a" || events[1].OrderID != "cs_d" {
		t.Fatalf("events %+v, want cs_a and cs_d", events)
	}
	e := events[1]
	want := membership.PaymentEvent{ID: "session:cs_d", Kind: membership.EventPaid, OrderID: "cs_d", PaymentIntent: "pi_cs_d",
		Course: "ppt", UserID: 4, Amount: 19900, Currency: "cny", Created: time.Unix(1700000000, 0)}
	if e != want {
		t.Errorf("event %+v, want %+v", e, want)
	}
	if len(f.queries) != 3 {
		t.Errorf("%d list requests, want 3 pages of 2", len(f.queries))
	}
	if q, _ := url.ParseQuery(f.queries[0]); q.Get("status") != "complete" || q.Get("created[gte]") != "1777593600" {
		t.Errorf("first query %q lacks the status or the created range", q)
	}
}

func TestOursReadsThePaymentIntentsMetadata(t *testing.T) {
	f := &fakeStripe{intents: map[string]map[string]any{
		"pi_ours":  {"id": "pi_ours", "object": "payment_intent", "metadata": map[string]any{"course": "ppt", "telegram_user_id": "5"}},
		"pi_other": {"id": "pi_other", "object": "payment_intent", "metadata": map[string]any{"order": "shop-1"}},
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := NewCheckout("sk_test_123", srv.URL, nil, "https://t.me", "https://t.me")
	for pi, want := range map[string]bool{"pi_ours": true, "pi_other": false, "pi_gone": false} {
		course, ours, err := c.Ours(t.Context(), pi)
		if err != nil || ours != want || (ours && course != "ppt") {
			t.Errorf("Ours(%s) = %q %v %v, want %v", pi, course, ours, err, want)
		}
	}
	srv.Close()
	if course, ours, err := c.Ours(t.Context(), "pi_ours"); err != nil || !ours || course != "ppt" {
		t.Errorf("a known answer is kept: %q %v %v", course, ours, err)
	}
	if _, _, err := c.Ours(t.Context(), "pi_other"); shequn.ErrorCode(err) != shequn.CodeUnavailable {
		t.Errorf("Stripe down: %v, want unavailable (the event waits)", err)
	}
}
