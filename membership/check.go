package membership

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// Prices looks up a provider price's amount, for courses sold at a
// provider price (Course.StripePrice). The payments package implements it.
type Prices interface {
	// Price returns the unit amount in minor units and the lower-case
	// currency of the price.
	Price(ctx context.Context, priceID string) (amount int64, currency string, err error)
}

// Origins tells shequn's payments from those of other products sold on
// the same provider account. The payments package implements it.
type Origins interface {
	// Ours reports whether the payment was made through one of shequn's
	// checkouts, and if so for which course.
	Ours(ctx context.Context, paymentIntent string) (course string, ours bool, err error)
}

// Payments lists the provider's completed payments, to apply any whose
// webhook never arrived. The payments package implements it.
type Payments interface {
	// CompletedPayments returns paid events for shequn's checkouts
	// created since since; each event's ID names its checkout, so that
	// listing it again is a duplicate.
	CompletedPayments(ctx context.Context, since time.Time) ([]PaymentEvent, error)
}

// PaymentMismatchAlert tells the owners that a buyer paid an amount or
// currency other than the course's price, so nobody was enrolled.
type PaymentMismatchAlert struct {
	Course       string
	UserID       int64
	OrderID      string
	Paid         int64
	PaidCurrency string
	Price        int64
	Currency     string
}

// NoticeName implements shequn.Notice.
func (PaymentMismatchAlert) NoticeName() string { return "payment_mismatch" }

// expectedPrice returns what a purchase of the course must have cost.
func (s *Service) expectedPrice(ctx context.Context, c Course) (int64, string, error) {
	if c.StripePrice == "" {
		return c.Amount, c.Currency, nil
	}
	if s.Prices == nil {
		return 0, "", shequn.Errorf(shequn.CodeNotYet, "price %s of course %s cannot be checked: no price lookup", c.StripePrice, c.ID)
	}
	amount, currency, err := s.Prices.Price(ctx, c.StripePrice)
	if err != nil {
		return 0, "", fmt.Errorf("look up price %s of course %s: %w", c.StripePrice, c.ID, err)
	}
	return amount, currency, nil
}

// checkPaid compares what was paid with the course's price. It returns a
// non-nil alert when they differ.
func (s *Service) checkPaid(ctx context.Context, c Course, e PaymentEvent) (*PaymentMismatchAlert, error) {
	amount, currency, err := s.expectedPrice(ctx, c)
	if err != nil {
		return nil, err
	}
	if e.Amount == amount && strings.EqualFold(e.Currency, currency) {
		return nil, nil
	}
	return &PaymentMismatchAlert{Course: c.ID, UserID: e.UserID, OrderID: e.OrderID, Paid: e.Amount,
		PaidCurrency: strings.ToLower(e.Currency), Price: amount, Currency: strings.ToLower(currency)}, nil
}

// alertOwners tells every owner once. A failed send is logged and not
// retried: the event keeps its outcome in the store for the record, and
// retrying would repeat the alert to the owners who did get it.
func (s *Service) alertOwners(ctx context.Context, n shequn.Notice) {
	if s.Notifier == nil {
		return
	}
	for _, owner := range s.Owners {
		if err := s.Notifier.Tell(ctx, owner, n); err != nil {
			s.Log.WarnContext(ctx, "owner not alerted", "owner", owner, "notice", n.NoticeName(), "err", err)
		}
	}
}
