package membership_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// listing is the provider's list of completed payments: it returns events
// and records the since it was asked for.
type listing struct {
	events []membership.PaymentEvent
	err    error
	since  []time.Time
}

func (l *listing) CompletedPayments(_ context.Context, since time.Time) ([]membership.PaymentEvent, error) {
	l.since = append(l.since, since)
	return l.events, l.err
}

// Payments whose webhook never arrived are stored as pending events, once;
// a payment whose order is stored (the webhook came) is skipped, even when
// its buyer has other orders too.
func TestReconcilePayments(t *testing.T) {
	e := newDesk(t)
	ctx := t.Context()
	// User 42 bought ppt through the webhook; the listing names that
	// purchase under another event id (Stripe's listing is by checkout).
	e.receive(t, paid("seen", "ppt", 42, day0.Add(-48*time.Hour)))
	e.process(t)
	seenAgain := paid("seen", "ppt", 42, day0.Add(-48*time.Hour))
	seenAgain.ID = "cs_seen"
	missedBy42 := paid("xls42", "xls", 42, day0.Add(-30*time.Hour))
	missedBy42.ID = "cs_xls42"
	missed := paid("lost", "ppt", 7, day0.Add(-24*time.Hour))
	missed.ID = "cs_lost"
	l := &listing{events: []membership.PaymentEvent{seenAgain, missedBy42, missed}}

	added, err := e.svc.ReconcilePayments(ctx, l, day0)
	if err != nil {
		t.Fatal(err)
	}
	if added != 2 {
		t.Errorf("added %d, want the 2 payments whose webhook never arrived", added)
	}
	if want := day0.Add(-96 * time.Hour); len(l.since) != 1 || !l.since[0].Equal(want) {
		t.Errorf("listed since %v, want %v (72 h of webhook retries + 24 h of checkout)", l.since, want)
	}
	pending := must(e.db.PendingEvents(ctx, 10))(t)
	if len(pending) != 2 {
		t.Fatalf("pending %+v, want the 2 missed payments", pending)
	}
	for _, ev := range pending {
		if ev.ID == "cs_seen" || !ev.Received.Equal(day0) {
			t.Errorf("pending %+v, want a missed payment received now", ev)
		}
	}
	// Listing them again, before they are applied or after, adds nothing.
	if added, err := e.svc.ReconcilePayments(ctx, l, day0); err != nil || added != 0 {
		t.Errorf("second listing added %d, %v; want 0", added, err)
	}
	e.process(t)
	if added, err := e.svc.ReconcilePayments(ctx, l, day0.Add(time.Hour)); err != nil || added != 0 {
		t.Errorf("listing after they were applied added %d, %v; want 0", added, err)
	}
	for _, c := range []struct {
		course string
		user   int64
	}{{"ppt", 7}, {"xls", 42}, {"ppt", 42}} {
		if en, err := e.db.Enrollment(ctx, c.course, c.user); err != nil || !en.Active() {
			t.Errorf("%s of %d: %+v, %v", c.course, c.user, en, err)
		}
	}
	if n := len(must(e.db.Orders(ctx, 42))(t)); n != 2 {
		t.Errorf("user 42 has %d orders, want 2", n)
	}
}

// A failing listing or an invalid listed payment ends the pass with the
// error; what was added before it stays added.
func TestReconcilePaymentsFails(t *testing.T) {
	e := newDesk(t)
	down := errors.New("stripe is down")
	if added, err := e.svc.ReconcilePayments(t.Context(), &listing{err: down}, day0); !errors.Is(err, down) || added != 0 {
		t.Errorf("failing listing: %d, %v; want the error", added, err)
	}
	good := paid("good", "ppt", 7, day0)
	bad := paid("bad", "ppt", 8, day0)
	bad.OrderID = "cs_bad"
	bad.Course = ""
	added, err := e.svc.ReconcilePayments(t.Context(), &listing{events: []membership.PaymentEvent{good, bad, paid("after", "ppt", 9, day0)}}, day0)
	if shequn.ErrorCode(err) != shequn.CodeInvalid || added != 1 {
		t.Errorf("invalid listed payment: %d, %v; want 1 added and CodeInvalid", added, err)
	}
	if ids := e.pending(t); len(ids) != 1 || ids[0] != good.ID {
		t.Errorf("pending %v, want only %s", ids, good.ID)
	}
	// A closed store cannot tell whether an order is stored.
	e.db.Close()
	if _, err := e.svc.ReconcilePayments(t.Context(), &listing{events: []membership.PaymentEvent{good}}, day0); err == nil {
		t.Error("a failing store reported no error")
	}
}

// failingTeller fails every delivery.
type failingTeller struct{ tries int }

func (f *failingTeller) Tell(context.Context, int64, shequn.Notice) error {
	f.tries++
	return errors.New("Forbidden: bot was blocked by the user")
}

// An owner alert that cannot be delivered is logged once per owner and not
// retried; the mismatched payment still enrolls nobody.
func TestMismatchAlertNotDeliveredIsLogged(t *testing.T) {
	e := newEnv(t)
	teller := &failingTeller{}
	e.svc.Notifier, e.svc.Owners = teller, []int64{1000, 1001}
	e.receive(t, purchase("cheap", 1, 100, "cny", t0))
	for range 2 {
		if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
			t.Fatal(err)
		}
	}
	if teller.tries != 2 {
		t.Errorf("%d deliveries tried, want one per owner", teller.tries)
	}
	if n := strings.Count(e.log.String(), "owner not alerted"); n != 2 {
		t.Errorf("%d failed alerts logged, want 2:\n%s", n, e.log.String())
	}
	if _, err := e.db.Enrollment(t.Context(), "ppt", 1); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("the underpaying buyer is enrolled: %v", err)
	}
}

// A delivered alert logs nothing.
func TestMismatchAlertDeliveredLogsNothing(t *testing.T) {
	e := newEnv(t)
	e.svc.Notifier, e.svc.Owners = &notices{}, []int64{1000}
	e.receive(t, purchase("cheap", 1, 100, "cny", t0))
	if err := e.svc.ProcessPending(t.Context(), t0); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.log.String(), "owner not alerted") {
		t.Errorf("a delivered alert was logged as failed:\n%s", e.log.String())
	}
}
