package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

func testNumbersPerCourse(t *testing.T, s Stores) {
	ctx := t.Context()
	steps := []struct {
		course string
		user   int64
		want   int
	}{
		{"ppt", 1, 1},
		{"ppt", 2, 2},
		{"xls", 1, 1},
		{"ppt", 3, 3},
		{"xls", 4, 2},
		{"ppt", 4, 4},
	}
	for i, st := range steps {
		o := paid(fmt.Sprintf("cs_%d", i), st.course, st.user, i)
		e := must(s.RecordPayment(ctx, o))(t)
		if e.Number != st.want || e.Course != st.course || e.UserID != st.user || e.OrderID != o.ID || !e.Active() {
			t.Errorf("step %d: enrollment %+v, want number %d of %s/%d on %s, active", i, e, st.want, st.course, st.user, o.ID)
		}
		got := must(s.Enrollment(ctx, st.course, st.user))(t)
		if got.Number != st.want || !got.Active() {
			t.Errorf("step %d: stored enrollment %+v, want number %d", i, got, st.want)
		}
	}
	es := must(s.Enrollments(ctx, 1))(t)
	slices.SortFunc(es, func(a, b membership.Enrollment) int { return cmp.Compare(a.Course, b.Course) })
	if len(es) != 2 || es[0].Course != "ppt" || es[0].Number != 1 || es[1].Course != "xls" || es[1].Number != 1 {
		t.Errorf("enrollments of user 1 = %+v, want ppt #1 and xls #1", es)
	}
	_, err := s.Enrollment(ctx, "ppt", 99)
	isErr(t, "enrollment of a stranger", err, shequn.ErrNotFound)
}

// testEnrollmentByNumber: a member number names one enrollment of its
// course (the /promote PPT-00042 lookup), refunded ones too.
func testEnrollmentByNumber(t *testing.T, s Stores) {
	ctx := t.Context()
	must(s.RecordPayment(ctx, paid("cs_1", "ppt", 11, 1)))(t)
	must(s.RecordPayment(ctx, paid("cs_2", "ppt", 12, 2)))(t)
	must(s.RecordPayment(ctx, paid("cs_3", "xls", 13, 3)))(t)
	got := must(s.EnrollmentByNumber(ctx, "ppt", 2))(t)
	if got.UserID != 12 || got.Course != "ppt" || got.Number != 2 {
		t.Errorf("ppt #2 = %+v, want user 12", got)
	}
	if got := must(s.EnrollmentByNumber(ctx, "xls", 1))(t); got.UserID != 13 {
		t.Errorf("xls #1 = %+v, want user 13", got)
	}
	_, err := s.EnrollmentByNumber(ctx, "xls", 2)
	isErr(t, "a number not given", err, shequn.ErrNotFound)
	_, err = s.EnrollmentByNumber(ctx, "doc", 1)
	isErr(t, "a number of an unknown course", err, shequn.ErrNotFound)
}

func testRecordPaymentIdempotent(t *testing.T, s Stores) {
	ctx := t.Context()
	o := paid("cs_1", "ppt", 7, 1)
	o.UpdatedAt = time.Time{}
	first := must(s.RecordPayment(ctx, o))(t)
	for range 2 {
		again := must(s.RecordPayment(ctx, o))(t)
		if again.Number != first.Number || again.OrderID != first.OrderID || again.Status != first.Status {
			t.Errorf("again: %+v, want %+v", again, first)
		}
		sameTime(t, "again EnrolledAt", again.EnrolledAt, first.EnrolledAt)
	}
	orders := must(s.Orders(ctx, 7))(t)
	if len(orders) != 1 {
		t.Fatalf("orders = %+v, want one", orders)
	}
	got := orders[0]
	if got.ID != o.ID || got.Course != o.Course || got.UserID != o.UserID || got.PaymentIntent != o.PaymentIntent ||
		got.Amount != o.Amount || got.Currency != o.Currency || got.Status != membership.OrderPaid {
		t.Errorf("order = %+v, want %+v", got, o)
	}
	sameTime(t, "PaidAt", got.PaidAt, o.PaidAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, time.Time{})
	if e := must(s.RecordPayment(ctx, paid("cs_2", "ppt", 8, 2)))(t); e.Number != 2 {
		t.Errorf("next buyer got number %d, want 2: a replay must not use a number", e.Number)
	}
}

func testReenrollmentKeepsNumber(t *testing.T, s Stores) {
	ctx := t.Context()
	o1 := paid("cs_1", "ppt", 1, 1)
	must(s.RecordPayment(ctx, o1))(t)
	must(s.RecordPayment(ctx, paid("cs_2", "ppt", 2, 2)))(t)

	e := must(s.RevokePayment(ctx, o1.PaymentIntent, membership.OrderRefunded, at(3)))(t)
	if e.Active() || e.Number != 1 || e.OrderID != o1.ID {
		t.Errorf("after refund: %+v, want revoked #1 on %s", e, o1.ID)
	}
	sameTime(t, "revoked UpdatedAt", e.UpdatedAt, at(3))
	// The refunded order's paid event delivered again changes nothing.
	if e := must(s.RecordPayment(ctx, o1))(t); e.Active() || e.Number != 1 {
		t.Errorf("replayed refunded order: %+v, want still revoked #1", e)
	}
	if e := must(s.RecordPayment(ctx, paid("cs_3", "ppt", 3, 4)))(t); e.Number != 3 {
		t.Errorf("new buyer got number %d, want 3: numbers are never reused", e.Number)
	}
	e = must(s.RecordPayment(ctx, paid("cs_4", "ppt", 1, 5)))(t)
	if !e.Active() || e.Number != 1 || e.OrderID != "cs_4" {
		t.Errorf("re-enrollment: %+v, want active #1 on cs_4", e)
	}
	orders := must(s.Orders(ctx, 1))(t)
	if len(orders) != 2 || orders[0].ID != "cs_4" || orders[1].ID != "cs_1" || orders[1].Status != membership.OrderRefunded {
		t.Errorf("orders = %+v, want cs_4 then refunded cs_1", orders)
	}
	sameTime(t, "refunded order UpdatedAt", orders[1].UpdatedAt, at(3))
}

func testRevokeUnknownPayment(t *testing.T, s Stores) {
	ctx := t.Context()
	must(s.RecordPayment(ctx, paid("cs_1", "ppt", 1, 1)))(t)
	_, err := s.RevokePayment(ctx, "pi_unknown", membership.OrderDisputed, at(2))
	isErr(t, "revoke unknown payment", err, shequn.ErrNotFound)
	if shequn.ErrorCode(err) != shequn.CodeNotFound {
		t.Errorf("code = %q, want %q", shequn.ErrorCode(err), shequn.CodeNotFound)
	}
	if e := must(s.Enrollment(ctx, "ppt", 1))(t); !e.Active() {
		t.Errorf("enrollment %+v revoked by an unknown payment", e)
	}
}

func testRevokeOlderOrder(t *testing.T, s Stores) {
	ctx := t.Context()
	o1, o2 := paid("cs_1", "ppt", 1, 1), paid("cs_2", "ppt", 1, 2)
	must(s.RecordPayment(ctx, o1))(t)
	if e := must(s.RecordPayment(ctx, o2))(t); e.OrderID != o2.ID || e.Number != 1 {
		t.Fatalf("second purchase: %+v, want #1 on %s", e, o2.ID)
	}
	e := must(s.RevokePayment(ctx, o1.PaymentIntent, membership.OrderRefunded, at(3)))(t)
	if !e.Active() || e.OrderID != o2.ID {
		t.Errorf("after refund of the older order: %+v, want active on %s", e, o2.ID)
	}
	orders := must(s.Orders(ctx, 1))(t)
	if len(orders) != 2 || orders[0].ID != o2.ID || orders[0].Status != membership.OrderPaid ||
		orders[1].ID != o1.ID || orders[1].Status != membership.OrderRefunded {
		t.Errorf("orders = %+v, want paid %s then refunded %s", orders, o2.ID, o1.ID)
	}
	e = must(s.RevokePayment(ctx, o2.PaymentIntent, membership.OrderDisputed, at(4)))(t)
	if e.Active() || e.OrderID != o2.ID {
		t.Errorf("after dispute of the newer order: %+v, want revoked", e)
	}
	if got := must(s.Orders(ctx, 1))(t); got[0].Status != membership.OrderDisputed {
		t.Errorf("newer order status %q, want disputed", got[0].Status)
	}
}

// testConcurrentEnrollments enrolls and seats 200 buyers at once into
// groups with 150 seats in all.
func testConcurrentEnrollments(t *testing.T, s Stores) {
	ctx := t.Context()
	const buyers = 200
	caps := []int{70, 50, 30}
	for i, c := range caps {
		must(s.AddGroup(ctx, groups.Group{ChatID: int64(-100 - i), Kind: groups.KindStudent, Course: "ppt", Capacity: c}))(t)
	}
	numbers := make([]int, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			user := int64(1000 + i)
			e, err := s.RecordPayment(ctx, paid(fmt.Sprintf("cs_%03d", i), "ppt", user, i))
			if err != nil {
				t.Errorf("record payment of %d: %v", user, err)
				return
			}
			numbers[i] = e.Number
			if _, err := s.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: user, Number: e.Number,
				At: t0.Add(time.Duration(i) * time.Millisecond)}); err != nil {
				t.Errorf("take seat of %d: %v", user, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	sorted := slices.Sorted(slices.Values(numbers))
	for i, n := range sorted {
		if n != i+1 {
			t.Fatalf("numbers %v, want exactly 1..%d", sorted, buyers)
		}
	}
	seated := map[int64]int{}
	waiting := 0
	for i := range buyers {
		st := must(s.Seat(ctx, "ppt", int64(1000+i)))(t)
		if st.Number != numbers[i] {
			t.Errorf("seat of %d has number %d, want %d", st.UserID, st.Number, numbers[i])
		}
		switch st.State {
		case groups.SeatSeated:
			seated[st.GroupID]++
		case groups.SeatWaiting:
			waiting++
		default:
			t.Errorf("seat of %d is %s", st.UserID, st.State)
		}
	}
	total := 0
	for _, g := range must(s.Groups(ctx))(t) {
		if g.SeatsUsed > g.Capacity || g.SeatsUsed != seated[g.ID] {
			t.Errorf("group %d: %d seats used of %d, %d seated", g.Ordinal, g.SeatsUsed, g.Capacity, seated[g.ID])
		}
		total += seated[g.ID]
	}
	if total != 150 || waiting != 50 {
		t.Errorf("%d seated and %d waiting, want 150 and 50", total, waiting)
	}
	if n := must(s.WaitlistLen(ctx, "ppt"))(t); n != 50 {
		t.Errorf("waitlist length %d, want 50", n)
	}
}

// testHighestNumberRefunded: after the member with the highest number is
// refunded, the next buyer gets the next new number, never the refunded
// one, and the refunded member gets theirs back on buying again.
func testHighestNumberRefunded(t *testing.T, s Stores) {
	ctx := t.Context()
	for u := int64(1); u <= 3; u++ {
		must(s.RecordPayment(ctx, paid(fmt.Sprintf("cs_%d", u), "ppt", u, int(u))))(t)
	}
	top := must(s.RevokePayment(ctx, "pi_cs_3", membership.OrderRefunded, at(4)))(t)
	if top.Number != 3 || top.Active() {
		t.Fatalf("refunded %+v, want revoked #3", top)
	}
	for i, want := range []struct {
		user   int64
		number int
	}{{4, 4}, {5, 5}, {3, 3}, {6, 6}} {
		e := must(s.RecordPayment(ctx, paid(fmt.Sprintf("cs_again_%d", i), "ppt", want.user, 5+i)))(t)
		if e.Number != want.number || !e.Active() {
			t.Errorf("buyer %d got %+v, want active #%d", want.user, e, want.number)
		}
	}
	// Refunding the newest and oldest at once changes nothing for the next.
	must(s.RevokePayment(ctx, "pi_cs_again_3", membership.OrderRefunded, at(10)))(t)
	must(s.RevokePayment(ctx, "pi_cs_1", membership.OrderDisputed, at(10)))(t)
	if e := must(s.RecordPayment(ctx, paid("cs_7", "ppt", 7, 11)))(t); e.Number != 7 {
		t.Errorf("after refunds of #6 and #1 the next buyer got #%d, want #7", e.Number)
	}
}
