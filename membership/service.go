package membership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Seats places enrolled members into groups. It is implemented by the groups
// package; both methods are idempotent, so a crash between recording a
// payment and seating its buyer is finished by processing the event again.
type Seats interface {
	Seat(ctx context.Context, e Enrollment) error
	Release(ctx context.Context, e Enrollment) error
}

// Service applies payment events to orders, enrollments and seats.
type Service struct {
	Store   Store
	Inbox   EventInbox
	Seats   Seats
	Courses map[string]Course
	Now     func() time.Time
	Log     *slog.Logger

	// OrphanAfter is how long a refund or dispute whose payment is unknown
	// stays pending, waiting for the payment event that Stripe may deliver
	// late, before it is put aside. Zero means 72 hours, Stripe's retry span.
	OrphanAfter time.Duration
}

// Receive validates a payment event and stores it for processing. It
// reports whether the event was new; a duplicate changes nothing.
func (s *Service) Receive(ctx context.Context, e PaymentEvent) (bool, error) {
	if e.ID == "" {
		return false, Errorf(CodeInvalid, "event without id")
	}
	switch e.Kind {
	case EventPaid:
		if e.OrderID == "" || e.UserID <= 0 || e.Course == "" {
			return false, Errorf(CodeInvalid, "paid event %s lacks order, user or course", e.ID)
		}
	case EventRefunded, EventDisputed:
		if e.PaymentIntent == "" {
			return false, Errorf(CodeInvalid, "%s event %s lacks a payment intent", e.Kind, e.ID)
		}
	default:
		return false, Errorf(CodeInvalid, "event %s has unknown kind %q", e.ID, e.Kind)
	}
	if e.Received.IsZero() {
		e.Received = s.Now()
	}
	added, err := s.Inbox.AddEvent(ctx, e)
	if err != nil {
		return false, fmt.Errorf("store payment event %s: %w", e.ID, err)
	}
	return added, nil
}

// processWorkers is how many purchases are applied at once. Each is a few
// small store writes; running them side by side lets the store commit
// them together.
const processWorkers = 16

// ProcessPending applies every stored, unprocessed payment event, oldest
// first within a purchase; different purchases are applied in parallel.
// An event that cannot be applied (not yet, or Telegram failing while
// seating its buyer) stays pending for the next pass, holding up only the
// later events of its own purchase; only a failing store ends the pass
// with an error.
func (s *Service) ProcessPending(ctx context.Context, now time.Time) error {
	for {
		events, err := s.Inbox.PendingEvents(ctx, 500)
		if err != nil {
			return fmt.Errorf("list pending payment events: %w", err)
		}
		var (
			order    []string
			byKey    = map[string][]PaymentEvent{}
			finished atomic.Int64
			errMu    sync.Mutex
			storeErr error
			wg       sync.WaitGroup
			sem      = make(chan struct{}, processWorkers)
		)
		for _, e := range events {
			k := purchaseKey(e)
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], e)
		}
		for _, k := range order {
			sem <- struct{}{}
			wg.Add(1)
			go func(events []PaymentEvent) {
				defer func() { <-sem; wg.Done() }()
				for _, e := range events {
					outcome, err := s.apply(ctx, e, now)
					switch {
					case ErrorCode(err) == CodeNotYet:
						s.Log.InfoContext(ctx, "payment event waits", "event", e.ID, "reason", err.Error())
						return
					case err != nil:
						s.Log.WarnContext(ctx, "payment event stays pending", "event", e.ID, "err", err)
						return
					}
					if err := s.Inbox.FinishEvent(ctx, e.ID, outcome, now); err != nil {
						errMu.Lock()
						storeErr = errors.Join(storeErr, fmt.Errorf("finish payment event %s: %w", e.ID, err))
						errMu.Unlock()
						return
					}
					finished.Add(1)
				}
			}(byKey[k])
		}
		wg.Wait()
		if storeErr != nil {
			return storeErr
		}
		if finished.Load() == 0 || len(events) < 500 {
			return nil
		}
	}
}

// purchaseKey groups the events of one purchase, which must be applied in
// order: the payment before its refund.
func purchaseKey(e PaymentEvent) string {
	if e.PaymentIntent != "" {
		return "pi:" + e.PaymentIntent
	}
	return "order:" + e.OrderID
}

func (s *Service) apply(ctx context.Context, e PaymentEvent, now time.Time) (string, error) {
	switch e.Kind {
	case EventPaid:
		course, ok := s.Courses[e.Course]
		if !ok {
			// The money is real even if the course left the configuration:
			// keep the event until an operator puts the course back.
			return "", Errorf(CodeNotYet, "course %q is not configured", e.Course)
		}
		en, err := s.Store.RecordPayment(ctx, Order{
			ID: e.OrderID, Course: course.ID, UserID: e.UserID, PaymentIntent: e.PaymentIntent,
			Amount: e.Amount, Currency: e.Currency, Status: OrderPaid, PaidAt: e.Created, UpdatedAt: now,
		})
		if err != nil {
			return "", fmt.Errorf("record payment: %w", err)
		}
		if !en.Active() {
			return "revoked_before_paid", nil
		}
		if err := s.Seats.Seat(ctx, en); err != nil {
			return "", fmt.Errorf("seat %s: %w", course.MemberNumber(en.Number), err)
		}
		s.Log.InfoContext(ctx, "enrolled", "course", en.Course, "user", en.UserID, "number", course.MemberNumber(en.Number))
		return "enrolled", nil
	case EventRefunded, EventDisputed:
		status := OrderRefunded
		if e.Kind == EventDisputed {
			status = OrderDisputed
		}
		en, err := s.Store.RevokePayment(ctx, e.PaymentIntent, status, now)
		if errors.Is(err, ErrNotFound) {
			if now.Sub(e.Created) < s.orphanAfter() {
				return "", Errorf(CodeNotYet, "payment %s is not known yet", e.PaymentIntent)
			}
			s.Log.WarnContext(ctx, "refund or dispute for an unknown payment put aside", "event", e.ID, "payment_intent", e.PaymentIntent)
			return "unknown_payment", nil
		}
		if err != nil {
			return "", fmt.Errorf("revoke payment: %w", err)
		}
		if en.Active() {
			// Another paid order still carries the enrollment.
			return "still_active", nil
		}
		if err := s.Seats.Release(ctx, en); err != nil {
			return "", fmt.Errorf("release seat: %w", err)
		}
		s.Log.InfoContext(ctx, "enrollment revoked", "course", en.Course, "user", en.UserID, "reason", string(status))
		return string(status), nil
	}
	return "", Errorf(CodeInvalid, "unknown event kind %q", e.Kind)
}

func (s *Service) orphanAfter() time.Duration {
	if s.OrphanAfter > 0 {
		return s.OrphanAfter
	}
	return 72 * time.Hour
}
