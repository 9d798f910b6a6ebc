package sqlite

import (
	"testing"

	"github.com/shequn/shequn/store/storetest"
)

func TestPaymentContract(t *testing.T) {
	storetest.RunPayments(t, func(t *testing.T) storetest.PaymentStores { return MustOpen(t) })
}
