package payments

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// An event signed with the empty key must not enroll anyone when no
// signing secret is configured: the webhook answers 503 and stores nothing.
func TestWebhookWithoutSecretRefusesEverything(t *testing.T) {
	recv := &memReceiver{}
	h := NewWebhookHandler("", recv, nil)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: completed, Secret: "", Timestamp: time.Now()})
	h.Now = func() time.Time { return testNow }
	req := httptest.NewRequest(http.MethodPost, "/stripe/webhook", bytes.NewReader(signed.Payload))
	req.Header.Set("Stripe-Signature", signed.Header)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if recv.calls != 0 || len(recv.events) != 0 {
		t.Errorf("stored %d events, want none", len(recv.events))
	}
}
