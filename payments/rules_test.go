package payments

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// Edge cases of the translation, each at the boundary of its rule.
func TestWebhookBoundaries(t *testing.T) {
	tests := []struct {
		name     string
		payload  []byte
		wantUser int64 // 0: stored only as another product's payment
	}{
		{"user 0 in client_reference_id, the id in the metadata", event("evt_ref0", "checkout.session.completed",
			session("paid", map[string]any{"client_reference_id": "0"})), 42},
		{"a course but no user: another product's checkout", event("evt_nouser", "checkout.session.completed",
			session("paid", map[string]any{"client_reference_id": "0", "metadata": map[string]any{"course": "ppt"}})), 0},
		{"a negative user", event("evt_neg", "checkout.session.completed",
			session("paid", map[string]any{"client_reference_id": "-5", "metadata": map[string]any{"course": "ppt"}})), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := &memReceiver{}
			h, logs, _ := newHandler(recv)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, delivery{payload: tt.payload, secret: testSecret}.request())
			if w.Code != http.StatusOK {
				t.Fatalf("status %d; log:\n%s", w.Code, logs)
			}
			switch {
			case len(recv.events) != 1:
				t.Errorf("stored %+v, want one event", recv.events)
			case tt.wantUser == 0 && (recv.events[0].Kind != membership.EventForeign || recv.events[0].UserID != 0):
				t.Errorf("stored %+v, want a foreign payment with no user", recv.events[0])
			case tt.wantUser != 0 && (recv.events[0].Kind != membership.EventPaid || recv.events[0].UserID != tt.wantUser):
				t.Errorf("stored %+v, want a payment of user %d", recv.events[0], tt.wantUser)
			}
		})
	}
}

// A charge of nothing, not marked refunded, is not a full refund.
func TestZeroChargeIsNoRefund(t *testing.T) {
	recv := &memReceiver{}
	h, _, _ := newHandler(recv)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, delivery{payload: event("evt_zero", "charge.refunded", charge(0, 0, false)), secret: testSecret}.request())
	if w.Code != http.StatusOK || recv.calls != 0 {
		t.Errorf("status %d, stored %+v", w.Code, recv.events)
	}
}

// Every 5xx of Stripe means "try again later", whatever its error type.
func TestCheckoutServerErrorIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Stripe-Should-Retry", "false")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"odd"}}`)
	}))
	defer srv.Close()
	co := NewCheckout("sk_test_123", srv.URL, srv.Client(), "https://t.me", "https://t.me")
	if _, _, err := co.CreateSession(context.Background(), pptCourse, 42); shequn.ErrorCode(err) != shequn.CodeUnavailable {
		t.Errorf("500: %v, want unavailable", err)
	}
}
