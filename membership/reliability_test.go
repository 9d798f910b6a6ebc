package membership_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

var (
	t0  = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	ppt = membership.Course{ID: "ppt", Title: "PPT", Prefix: "PPT", Amount: 19900, Currency: "cny"}
)

// seats records the enrollments seated; panicFor makes Seat panic for
// one user.
type seats struct {
	mu       sync.Mutex
	seated   []int64
	panicFor int64
}

func (s *seats) Seat(_ context.Context, e membership.Enrollment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.UserID == s.panicFor {
		panic("seat exploded")
	}
	s.seated = append(s.seated, e.UserID)
	return nil
}

func (s *seats) Release(context.Context, membership.Enrollment) error { return nil }

func (s *seats) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seated)
}

// origins knows shequn's payment intents by their "pi_shequn" prefix, as
// Stripe's metadata would tell.
type origins struct{}

func (origins) Ours(_ context.Context, pi string) (string, bool, error) {
	return "ppt", strings.HasPrefix(pi, "pi_shequn"), nil
}

type env struct {
	db    *sqlite.DB
	svc   *membership.Service
	seats *seats
	log   *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, seats: &seats{}, log: &bytes.Buffer{}}
	e.svc = &membership.Service{
		Store: db, Inbox: db, Seats: e.seats, Courses: map[string]membership.Course{"ppt": ppt},
		Now: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(&lockedWriter{w: e.log}, nil)),
		Origins: origins{},
	}
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *env) receive(t *testing.T, pe membership.PaymentEvent) {
	t.Helper()
	if _, err := e.svc.Receive(t.Context(), pe); err != nil {
		t.Fatal(err)
	}
}

func purchase(id string, user int64, amount int64, currency string, created time.Time) membership.PaymentEvent {
	return membership.PaymentEvent{ID: "evt_" + id, Kind: membership.EventPaid, OrderID: "cs_" + id, PaymentIntent: "pi_shequn_" + id,
		Course: "ppt", UserID: user, Amount: amount, Currency: currency, Created: created, Received: created}
}

// 500 refunds and disputes of another product's payments, older than a
// real purchase, are dropped at once with a record, and the purchase is
// applied in the same pass.
func TestForeignEventsNeverBlock(t *testing.T) {
	e := newEnv(t)
	for i := range 500 {
		kind := membership.EventRefunded
		if i%2 == 1 {
			kind = membership.EventDisputed
		}
		e.receive(t, membership.PaymentEvent{ID: fmt.Sprintf("evt_foreign_%d", i), Kind: kind,
			PaymentIntent: fmt.Sprintf("pi_other_%d", i), Created: t0.Add(-time.Hour), Received: t0.Add(-time.Hour)})
	}
	e.receive(t, purchase("real", 42, 19900, "cny", t0))
	if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if en, err := e.db.Enrollment(t.Context(), "ppt", 42); err != nil || !en.Active() || e.seats.count() != 1 {
		t.Fatalf("the real purchase was not applied: %+v %v, seated %d", en, err, e.seats.count())
	}
	for _, id := range []string{"evt_foreign_0", "evt_foreign_499"} {
		ev, err := e.db.Event(t.Context(), id)
		if err != nil || ev.Outcome != membership.OutcomeForeign || ev.Processed.IsZero() {
			t.Errorf("%s kept as %+v (%v), want processed as foreign", id, ev, err)
		}
	}
	if pending, _ := e.db.PendingEvents(t.Context(), 10); len(pending) != 0 {
		t.Errorf("%d events still pending", len(pending))
	}
}

// Refunds of shequn's own payments that have not arrived yet wait; however
// many wait, a later purchase is applied in the same pass.
func TestWaitingEventsNeverBlock(t *testing.T) {
	e := newEnv(t)
	for i := range 1200 {
		e.receive(t, membership.PaymentEvent{ID: fmt.Sprintf("evt_wait_%04d", i), Kind: membership.EventRefunded,
			PaymentIntent: fmt.Sprintf("pi_shequn_late_%d", i), Course: "ppt", Created: t0.Add(-time.Hour), Received: t0.Add(-time.Hour)})
	}
	e.receive(t, purchase("real", 42, 19900, "cny", t0))
	if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if en, err := e.db.Enrollment(t.Context(), "ppt", 42); err != nil || !en.Active() {
		t.Fatalf("the purchase waited behind refunds: %+v %v", en, err)
	}
	if pending, _ := e.db.PendingEvents(t.Context(), 2000); len(pending) != 1200 {
		t.Errorf("%d events pending, want the 1200 refunds waiting for their payment", len(pending))
	}
	// After Stripe's retry span they are put aside.
	if err := e.svc.ProcessPending(t.Context(), t0.Add(73*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ev, _ := e.db.Event(t.Context(), "evt_wait_0000"); ev.Outcome != membership.OutcomeUnknownPayment {
		t.Errorf("after 72 h: outcome %q, want %q", ev.Outcome, membership.OutcomeUnknownPayment)
	}
}

// A panic while applying a payment is logged; the process goes on, the
// other purchases are applied and the event stays pending for a later pass.
func TestPanicWhileApplyingIsRecovered(t *testing.T) {
	e := newEnv(t)
	e.seats.panicFor = 7
	e.receive(t, purchase("boom", 7, 19900, "cny", t0))
	e.receive(t, purchase("fine", 8, 19900, "cny", t0))
	if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.log.String(), "panic while applying a payment event") || !strings.Contains(e.log.String(), "seat exploded") {
		t.Errorf("panic not logged:\n%s", e.log.String())
	}
	if e.seats.count() != 1 {
		t.Errorf("seated %d, want the other buyer", e.seats.count())
	}
	if ev, _ := e.db.Event(t.Context(), "evt_boom"); !ev.Processed.IsZero() {
		t.Errorf("the event that panicked was finished: %+v", ev)
	}
	e.seats.panicFor = 0
	if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if ev, _ := e.db.Event(t.Context(), "evt_boom"); ev.Outcome != membership.OutcomeEnrolled {
		t.Errorf("retried event outcome %q", ev.Outcome)
	}
}

// notices records what the owners were told.
type notices struct {
	mu   sync.Mutex
	sent []string
}

func (n *notices) Tell(_ context.Context, userID int64, nt shequn.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, fmt.Sprintf("%d:%s:%+v", userID, nt.NoticeName(), nt))
	return nil
}

type prices map[string][2]any

func (p prices) Price(_ context.Context, id string) (int64, string, error) {
	v, ok := p[id]
	if !ok {
		return 0, "", fmt.Errorf("no such price %s", id)
	}
	return v[0].(int64), v[1].(string), nil
}

// A payment of the wrong amount or currency enrolls nobody, is kept marked
// in the store and alerts each owner once.
func TestPaymentMustMatchThePrice(t *testing.T) {
	e := newEnv(t)
	told := &notices{}
	e.svc.Notifier, e.svc.Owners = told, []int64{1000, 1001}
	e.svc.Prices = prices{"price_xls": {int64(5000), "usd"}}
	e.svc.Courses["xls"] = membership.Course{ID: "xls", Title: "Excel", Prefix: "XLS", StripePrice: "price_xls"}
	e.receive(t, purchase("cheap", 1, 100, "cny", t0))
	e.receive(t, purchase("currency", 2, 19900, "usd", t0))
	good := purchase("xls", 3, 5000, "USD", t0)
	good.Course = "xls"
	e.receive(t, good)
	bad := purchase("xlsbad", 4, 5000, "eur", t0)
	bad.Course = "xls"
	e.receive(t, bad)
	for range 2 {
		if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		course string
		user   int64
		event  string
		ok     bool
	}{{"ppt", 1, "evt_cheap", false}, {"ppt", 2, "evt_currency", false}, {"xls", 3, "evt_xls", true}, {"xls", 4, "evt_xlsbad", false}} {
		_, err := e.db.Enrollment(t.Context(), c.course, c.user)
		if (err == nil) != c.ok {
			t.Errorf("user %d enrolled = %v, want %v", c.user, err == nil, c.ok)
		}
		ev, _ := e.db.Event(t.Context(), c.event)
		want := membership.OutcomeMismatch
		if c.ok {
			want = membership.OutcomeEnrolled
		}
		if ev.Outcome != want {
			t.Errorf("%s outcome %q, want %q", c.event, ev.Outcome, want)
		}
	}
	if len(told.sent) != 6 {
		t.Fatalf("owners told %d times, want 3 mismatches × 2 owners once:\n%s", len(told.sent), strings.Join(told.sent, "\n"))
	}
	if !strings.Contains(told.sent[0], "payment_mismatch") {
		t.Errorf("notice %s", told.sent[0])
	}
}
