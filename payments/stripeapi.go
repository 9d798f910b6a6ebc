package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// The Stripe lookups the membership service needs, all on Checkout.
var (
	_ membership.Prices   = (*Checkout)(nil)
	_ membership.Origins  = (*Checkout)(nil)
	_ membership.Payments = (*Checkout)(nil)
)

type price struct {
	amount   int64
	currency string
}

// Price returns a Stripe Price's unit amount and currency. Stripe never
// changes the amount of a Price once created (a new price gets a new id),
// so the answer is kept for the life of the process.
func (c *Checkout) Price(ctx context.Context, priceID string) (int64, string, error) {
	c.mu.Lock()
	p, ok := c.prices[priceID]
	c.mu.Unlock()
	if ok {
		return p.amount, p.currency, nil
	}
	params := &stripe.PriceParams{}
	params.Context = ctx
	sp, err := c.api.Prices.Get(priceID, params)
	if err != nil {
		return 0, "", classify("look up price "+priceID, err)
	}
	if sp.UnitAmount <= 0 || sp.Currency == "" {
		return 0, "", &shequn.Error{Code: shequn.CodeInternal, Message: "the course's price cannot be checked",
			Err: fmt.Errorf("stripe price %s has no fixed unit amount", priceID)}
	}
	p = price{amount: sp.UnitAmount, currency: strings.ToLower(string(sp.Currency))}
	c.mu.Lock()
	if c.prices == nil {
		c.prices = map[string]price{}
	}
	c.prices[priceID] = p
	c.mu.Unlock()
	return p.amount, p.currency, nil
}

// Ours tells whether a PaymentIntent was made through one of shequn's
// Checkout Sessions: they all put the course in the PaymentIntent's
// metadata. A PaymentIntent Stripe does not know is not ours.
func (c *Checkout) Ours(ctx context.Context, paymentIntent string) (string, bool, error) {
	c.mu.Lock()
	course, known := c.ours[paymentIntent]
	c.mu.Unlock()
	if known {
		return course, true, nil
	}
	params := &stripe.PaymentIntentParams{}
	params.Context = ctx
	pi, err := c.api.PaymentIntents.Get(paymentIntent, params)
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, classify("look up payment intent "+paymentIntent, err)
	}
	course = pi.Metadata[MetaCourse]
	if course == "" {
		return "", false, nil
	}
	// A refund of ours waiting for its payment asks on every pass: the
	// answer does not change, so it is kept.
	c.mu.Lock()
	if c.ours == nil {
		c.ours = map[string]string{}
	}
	c.ours[paymentIntent] = course
	c.mu.Unlock()
	return course, true, nil
}

// CompletedPayments lists, with stripe-go's list iterator, the Checkout
// Sessions created since since that are complete and paid, as paid events
// named after their session ("session:cs_…"). Sessions of other products
// are left out.
func (c *Checkout) CompletedPayments(ctx context.Context, since time.Time) ([]membership.PaymentEvent, error) {
	params := &stripe.CheckoutSessionListParams{
		CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: since.Unix()},
		Status:       stripe.String(string(stripe.CheckoutSessionStatusComplete)),
	}
	params.Context = ctx
	params.Limit = stripe.Int64(100)
	var out []membership.PaymentEvent
	it := c.api.CheckoutSessions.List(params)
	for it.Next() {
		s := it.CheckoutSession()
		if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			continue
		}
		pe, ours := sessionEvent(s)
		if !ours {
			continue
		}
		pe.ID = "session:" + s.ID
		pe.Created = time.Unix(s.Created, 0)
		out = append(out, pe)
	}
	if err := it.Err(); err != nil {
		return nil, classify("list checkout sessions", err)
	}
	return out, nil
}

// sessionEvent translates a paid Checkout Session into a paid event, and
// reports whether it is one of shequn's (it names a course and a user).
func sessionEvent(s *stripe.CheckoutSession) (membership.PaymentEvent, bool) {
	pe := membership.PaymentEvent{Kind: membership.EventPaid, OrderID: s.ID, PaymentIntent: intentID(s.PaymentIntent),
		Course: s.Metadata[MetaCourse], UserID: userID(s.ClientReferenceID, s.Metadata),
		Amount: s.AmountTotal, Currency: string(s.Currency)}
	return pe, pe.Course != "" && pe.UserID > 0
}
