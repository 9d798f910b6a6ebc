package membership_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

func TestReceive(t *testing.T) {
	ok := paid("1", "ppt", 42, day0)
	cases := []struct {
		name string
		ev   membership.PaymentEvent
		code shequn.Code
	}{
		{"paid", ok, ""},
		{"refund", refunded("1", membership.EventRefunded, day0), ""},
		{"dispute", refunded("1", membership.EventDisputed, day0), ""},
		{"no id", func() membership.PaymentEvent { e := ok; e.ID = ""; return e }(), shequn.CodeInvalid},
		{"paid without order", func() membership.PaymentEvent { e := ok; e.OrderID = ""; return e }(), shequn.CodeInvalid},
		{"paid without user", func() membership.PaymentEvent { e := ok; e.UserID = 0; return e }(), shequn.CodeInvalid},
		{"paid by a negative user", func() membership.PaymentEvent { e := ok; e.UserID = -1; return e }(), shequn.CodeInvalid},
		{"paid without course", func() membership.PaymentEvent { e := ok; e.Course = ""; return e }(), shequn.CodeInvalid},
		{"refund without payment", membership.PaymentEvent{ID: "evt_r", Kind: membership.EventRefunded}, shequn.CodeInvalid},
		{"dispute without payment", membership.PaymentEvent{ID: "evt_d", Kind: membership.EventDisputed}, shequn.CodeInvalid},
		{"unknown kind", membership.PaymentEvent{ID: "evt_x", Kind: "gift", PaymentIntent: "pi"}, shequn.CodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newDesk(t)
			added, err := e.svc.Receive(t.Context(), c.ev)
			if code := shequn.ErrorCode(err); code != c.code {
				t.Fatalf("code %q (%v), want %q", code, err, c.code)
			}
			if c.code != "" {
				if added || len(e.pending(t)) != 0 {
					t.Errorf("an invalid event was stored")
				}
				return
			}
			if !added {
				t.Error("a new event reported as a duplicate")
			}
			if added, err := e.svc.Receive(t.Context(), c.ev); added || err != nil {
				t.Errorf("the duplicate: %v, %v", added, err)
			}
			evs := must(e.db.PendingEvents(t.Context(), 10))(t)
			if len(evs) != 1 || !evs[0].Received.Equal(day0) {
				t.Errorf("stored %+v, want one received at %v", evs, day0)
			}
		})
	}
	t.Run("received time kept", func(t *testing.T) {
		e := newDesk(t)
		ev := ok
		ev.Received = day0.Add(-time.Hour)
		e.receive(t, ev)
		if evs := must(e.db.PendingEvents(t.Context(), 10))(t); !evs[0].Received.Equal(ev.Received) {
			t.Errorf("received %v, want %v", evs[0].Received, ev.Received)
		}
	})
}

// A payment enrolls the buyer with the course's next number and seats
// them; a refund or dispute revokes and releases; each event is applied
// once.
func TestProcessPayments(t *testing.T) {
	e := newDesk(t)
	ctx := t.Context()
	e.receive(t, paid("1", "ppt", 41, day0), paid("2", "ppt", 42, day0.Add(time.Second)), paid("3", "xls", 42, day0.Add(2*time.Second)))
	e.process(t)
	e.process(t)
	if len(e.seats.seated) != 3 {
		t.Fatalf("seated %+v, want 3", e.seats.seated)
	}
	// Purchases are applied in parallel, so which of two buyers of one
	// course gets the lower number is not fixed; each course's numbers are
	// 1..n, each once.
	numbers := map[string][]int{}
	for _, want := range []struct {
		course string
		user   int64
	}{{"ppt", 41}, {"ppt", 42}, {"xls", 42}} {
		en := must(e.db.Enrollment(ctx, want.course, want.user))(t)
		if !en.Active() {
			t.Errorf("%s/%d: %+v, want active", want.course, want.user, en)
		}
		numbers[want.course] = append(numbers[want.course], en.Number)
		if !slices.ContainsFunc(e.seats.seated, func(s membership.Enrollment) bool {
			return s.Course == want.course && s.UserID == want.user && s.Number == en.Number
		}) {
			t.Errorf("%s/%d not seated as #%d", want.course, want.user, en.Number)
		}
	}
	for course, want := range map[string][]int{"ppt": {1, 2}, "xls": {1}} {
		got := numbers[course]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s numbers %v, want %v", course, got, want)
		}
	}
	orders := must(e.db.Orders(ctx, 41))(t)
	if len(orders) != 1 || orders[0].ID != "cs_1" || orders[0].PaymentIntent != "pi_1" || orders[0].Amount != 9900 ||
		orders[0].Currency != "cny" || !orders[0].PaidAt.Equal(day0) || orders[0].Status != membership.OrderPaid {
		t.Errorf("order %+v", orders)
	}
	if p := e.pending(t); len(p) != 0 {
		t.Errorf("pending after processing: %v", p)
	}

	e.now = day0.Add(time.Hour)
	e.receive(t, refunded("1", membership.EventRefunded, e.now), refunded("3", membership.EventDisputed, e.now))
	e.process(t)
	e.process(t)
	if len(e.seats.released) != 2 {
		t.Fatalf("released %+v, want 2", e.seats.released)
	}
	for _, r := range []struct {
		course string
		user   int64
		status membership.OrderStatus
	}{{"ppt", 41, membership.OrderRefunded}, {"xls", 42, membership.OrderDisputed}} {
		if en := must(e.db.Enrollment(ctx, r.course, r.user))(t); en.Active() {
			t.Errorf("%s/%d still active after %s", r.course, r.user, r.status)
		}
		orders := must(e.db.Orders(ctx, r.user))(t)
		if !slices.ContainsFunc(orders, func(o membership.Order) bool { return o.Course == r.course && o.Status == r.status }) {
			t.Errorf("%s/%d: orders %+v, want one %s", r.course, r.user, orders, r.status)
		}
	}
	if en := must(e.db.Enrollment(ctx, "ppt", 42))(t); !en.Active() {
		t.Error("another member's enrollment was revoked")
	}
}

// The events of one purchase are applied in order even when they arrive
// together: the payment, then its refund.
func TestProcessInOrder(t *testing.T) {
	e := newDesk(t)
	e.receive(t, refunded("1", membership.EventRefunded, day0.Add(time.Minute)), paid("1", "ppt", 41, day0))
	e.process(t)
	if len(e.seats.seated) != 1 || len(e.seats.released) != 1 {
		t.Errorf("seated %d, released %d; want 1, 1", len(e.seats.seated), len(e.seats.released))
	}
	if en := must(e.db.Enrollment(t.Context(), "ppt", 41))(t); en.Active() {
		t.Errorf("refunded enrollment %+v", en)
	}
	// A paid event delivered again after its refund enrolls nobody.
	ev := paid("1", "ppt", 41, day0)
	ev.ID = "evt_again"
	e.receive(t, ev)
	e.process(t)
	if len(e.seats.seated) != 1 || len(e.pending(t)) != 0 {
		t.Errorf("a replayed payment after its refund seated again (%d) or stayed pending", len(e.seats.seated))
	}
}

// An event that cannot be applied yet stays pending and holds up only the
// later events of its own purchase.
func TestProcessFailuresStayPending(t *testing.T) {
	e := newDesk(t)
	e.seats.failFor(41, errors.New("telegram is down"))
	e.receive(t,
		paid("1", "ppt", 41, day0), refunded("1", membership.EventRefunded, day0.Add(time.Minute)),
		paid("2", "art", 42, day0), // a course no longer configured
		paid("3", "ppt", 43, day0.Add(2*time.Minute)),
	)
	e.process(t)
	if got, want := e.pending(t), []string{"evt_paid_1", "evt_paid_2", "evt_refunded_1"}; !sameSet(got, want) {
		t.Errorf("pending %v, want %v", got, want)
	}
	if len(e.seats.seated) != 1 || e.seats.seated[0].UserID != 43 {
		t.Errorf("seated %+v, want only 43", e.seats.seated)
	}
	e.seats.failFor(41, nil)
	e.svc.Courses["art"] = membership.Course{ID: "art", Prefix: "ART", Amount: 9900, Currency: "cny"}
	e.process(t)
	if p := e.pending(t); len(p) != 0 {
		t.Errorf("pending after recovery: %v", p)
	}
	if len(e.seats.seated) != 3 || len(e.seats.released) != 1 || e.seats.released[0].UserID != 41 {
		t.Errorf("after recovery seated %d, released %+v", len(e.seats.seated), e.seats.released)
	}
}

// A refund of a payment shequn never saw enrolls or releases nobody, and
// is finished once it cannot be ours any more.
func TestRefundOfUnknownPayment(t *testing.T) {
	e := newDesk(t)
	e.svc.OrphanAfter = time.Hour
	e.receive(t, refunded("x", membership.EventRefunded, day0))
	e.process(t)
	e.now = day0.Add(time.Hour)
	e.process(t)
	if p := e.pending(t); len(p) != 0 {
		t.Errorf("pending after the orphan span: %v", p)
	}
	if len(e.seats.released)+len(e.seats.seated) != 0 {
		t.Errorf("seats touched: %+v %+v", e.seats.seated, e.seats.released)
	}
}

// A member who bought twice keeps the seat when one payment is refunded.
func TestRefundOfOneOfTwoPayments(t *testing.T) {
	e := newDesk(t)
	e.receive(t, paid("1", "ppt", 41, day0))
	e.process(t)
	e.receive(t, paid("2", "ppt", 41, day0.Add(time.Minute)))
	e.process(t)
	e.receive(t, refunded("1", membership.EventRefunded, day0.Add(time.Hour)))
	e.process(t)
	if en := must(e.db.Enrollment(t.Context(), "ppt", 41))(t); !en.Active() || en.Number != 1 {
		t.Errorf("enrollment %+v, want still active #1", en)
	}
	if len(e.seats.released) != 0 {
		t.Errorf("released %+v", e.seats.released)
	}
}

// More pending events than one page are all applied in one pass.
func TestProcessManyPages(t *testing.T) {
	e := newDesk(t)
	const n = 1203
	for i := range n {
		e.receive(t, paid(fmt.Sprint(i), "ppt", int64(1000+i), day0.Add(time.Duration(i)*time.Millisecond)))
	}
	e.process(t)
	if p := e.pending(t); len(p) != 0 {
		t.Fatalf("%d pending after one pass", len(p))
	}
	numbers := map[int]bool{}
	for _, s := range e.seats.seated {
		numbers[s.Number] = true
	}
	if len(e.seats.seated) != n || len(numbers) != n {
		t.Errorf("seated %d with %d distinct numbers, want %d", len(e.seats.seated), len(numbers), n)
	}
	for i := 1; i <= n; i++ {
		if !numbers[i] {
			t.Fatalf("number %d never given", i)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A payment without a payment intent (Stripe names none for some methods
// until later) is still applied, each purchase on its own.
func TestPaidWithoutPaymentIntent(t *testing.T) {
	e := newDesk(t)
	for i, user := range []int64{41, 42} {
		ev := paid(fmt.Sprint("n", i), "ppt", user, day0)
		ev.PaymentIntent = ""
		e.receive(t, ev)
	}
	e.process(t)
	if len(e.seats.seated) != 2 || len(e.pending(t)) != 0 {
		t.Errorf("seated %+v, pending %v; want both seated", e.seats.seated, e.pending(t))
	}
}

// A refund of shequn's own payment that arrives before the payment itself
// (Stripe does not promise an order) waits for it, and then takes the seat
// back: the buyer is never left enrolled.
func TestRefundBeforeItsPayment(t *testing.T) {
	e := newDesk(t)
	r := refunded("1", membership.EventRefunded, day0.Add(time.Minute))
	r.Course, r.UserID = "ppt", 41
	e.receive(t, r)
	e.now = day0.Add(2 * time.Minute)
	e.process(t)
	if p := e.pending(t); len(p) != 1 {
		t.Fatalf("the early refund was put aside: pending %v", p)
	}
	e.receive(t, paid("1", "ppt", 41, day0))
	e.process(t)
	if en := must(e.db.Enrollment(t.Context(), "ppt", 41))(t); en.Active() {
		t.Errorf("the buyer of a refunded payment is enrolled: %+v", en)
	}
	if len(e.seats.released) != 1 || len(e.pending(t)) != 0 {
		t.Errorf("released %+v, pending %v", e.seats.released, e.pending(t))
	}
}
