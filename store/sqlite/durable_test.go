package sqlite

import (
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
)

// A stored payment event is committed with synchronous=FULL (the WAL is
// synced before AddEvent returns); other writes keep NORMAL.
func TestPaymentInboxCommitIsDurable(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	level := func(write func(ctx2 func(t *tx) error) error) int {
		t.Helper()
		var n int
		if err := write(func(tx *tx) error { return tx.queryRow(qSyncLevel).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := level(func(fn func(t *tx) error) error { return db.write(ctx, fn) }); got != 1 {
		t.Errorf("synchronous in an ordinary write = %d, want 1 (NORMAL)", got)
	}
	if got := level(func(fn func(t *tx) error) error { return db.writeDurable(ctx, fn) }); got != 2 {
		t.Errorf("synchronous in a durable write = %d, want 2 (FULL)", got)
	}
	if got := level(func(fn func(t *tx) error) error { return db.write(ctx, fn) }); got != 1 {
		t.Errorf("synchronous after a durable write = %d, want NORMAL again", got)
	}
	before := db.durableCommits.Load()
	e := membership.PaymentEvent{ID: "evt_1", Kind: membership.EventPaid, OrderID: "cs_1", Course: "ppt", UserID: 1, Received: time.Now()}
	if _, err := db.AddEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	if db.durableCommits.Load() != before+1 {
		t.Error("AddEvent did not commit durably")
	}
}

var qSyncLevel = stmt(`PRAGMA synchronous`)
