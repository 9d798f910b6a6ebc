package membership

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
)

// ReconcileWindow is how far back the daily reconciliation looks: Stripe
// retries a webhook for up to 72 hours, and a Checkout Session completes
// at most 24 hours after it was created.
const ReconcileWindow = 72*time.Hour + 24*time.Hour

// ReconcilePayments stores, as pending events, the payments the provider
// completed within ReconcileWindow before now whose order is not stored:
// their webhook never arrived. A payment whose order is stored already, or
// that was listed before, changes nothing; a webhook that arrives later
// finds its order stored and changes nothing either. The events are
// applied by the next ProcessPending.
func (s *Service) ReconcilePayments(ctx context.Context, p Payments, now time.Time) (int, error) {
	events, err := p.CompletedPayments(ctx, now.Add(-ReconcileWindow))
	if err != nil {
		return 0, fmt.Errorf("list completed payments: %w", err)
	}
	added := 0
	for _, e := range events {
		known, err := s.orderStored(ctx, e)
		if err != nil {
			return added, err
		}
		if known {
			continue
		}
		e.Received = now
		ok, err := s.Receive(ctx, e)
		if err != nil {
			return added, fmt.Errorf("store missed payment %s: %w", e.OrderID, err)
		}
		if ok {
			added++
			s.Log.WarnContext(ctx, "payment whose webhook never arrived recovered from Stripe", "order", e.OrderID, "user", e.UserID, "course", e.Course)
		}
	}
	return added, nil
}

// orderStored reports whether the event's order is stored.
func (s *Service) orderStored(ctx context.Context, e PaymentEvent) (bool, error) {
	orders, err := s.Store.Orders(ctx, e.UserID)
	if err != nil && !errors.Is(err, shequn.ErrNotFound) {
		return false, fmt.Errorf("orders of %d: %w", e.UserID, err)
	}
	return slices.ContainsFunc(orders, func(o Order) bool { return o.ID == e.OrderID }), nil
}
