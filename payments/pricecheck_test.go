package payments

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

type noSeats struct{}

func (noSeats) Seat(context.Context, membership.Enrollment) error    { return nil }
func (noSeats) Release(context.Context, membership.Enrollment) error { return nil }

// For a course sold at a Stripe Price, what was paid is checked against
// the price Stripe (here stripe-mock) reports.
func TestStripePriceCourseIsChecked(t *testing.T) {
	c := NewCheckout("sk_test_123", stripeMockURL(t), &http.Client{}, "https://t.me", "https://t.me")
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	amount, currency, err := c.Price(ctx, excelCourse.StripePrice)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	svc := &membership.Service{Store: db, Inbox: db, Seats: noSeats{}, Courses: map[string]membership.Course{"excel": excelCourse},
		Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), Prices: c, Origins: c}
	for _, e := range []membership.PaymentEvent{
		{ID: "evt_ok", Kind: membership.EventPaid, OrderID: "cs_ok", Course: "excel", UserID: 1, Amount: amount, Currency: currency, Created: now},
		{ID: "evt_bad", Kind: membership.EventPaid, OrderID: "cs_bad", Course: "excel", UserID: 2, Amount: amount - 1, Currency: currency, Created: now},
	} {
		if _, err := svc.Receive(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.ProcessPending(ctx, now); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"evt_ok": membership.OutcomeEnrolled, "evt_bad": membership.OutcomeMismatch} {
		if ev, err := db.Event(ctx, id); err != nil || ev.Outcome != want {
			t.Errorf("%s: outcome %q (%v), want %q", id, ev.Outcome, err, want)
		}
	}
	if _, err := db.Enrollment(ctx, "excel", 2); err == nil {
		t.Error("a payment below the price enrolled the buyer")
	}
}
