package mongo

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/storetest"
)

func TestPaymentContract(t *testing.T) {
	storetest.RunPayments(t, func(t *testing.T) storetest.PaymentStores { return mustOpen(t) })
}

// The payment inbox write waits for the journal, keeping the rest of the
// write concern the URI asked for.
func TestInboxWriteIsJournaled(t *testing.T) {
	for _, base := range []*writeconcern.WriteConcern{nil, writeconcern.Majority(), {W: 1, WTimeout: time.Second}} {
		wc := journaled(base)
		if wc.Journal == nil || !*wc.Journal {
			t.Errorf("journaled(%+v) = %+v, want j:true", base, wc)
		}
		if base != nil && (wc.W != base.W || wc.WTimeout != base.WTimeout || base.Journal != nil) {
			t.Errorf("journaled(%+v) = %+v: w changed or base modified", base, wc)
		}
	}
	db := mustOpen(t)
	if _, err := db.AddEvent(t.Context(), membership.PaymentEvent{ID: "evt_j", Kind: membership.EventPaid, OrderID: "cs_j", Course: "ppt", UserID: 1}); err != nil {
		t.Fatal(err)
	}
}
