package membership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/shequn/shequn"
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

	// Prices looks up the price of courses sold at a provider price; when
	// nil, payments for such courses wait, since what was paid cannot be
	// checked.
	Prices Prices
	// Origins tells shequn's payments from other products'; when nil, a
	// refund or dispute of an unknown payment waits OrphanAfter.
	Origins Origins
	// Notifier and Owners: who is alerted when a payment does not match
	// its course's price. A nil Notifier only logs.
	Notifier shequn.Teller
	Owners   []int64

	// OrphanAfter is how long a refund or dispute of one of shequn's
	// payments that is not known yet stays pending, waiting for the
	// payment event that Stripe may deliver late, before it is put aside.
	// Zero means 72 hours, Stripe's retry span.
	OrphanAfter time.Duration
}

// Receive validates a payment event and stores it for processing. It
// reports whether the event was new; a duplicate changes nothing.
func (s *Service) Receive(ctx context.Context, e PaymentEvent) (bool, error) {
	if e.ID == "" {
		return false, shequn.Errorf(shequn.CodeInvalid, "event without id")
	}
	switch e.Kind {
	case EventPaid:
		if e.OrderID == "" || e.UserID <= 0 || e.Course == "" {
			return false, shequn.Errorf(shequn.CodeInvalid, "paid event %s lacks order, user or course", e.ID)
		}
	case EventRefunded, EventDisputed:
		if e.PaymentIntent == "" {
			return false, shequn.Errorf(shequn.CodeInvalid, "%s event %s lacks a payment intent", e.Kind, e.ID)
		}
	case EventForeign:
	default:
		return false, shequn.Errorf(shequn.CodeInvalid, "event %s has unknown kind %q", e.ID, e.Kind)
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

// pageSize is how many pending events a pass reads at a time.
const pageSize = 500

// ProcessPending applies every stored, unprocessed payment event, oldest
// first within a purchase; different purchases are applied in parallel.
// An event that cannot be applied (not yet, or Telegram failing while
// seating its buyer) stays pending for the next pass, holding up only the
// later events of its own purchase: the pass walks on past it, however
// many wait. Only a failing store ends the pass with an error.
func (s *Service) ProcessPending(ctx context.Context, now time.Time) error {
	var after PaymentEvent
	blocked := map[string]bool{} // purchases with an event left pending
	for {
		events, err := s.Inbox.PendingEventsAfter(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("list pending payment events: %w", err)
		}
		if err := s.processPage(ctx, events, blocked, now); err != nil {
			return err
		}
		if len(events) < pageSize {
			return nil
		}
		after = events[len(events)-1]
	}
}

// processPage applies one page of events, the events of each purchase in
// order, and adds the purchases left pending to blocked.
func (s *Service) processPage(ctx context.Context, events []PaymentEvent, blocked map[string]bool, now time.Time) error {
	var (
		order    []string
		byKey    = map[string][]PaymentEvent{}
		mu       sync.Mutex
		storeErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, processWorkers)
	)
	for _, e := range events {
		k := purchaseKey(e)
		if blocked[k] {
			continue // an earlier event of this purchase waits
		}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], e)
	}
	for _, k := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(k string, events []PaymentEvent) {
			defer func() { <-sem; wg.Done() }()
			err := s.applyInOrder(ctx, events, now)
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			blocked[k] = true
			if !errors.Is(err, errLeftPending) {
				storeErr = errors.Join(storeErr, err)
			}
		}(k, byKey[k])
	}
	wg.Wait()
	return storeErr
}

// errLeftPending reports that an event of a purchase stays pending.
var errLeftPending = errors.New("payment event left pending")

// applyInOrder applies the events of one purchase until one cannot be
// applied; it returns errLeftPending then, or the store's error when an
// event could not be marked finished.
func (s *Service) applyInOrder(ctx context.Context, events []PaymentEvent, now time.Time) error {
	for _, e := range events {
		outcome, err := s.safeApply(ctx, e, now)
		switch {
		case shequn.ErrorCode(err) == shequn.CodeNotYet:
			s.Log.InfoContext(ctx, "payment event waits", "event", e.ID, "reason", err.Error())
			return errLeftPending
		case err != nil:
			s.Log.WarnContext(ctx, "payment event stays pending", "event", e.ID, "err", err)
			return errLeftPending
		}
		if err := s.Inbox.FinishEvent(ctx, e.ID, outcome, now); err != nil {
			return fmt.Errorf("finish payment event %s: %w", e.ID, err)
		}
	}
	return nil
}

// safeApply applies an event, turning a panic into an error so that one
// bad event is logged and left pending instead of ending the process.
func (s *Service) safeApply(ctx context.Context, e PaymentEvent, now time.Time) (outcome string, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.Log.ErrorContext(ctx, "panic while applying a payment event", "event", e.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			outcome, err = "", fmt.Errorf("panic: %v", p)
		}
	}()
	return s.apply(ctx, e, now)
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
		return s.applyPaid(ctx, e, now)
	case EventForeign:
		s.Log.InfoContext(ctx, "payment event of another product dropped", "event", e.ID, "order", e.OrderID, "payment_intent", e.PaymentIntent)
		return OutcomeForeign, nil
	case EventRefunded, EventDisputed:
		status := OrderRefunded
		if e.Kind == EventDisputed {
			status = OrderDisputed
		}
		en, err := s.Store.RevokePayment(ctx, e.PaymentIntent, status, now)
		if errors.Is(err, shequn.ErrNotFound) {
			return s.unknownPayment(ctx, e, now)
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
	return "", shequn.Errorf(shequn.CodeInvalid, "unknown event kind %q", e.Kind)
}

// applyPaid enrolls and seats the buyer of a paid event whose amount and
// currency match the course's price.
func (s *Service) applyPaid(ctx context.Context, e PaymentEvent, now time.Time) (string, error) {
	course, ok := s.Courses[e.Course]
	if !ok {
		// The money is real even if the course left the configuration:
		// keep the event until an operator puts the course back.
		return "", shequn.Errorf(shequn.CodeNotYet, "course %q is not configured", e.Course)
	}
	alert, err := s.checkPaid(ctx, course, e)
	if err != nil {
		return "", err
	}
	if alert != nil {
		s.Log.ErrorContext(ctx, "payment does not match the course's price: nobody enrolled", "event", e.ID, "order", e.OrderID,
			"user", e.UserID, "course", course.ID, "paid", e.Amount, "paid_currency", e.Currency, "price", alert.Price, "currency", alert.Currency)
		s.alertOwners(ctx, *alert)
		return OutcomeMismatch, nil
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
	return OutcomeEnrolled, nil
}

// unknownPayment decides on a refund or dispute whose payment has no
// order: another product's is dropped at once; one of shequn's waits for
// its payment event up to OrphanAfter, then is put aside.
func (s *Service) unknownPayment(ctx context.Context, e PaymentEvent, now time.Time) (string, error) {
	ours := e.Course != ""
	if !ours && s.Origins != nil {
		var err error
		if _, ours, err = s.Origins.Ours(ctx, e.PaymentIntent); err != nil {
			return "", fmt.Errorf("tell whose payment %s is: %w", e.PaymentIntent, err)
		}
		if !ours {
			s.Log.InfoContext(ctx, "refund or dispute of another product's payment dropped", "event", e.ID, "payment_intent", e.PaymentIntent)
			return OutcomeForeign, nil
		}
	}
	if now.Sub(e.Created) < s.orphanAfter() {
		return "", shequn.Errorf(shequn.CodeNotYet, "payment %s is not known yet", e.PaymentIntent)
	}
	s.Log.WarnContext(ctx, "refund or dispute for an unknown payment put aside", "event", e.ID, "payment_intent", e.PaymentIntent)
	return OutcomeUnknownPayment, nil
}

func (s *Service) orphanAfter() time.Duration {
	if s.OrphanAfter > 0 {
		return s.OrphanAfter
	}
	return 72 * time.Hour
}
