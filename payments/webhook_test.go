package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

const testSecret = "whsec_test_SECRETVALUE"

// memReceiver is an in-memory Receiver deduplicating by event id.
type memReceiver struct {
	mu     sync.Mutex
	calls  int
	events []membership.PaymentEvent
	err    error
}

func (m *memReceiver) Receive(_ context.Context, e membership.PaymentEvent) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return false, m.err
	}
	for _, old := range m.events {
		if old.ID == e.ID {
			return false, nil
		}
	}
	m.events = append(m.events, e)
	return true, nil
}

func event(id, typ string, obj map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion,
		"created": 1700000000, "livemode": false, "data": map[string]any{"object": obj},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func session(status string, extra map[string]any) map[string]any {
	s := map[string]any{
		"id": "cs_test_1", "object": "checkout.session", "mode": "payment", "payment_status": status,
		"payment_intent": "pi_1", "client_reference_id": "42", "amount_total": 9900, "currency": "cny",
		"metadata": map[string]any{"course": "ppt", "telegram_user_id": "42"},
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

func charge(amount, refunded int64, full bool) map[string]any {
	return map[string]any{"id": "ch_1", "object": "charge", "amount": amount, "amount_refunded": refunded,
		"refunded": full, "payment_intent": "pi_1", "currency": "cny"}
}

var (
	completed = event("evt_paid", "checkout.session.completed", session("paid", nil))
	testNow   = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
)

type delivery struct {
	method  string
	payload []byte
	secret  string // signing secret; "" = unsigned
	age     time.Duration
	header  string // replaces the computed signature header when set
}

func (d delivery) request() *http.Request {
	method := d.method
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, "/stripe/webhook", bytes.NewReader(d.payload))
	if d.secret != "" {
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: d.payload, Secret: d.secret, Timestamp: time.Now().Add(-d.age)})
		r.Header.Set("Stripe-Signature", sp.Header)
	}
	if d.header != "" {
		r.Header.Set("Stripe-Signature", d.header)
	}
	return r
}

func newHandler(recv Receiver) (*WebhookHandler, *bytes.Buffer, *int) {
	var logs bytes.Buffer
	h := NewWebhookHandler(testSecret, recv, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h.Now = func() time.Time { return testNow }
	notified := new(int)
	h.Notify = func() { *notified++ }
	return h, &logs, notified
}

func TestWebhook(t *testing.T) {
	tests := []struct {
		name       string
		d          delivery
		recvErr    error
		wantStatus int
		want       *membership.PaymentEvent // the event stored, if any
		wantCalls  int
		wantLog    []string
	}{
		{name: "completed paid", d: delivery{payload: completed, secret: testSecret}, wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_paid", Kind: membership.EventPaid, OrderID: "cs_test_1", PaymentIntent: "pi_1",
				Course: "ppt", UserID: 42, Amount: 9900, Currency: "cny", Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "completed unpaid ignored", d: delivery{payload: event("evt_u", "checkout.session.completed", session("unpaid", nil)), secret: testSecret},
			wantStatus: 200},
		{name: "async payment succeeded", d: delivery{payload: event("evt_async", "checkout.session.async_payment_succeeded", session("paid", nil)), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_async", Kind: membership.EventPaid, OrderID: "cs_test_1", PaymentIntent: "pi_1",
				Course: "ppt", UserID: 42, Amount: 9900, Currency: "cny", Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "user from metadata", d: delivery{payload: event("evt_meta", "checkout.session.completed", session("paid", map[string]any{"client_reference_id": nil})), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_meta", Kind: membership.EventPaid, OrderID: "cs_test_1", PaymentIntent: "pi_1",
				Course: "ppt", UserID: 42, Amount: 9900, Currency: "cny", Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "QQ buyer", d: delivery{payload: event("evt_qq", "checkout.session.completed", session("paid", map[string]any{
			"client_reference_id": "qq:10001", "metadata": map[string]any{"course": "ppt", "telegram_user_id": "qq:10001"}})), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_qq", Kind: membership.EventPaid, OrderID: "cs_test_1", PaymentIntent: "pi_1",
				Course: "ppt", UserID: shequn.QQUser(10001), Amount: 9900, Currency: "cny", Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "foreign checkout recorded", d: delivery{payload: event("evt_f", "checkout.session.completed",
			session("paid", map[string]any{"client_reference_id": nil, "metadata": map[string]any{}})), secret: testSecret},
			wantStatus: 200, wantCalls: 1, wantLog: []string{"level=WARN", "another product"},
			want: &membership.PaymentEvent{ID: "evt_f", Kind: membership.EventForeign, OrderID: "cs_test_1", PaymentIntent: "pi_1",
				Amount: 9900, Currency: "cny", Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "forged signature", d: delivery{payload: completed, header: "t=1700000000,v1=" + strings.Repeat("ab", 32)}, wantStatus: 400,
			wantLog: []string{"bad signature"}},
		{name: "unsigned", d: delivery{payload: completed}, wantStatus: 400},
		{name: "wrong secret", d: delivery{payload: completed, secret: "whsec_other"}, wantStatus: 400},
		{name: "ten minutes old", d: delivery{payload: completed, secret: testSecret, age: 10 * time.Minute}, wantStatus: 400},
		{name: "tampered body", d: delivery{payload: completed, secret: testSecret}, wantStatus: 400},
		{name: "api version mismatch", d: delivery{payload: bytes.Replace(completed, []byte(stripe.APIVersion), []byte("2024-06-20"), 1), secret: testSecret},
			wantStatus: 400, wantLog: []string{"level=ERROR", "stripe webhook endpoint sends API version 2024-06-20 but shequn is built for 2023-10-16: pin the endpoint's API version to 2023-10-16"}},
		{name: "partial refund ignored", d: delivery{payload: event("evt_pr", "charge.refunded", charge(9900, 100, false)), secret: testSecret}, wantStatus: 200},
		{name: "full refund", d: delivery{payload: event("evt_fr", "charge.refunded", charge(9900, 9900, true)), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_fr", Kind: membership.EventRefunded, PaymentIntent: "pi_1", Amount: 9900, Currency: "cny",
				Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "refunds adding up", d: delivery{payload: event("evt_fr2", "charge.refunded", charge(9900, 9900, false)), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_fr2", Kind: membership.EventRefunded, PaymentIntent: "pi_1", Amount: 9900, Currency: "cny",
				Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "dispute", d: delivery{payload: event("evt_dp", "charge.dispute.created",
			map[string]any{"id": "dp_1", "object": "dispute", "amount": 9900, "currency": "cny", "charge": "ch_1", "payment_intent": "pi_1"}), secret: testSecret},
			wantStatus: 200, wantCalls: 1,
			want: &membership.PaymentEvent{ID: "evt_dp", Kind: membership.EventDisputed, PaymentIntent: "pi_1", Amount: 9900, Currency: "cny",
				Created: time.Unix(1700000000, 0), Received: testNow}},
		{name: "other type ignored", d: delivery{payload: event("evt_o", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}), secret: testSecret},
			wantStatus: 200},
		{name: "oversize body", d: delivery{payload: append(bytes.Repeat([]byte(" "), MaxWebhookBody), completed...), secret: testSecret}, wantStatus: 413},
		{name: "GET", d: delivery{method: http.MethodGet}, wantStatus: 405},
		{name: "receive invalid", d: delivery{payload: completed, secret: testSecret}, recvErr: shequn.Errorf(shequn.CodeInvalid, "bad"),
			wantStatus: 400, wantCalls: 1},
		{name: "receive fails", d: delivery{payload: completed, secret: testSecret}, recvErr: errors.New("disk full"),
			wantStatus: 500, wantCalls: 1, wantLog: []string{"level=ERROR", "disk full"}},
		// The error table answers, not the handler: a store that is down
		// is 503, an event that depends on one not stored yet too.
		{name: "receive unavailable", d: delivery{payload: completed, secret: testSecret},
			recvErr:    &shequn.Error{Code: shequn.CodeUnavailable, Err: errors.New("store down")},
			wantStatus: 503, wantCalls: 1, wantLog: []string{"level=ERROR", "store down"}},
		{name: "receive not yet", d: delivery{payload: completed, secret: testSecret}, recvErr: shequn.Errorf(shequn.CodeNotYet, "later"),
			wantStatus: 503, wantCalls: 1, wantLog: []string{"level=WARN", "not_yet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := &memReceiver{err: tt.recvErr}
			h, logs, notified := newHandler(recv)
			r := tt.d.request()
			if tt.name == "tampered body" {
				r = httptest.NewRequest(http.MethodPost, "/stripe/webhook", bytes.NewReader(bytes.Replace(completed, []byte("9900"), []byte("1"), 1)))
				r.Header.Set("Stripe-Signature", tt.d.request().Header.Get("Stripe-Signature"))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d; log:\n%s", w.Code, tt.wantStatus, logs)
			}
			if recv.calls != tt.wantCalls {
				t.Errorf("Receive called %d times, want %d", recv.calls, tt.wantCalls)
			}
			switch {
			case tt.want == nil && len(recv.events) > 0:
				t.Errorf("stored %+v", recv.events)
			case tt.want != nil && (len(recv.events) != 1 || recv.events[0] != *tt.want):
				t.Errorf("stored %+v\nwant     %+v", recv.events, *tt.want)
			}
			if *notified != len(recv.events) {
				t.Errorf("Notify called %d times for %d new events", *notified, len(recv.events))
			}
			for _, s := range tt.wantLog {
				if !strings.Contains(logs.String(), s) {
					t.Errorf("log lacks %q:\n%s", s, logs)
				}
			}
			if strings.Contains(logs.String(), testSecret) || strings.Contains(logs.String(), "v1=") {
				t.Errorf("log leaks the secret or signature:\n%s", logs)
			}
			if tt.name == "api version mismatch" && strings.Count(logs.String(), "level=ERROR") != 1 {
				t.Errorf("want one error line:\n%s", logs)
			}
		})
	}
}

func TestWebhookDuplicates(t *testing.T) {
	recv := &memReceiver{}
	h, _, notified := newHandler(recv)
	for i := range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, delivery{payload: completed, secret: testSecret}.request())
		if w.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i+1, w.Code)
		}
	}
	if recv.calls != 3 || len(recv.events) != 1 || *notified != 1 {
		t.Errorf("calls %d, stored %d, notified %d; want 3, 1, 1", recv.calls, len(recv.events), *notified)
	}
}

// TestWebhookService runs the handler against membership.Service with the
// same in-memory inbox, checking that the real Receive is satisfied.
func TestWebhookService(t *testing.T) {
	inbox := &memInbox{}
	svc := &membership.Service{Inbox: inbox, Now: func() time.Time { return testNow }, Log: slog.New(slog.DiscardHandler)}
	h := NewWebhookHandler(testSecret, svc, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, delivery{payload: completed, secret: testSecret}.request())
	if w.Code != http.StatusOK || len(inbox.recv.events) != 1 {
		t.Fatalf("status %d, stored %d", w.Code, len(inbox.recv.events))
	}
}

type memInbox struct {
	membership.EventInbox
	recv memReceiver
}

func (m *memInbox) AddEvent(ctx context.Context, e membership.PaymentEvent) (bool, error) {
	return m.recv.Receive(ctx, e)
}
