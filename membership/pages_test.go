package membership_test

import (
	"fmt"
	"testing"
	"time"
)

// A purchase applied on one page does not hold up its own later events on
// the next page: a refund 500 events after its payment is applied in the
// same pass, and the buyer's seat is released.
func TestRefundOnALaterPageAppliedInTheSamePass(t *testing.T) {
	e := newDesk(t)
	e.receive(t, paid("first", "ppt", 1, day0))
	for i := range 520 {
		e.receive(t, paid(fmt.Sprint(i), "ppt", int64(1000+i), day0.Add(time.Duration(i+1)*time.Millisecond)))
	}
	e.receive(t, refunded("first", "refunded", day0.Add(time.Second)))
	e.process(t)
	if p := e.pending(t); len(p) != 0 {
		t.Fatalf("%d pending after one pass: %v", len(p), p)
	}
	if len(e.seats.released) != 1 || e.seats.released[0].UserID != 1 {
		t.Errorf("released %+v, want the refunded buyer", e.seats.released)
	}
	if en := must(e.db.Enrollment(t.Context(), "ppt", 1))(t); en.Active() {
		t.Errorf("refunded enrollment still active: %+v", en)
	}
}
