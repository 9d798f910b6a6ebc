package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// CheckoutSessions has the method set of payments.SessionStore, declared
// here so that the suite does not pull in stripe-go.
type CheckoutSessions interface {
	SaveCheckoutSession(ctx context.Context, s membership.CheckoutSession) error
	CheckoutSession(ctx context.Context, course string, userID int64) (membership.CheckoutSession, error)
}

// PaymentStores is what the payment contract needs beyond Stores.
type PaymentStores interface {
	Stores
	membership.EventLog
	CheckoutSessions
}

// RunPayments runs the payment-reliability contract.
func RunPayments(t *testing.T, open func(t *testing.T) PaymentStores) {
	tests := []struct {
		name string
		run  func(t *testing.T, s PaymentStores)
	}{
		{"PendingEventsAfter", testPendingEventsAfter},
		{"EventOutcome", testEventOutcome},
		{"CheckoutSessions", testCheckoutSessions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// A pass walks past events that wait: paging with a cursor visits every
// pending event once, in order, also events with equal or missing times.
func testPendingEventsAfter(t *testing.T, s PaymentStores) {
	ctx := t.Context()
	var want []string
	for i := range 7 {
		e := membership.PaymentEvent{ID: fmt.Sprintf("evt_%d", i), Kind: membership.EventRefunded,
			PaymentIntent: "pi_x", Created: at(i / 3), Received: at(10)}
		if i == 0 {
			e.Created, e.Received = at(0).Add(-1), at(0).Add(-1)
		}
		must(s.AddEvent(ctx, e))(t)
		want = append(want, e.ID)
	}
	ok(t, s.FinishEvent(ctx, "evt_4", "foreign", at(20)))
	want = slices.DeleteFunc(want, func(id string) bool { return id == "evt_4" })
	var got []string
	var after membership.PaymentEvent
	for range 10 {
		page := must(s.PendingEventsAfter(ctx, after, 2))(t)
		got = append(got, eventIDs(page)...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged pending events %v, want %v", got, want)
	}
	if first := eventIDs(must(s.PendingEventsAfter(ctx, membership.PaymentEvent{}, 3))(t)); !slices.Equal(first, want[:3]) {
		t.Errorf("first page %v, want %v", first, want[:3])
	}
}

// A processed event stays readable with its outcome: an operator can see
// a payment that was put aside.
func testEventOutcome(t *testing.T, s PaymentStores) {
	ctx := t.Context()
	e := membership.PaymentEvent{ID: "evt_m", Kind: membership.EventPaid, OrderID: "cs_m", PaymentIntent: "pi_m",
		Course: "ppt", UserID: 9, Amount: 100, Currency: "cny", Created: at(1), Received: at(2)}
	must(s.AddEvent(ctx, e))(t)
	got := must(s.Event(ctx, "evt_m"))(t)
	if got.Outcome != "" || !got.Processed.IsZero() || got.Amount != 100 || got.OrderID != "cs_m" {
		t.Errorf("pending event read back as %+v", got)
	}
	ok(t, s.FinishEvent(ctx, "evt_m", membership.OutcomeMismatch, at(3)))
	got = must(s.Event(ctx, "evt_m"))(t)
	if got.Outcome != membership.OutcomeMismatch || got.Kind != membership.EventPaid || got.UserID != 9 {
		t.Errorf("finished event read back as %+v", got)
	}
	sameTime(t, "Processed", got.Processed, at(3))
	_, err := s.Event(ctx, "evt_none")
	isErr(t, "unknown event", err, shequn.ErrNotFound)
}

// The newest session of a buyer and course is kept, one per pair.
func testCheckoutSessions(t *testing.T, s PaymentStores) {
	ctx := t.Context()
	_, err := s.CheckoutSession(ctx, "ppt", 7)
	isErr(t, "no session yet", err, shequn.ErrNotFound)
	first := membership.CheckoutSession{Course: "ppt", UserID: 7, ID: "cs_1", URL: "https://checkout.stripe.com/c/pay/cs_1", ExpiresAt: at(60)}
	ok(t, s.SaveCheckoutSession(ctx, first))
	ok(t, s.SaveCheckoutSession(ctx, membership.CheckoutSession{Course: "xls", UserID: 7, ID: "cs_x", URL: "u", ExpiresAt: at(60)}))
	ok(t, s.SaveCheckoutSession(ctx, membership.CheckoutSession{Course: "ppt", UserID: 8, ID: "cs_8", URL: "u", ExpiresAt: at(60)}))
	got := must(s.CheckoutSession(ctx, "ppt", 7))(t)
	if got.ID != first.ID || got.URL != first.URL || got.Course != "ppt" || got.UserID != 7 {
		t.Errorf("session %+v, want %+v", got, first)
	}
	sameTime(t, "ExpiresAt", got.ExpiresAt, first.ExpiresAt)
	second := membership.CheckoutSession{Course: "ppt", UserID: 7, ID: "cs_2", URL: "https://checkout.stripe.com/c/pay/cs_2", ExpiresAt: at(120)}
	ok(t, s.SaveCheckoutSession(ctx, second))
	got = must(s.CheckoutSession(ctx, "ppt", 7))(t)
	if got.ID != "cs_2" || got.URL != second.URL {
		t.Errorf("after a new session: %+v, want %+v", got, second)
	}
	sameTime(t, "ExpiresAt", got.ExpiresAt, second.ExpiresAt)
	if other := must(s.CheckoutSession(ctx, "xls", 7))(t); other.ID != "cs_x" {
		t.Errorf("another course's session: %+v", other)
	}
}
