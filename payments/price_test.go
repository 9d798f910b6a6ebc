package payments

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shequn/shequn"
)

// fakePrices serves the Stripe Prices a test chooses; any other id is
// Stripe's 404 resource_missing.
func fakePrices(t *testing.T, prices map[string]map[string]any) (*Checkout, *countTransport) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p, ok := prices[strings.TrimPrefix(r.URL.Path, "/v1/prices/")]
		if r.Method != http.MethodGet || !ok {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "invalid_request_error",
				"code": "resource_missing", "message": "No such price"}})
			return
		}
		json.NewEncoder(w).Encode(p)
	}))
	t.Cleanup(srv.Close)
	ct := &countTransport{}
	return NewCheckout("sk_test_123", srv.URL, &http.Client{Transport: ct}, "https://t.me", "https://t.me"), ct
}

// A course's price is checked against a Stripe Price with a fixed unit
// amount of at least one minor unit and a currency; any other Price, or
// one Stripe does not know, cannot check a payment. Only a usable answer
// is kept.
func TestPriceMustHaveAFixedAmount(t *testing.T) {
	price := func(amount any, currency string) map[string]any {
		return map[string]any{"id": "price_x", "object": "price", "unit_amount": amount, "currency": currency}
	}
	c, ct := fakePrices(t, map[string]map[string]any{
		"price_one":      price(1, "CNY"),
		"price_free":     price(0, "cny"),
		"price_custom":   price(nil, "cny"),
		"price_currency": price(9900, ""),
	})
	for _, tc := range []struct {
		id       string
		amount   int64
		currency string
		code     shequn.Code
	}{
		{"price_one", 1, "cny", ""},
		{"price_free", 0, "", shequn.CodeInternal},
		{"price_custom", 0, "", shequn.CodeInternal},
		{"price_currency", 0, "", shequn.CodeInternal},
		{"price_gone", 0, "", shequn.CodeInternal},
	} {
		for range 2 {
			amount, currency, err := c.Price(t.Context(), tc.id)
			if amount != tc.amount || currency != tc.currency || shequn.ErrorCode(err) != tc.code {
				t.Errorf("Price(%s) = %d %q %v; want %d %q code %q", tc.id, amount, currency, err, tc.amount, tc.currency, tc.code)
			}
		}
		want := 2
		if tc.code == "" {
			want = 1 // kept after the first answer
		}
		if n := ct.count("GET /v1/prices/" + tc.id); n != want {
			t.Errorf("%s asked %d times, want %d", tc.id, n, want)
		}
	}
	if _, _, err := c.Price(t.Context(), "price_gone"); err == nil || !strings.Contains(err.Error(), "price_gone") {
		t.Errorf("the error does not name the price: %v", err)
	}
}
