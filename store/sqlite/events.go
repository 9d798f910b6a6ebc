package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn/membership"
)

var (
	qAddEvent = stmt(`INSERT INTO payment_events
		(id, kind, order_id, payment_intent, course, user_id, amount, currency, created_at, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	qPendingEvents = stmt(`SELECT id, kind, order_id, payment_intent, course, user_id, amount, currency, created_at, received_at
		FROM payment_events WHERE processed_at IS NULL
		ORDER BY created_at, received_at, id LIMIT ?`)
	// NULL times sort first, as 0 would: the cursor compares them as 0.
	qPendingEventsAfter = stmt(`SELECT id, kind, order_id, payment_intent, course, user_id, amount, currency, created_at, received_at
		FROM payment_events WHERE processed_at IS NULL
		AND (IFNULL(created_at, 0), IFNULL(received_at, 0), id) > (?, ?, ?)
		ORDER BY created_at, received_at, id LIMIT ?`)
	qEvent = stmt(`SELECT id, kind, order_id, payment_intent, course, user_id, amount, currency, created_at, received_at,
		outcome, processed_at FROM payment_events WHERE id = ?`)
	qFinishEvent = stmt(`UPDATE payment_events SET processed_at = ?, outcome = ?
		WHERE id = ? AND processed_at IS NULL`)
	qEventExists = stmt(`SELECT 1 FROM payment_events WHERE id = ?`)
)

func scanEvent(s scanner) (membership.PaymentEvent, error) {
	var e membership.PaymentEvent
	err := s.Scan(&e.ID, &e.Kind, &e.OrderID, &e.PaymentIntent, &e.Course, &e.UserID, &e.Amount, &e.Currency,
		tcol(&e.Created), tcol(&e.Received))
	return e, err
}

// AddEvent stores e unless an event with its ID is stored already, and
// reports whether it was new. The commit is durable (see writeDurable):
// once the webhook answered Stripe 2xx, Stripe never sends the event
// again, so a power loss must not take it back.
func (db *DB) AddEvent(ctx context.Context, e membership.PaymentEvent) (bool, error) {
	var added bool
	err := db.writeDurable(ctx, func(t *tx) error {
		n, err := t.exec(qAddEvent, e.ID, string(e.Kind), e.OrderID, e.PaymentIntent, e.Course, e.UserID,
			e.Amount, e.Currency, ts(e.Created), ts(e.Received))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add payment event %s: %w", e.ID, err)
	}
	return added, nil
}

// PendingEvents returns up to limit unprocessed events, oldest Created
// first, then oldest Received, then by id.
func (db *DB) PendingEvents(ctx context.Context, limit int) ([]membership.PaymentEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, qPendingEvents, limit)
	events, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("pending payment events: %w", err)
	}
	return events, nil
}

// PendingEventsAfter returns up to limit unprocessed events that come after
// the event after in the order of PendingEvents; the zero event starts at
// the beginning.
func (db *DB) PendingEventsAfter(ctx context.Context, after membership.PaymentEvent, limit int) ([]membership.PaymentEvent, error) {
	if after.ID == "" {
		return db.PendingEvents(ctx, limit)
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, qPendingEventsAfter, mark(after.Created), mark(after.Received), after.ID, limit)
	events, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("pending payment events after %s: %w", after.ID, err)
	}
	return events, nil
}

// Event returns the stored event with that id, with its outcome once
// processed, or ErrNotFound.
func (db *DB) Event(ctx context.Context, id string) (membership.PaymentEvent, error) {
	var e membership.PaymentEvent
	var processed *int64
	err := db.queryRow(ctx, qEvent, id).Scan(&e.ID, &e.Kind, &e.OrderID, &e.PaymentIntent, &e.Course, &e.UserID,
		&e.Amount, &e.Currency, tcol(&e.Created), tcol(&e.Received), &e.Outcome, &processed)
	if err != nil {
		return membership.PaymentEvent{}, fmt.Errorf("payment event %s: %w", id, notFound(err))
	}
	if processed != nil && *processed != 0 {
		e.Processed = time.Unix(0, *processed).UTC()
	}
	return e, nil
}

// FinishEvent marks an event processed, with a short outcome for the
// record. An event finished already keeps its first outcome; an unknown
// event is ErrNotFound.
func (db *DB) FinishEvent(ctx context.Context, id, outcome string, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qFinishEvent, mark(at), outcome, id)
		if err != nil || n == 1 {
			return err
		}
		var one int
		return notFound(t.queryRow(qEventExists, id).Scan(&one))
	})
	if err != nil {
		return fmt.Errorf("finish payment event %s: %w", id, err)
	}
	return nil
}
