package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shequn/shequn/membership"
)

var (
	qInsertOrder = stmt(`INSERT INTO orders
		(id, course, user_id, payment_intent, amount, currency, status, paid_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	qOrderStatus      = stmt(`SELECT course, user_id, status FROM orders WHERE id = ?`)
	qOrderByIntent    = stmt(`SELECT id FROM orders WHERE payment_intent = ? AND payment_intent <> '' ORDER BY rowid DESC LIMIT 1`)
	qSetOrderStatus   = stmt(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ? RETURNING course, user_id`)
	qOrdersByUser     = stmt(`SELECT ` + orderCols + ` FROM orders WHERE user_id = ? ORDER BY paid_at DESC, rowid DESC`)
	qNextNumber       = stmt(`INSERT INTO course_counters (course, last_number) VALUES (?, 1) ON CONFLICT (course) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`)
	qEnrollment       = stmt(`SELECT ` + enrollmentCols + ` FROM enrollments WHERE course = ? AND user_id = ?`)
	qEnrollmentByNum  = stmt(`SELECT ` + enrollmentCols + ` FROM enrollments WHERE course = ? AND number = ?`)
	qEnrollmentByUser = stmt(`SELECT ` + enrollmentCols + ` FROM enrollments WHERE user_id = ? ORDER BY course`)
	qInsertEnrollment = stmt(`INSERT INTO enrollments (course, user_id, number, order_id, status, enrolled_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	qUpdateEnrollment = stmt(`UPDATE enrollments SET order_id = ?, status = ?, updated_at = ? WHERE course = ? AND user_id = ?`)
	qRevokeEnrollment = stmt(`UPDATE enrollments SET status = ?, updated_at = ?
		WHERE course = ? AND user_id = ? AND order_id = ? AND status <> ?
		RETURNING ` + enrollmentCols)
)

const (
	orderCols      = `id, course, user_id, payment_intent, amount, currency, status, paid_at, updated_at`
	enrollmentCols = `course, user_id, number, order_id, status, enrolled_at, updated_at`
)

func scanOrder(s scanner) (membership.Order, error) {
	var o membership.Order
	err := s.Scan(&o.ID, &o.Course, &o.UserID, &o.PaymentIntent, &o.Amount, &o.Currency, &o.Status,
		tcol(&o.PaidAt), tcol(&o.UpdatedAt))
	return o, err
}

func scanEnrollment(s scanner) (membership.Enrollment, error) {
	var e membership.Enrollment
	err := s.Scan(&e.Course, &e.UserID, &e.Number, &e.OrderID, &e.Status, tcol(&e.EnrolledAt), tcol(&e.UpdatedAt))
	return e, err
}

// RecordPayment stores the paid order o (a no-op when it is stored already)
// and makes the buyer's enrollment in the order's course active, giving it
// the course's next member number when the buyer has none.
//
// The enrollment is left as it is when the order is stored already and was
// refunded or disputed since, or when the enrollment is active already and
// the order is not new; otherwise the enrollment rests on o from now on.
// An order stored with a status other than paid and no enrollment yields a
// revoked enrollment that is not stored and has no number.
func (db *DB) RecordPayment(ctx context.Context, o membership.Order) (membership.Enrollment, error) {
	if o.Status == "" {
		o.Status = membership.OrderPaid
	}
	at := o.UpdatedAt
	if at.IsZero() {
		at = o.PaidAt
	}
	var e membership.Enrollment
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qInsertOrder, o.ID, o.Course, o.UserID, o.PaymentIntent, o.Amount, o.Currency,
			string(o.Status), ts(o.PaidAt), ts(o.UpdatedAt))
		if err != nil {
			return err
		}
		isNew := n == 1
		status := o.Status
		if !isNew {
			// The stored order wins over a replay that disagrees with it.
			if err := t.queryRow(qOrderStatus, o.ID).Scan(&o.Course, &o.UserID, &status); err != nil {
				return err
			}
		}
		e, err = scanEnrollment(t.queryRow(qEnrollment, o.Course, o.UserID))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case status != membership.OrderPaid && exists:
			return nil
		case status != membership.OrderPaid:
			e = membership.Enrollment{Course: o.Course, UserID: o.UserID, OrderID: o.ID, Status: membership.EnrollmentRevoked}
			return nil
		case exists && e.Active() && !isNew:
			return nil
		case exists:
			e.OrderID, e.Status, e.UpdatedAt = o.ID, membership.EnrollmentActive, at.UTC()
			_, err := t.exec(qUpdateEnrollment, e.OrderID, string(e.Status), ts(at), e.Course, e.UserID)
			return err
		}
		if err := t.queryRow(qNextNumber, o.Course).Scan(&e.Number); err != nil {
			return err
		}
		e = membership.Enrollment{Course: o.Course, UserID: o.UserID, Number: e.Number, OrderID: o.ID,
			Status: membership.EnrollmentActive, EnrolledAt: at.UTC(), UpdatedAt: at.UTC()}
		_, err = t.exec(qInsertEnrollment, e.Course, e.UserID, e.Number, e.OrderID, string(e.Status), ts(at), ts(at))
		return err
	})
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("record payment %s: %w", o.ID, err)
	}
	return e, nil
}

// RevokePayment sets the order paid through paymentIntent to status and
// revokes the enrollment it paid for, when that order is the one the
// enrollment rests on. It returns the enrollment, which stays active when it
// rests on another order, and ErrNotFound when no order has that payment
// intent (or the order has no enrollment).
func (db *DB) RevokePayment(ctx context.Context, paymentIntent string, status membership.OrderStatus, at time.Time) (membership.Enrollment, error) {
	var e membership.Enrollment
	err := db.write(ctx, func(t *tx) error {
		var orderID, course string
		var userID int64
		if err := t.queryRow(qOrderByIntent, paymentIntent).Scan(&orderID); err != nil {
			return notFound(err)
		}
		if err := t.queryRow(qSetOrderStatus, string(status), ts(at), orderID).Scan(&course, &userID); err != nil {
			return err
		}
		var err error
		e, err = scanEnrollment(t.queryRow(qRevokeEnrollment, string(membership.EnrollmentRevoked), ts(at),
			course, userID, orderID, string(membership.EnrollmentRevoked)))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Already revoked, or resting on another order: report it as it is.
		e, err = scanEnrollment(t.queryRow(qEnrollment, course, userID))
		return notFound(err)
	})
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("revoke payment %s: %w", paymentIntent, err)
	}
	return e, nil
}

// Enrollment returns the user's enrollment in a course, or ErrNotFound.
func (db *DB) Enrollment(ctx context.Context, course string, userID int64) (membership.Enrollment, error) {
	e, err := scanEnrollment(db.queryRow(ctx, qEnrollment, course, userID))
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("enrollment %s/%d: %w", course, userID, notFound(err))
	}
	return e, nil
}

// EnrollmentByNumber returns the enrollment holding the member number.
func (db *DB) EnrollmentByNumber(ctx context.Context, course string, number int) (membership.Enrollment, error) {
	e, err := scanEnrollment(db.queryRow(ctx, qEnrollmentByNum, course, number))
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("enrollment %s #%d: %w", course, number, notFound(err))
	}
	return e, nil
}

// Enrollments returns every enrollment of a user, active or not, by course.
func (db *DB) Enrollments(ctx context.Context, userID int64) ([]membership.Enrollment, error) {
	rows, err := db.query(ctx, qEnrollmentByUser, userID)
	es, err := collect(rows, err, scanEnrollment)
	if err != nil {
		return nil, fmt.Errorf("enrollments of %d: %w", userID, err)
	}
	return es, nil
}

// Orders returns every order of a user, newest first.
func (db *DB) Orders(ctx context.Context, userID int64) ([]membership.Order, error) {
	rows, err := db.query(ctx, qOrdersByUser, userID)
	orders, err := collect(rows, err, scanOrder)
	if err != nil {
		return nil, fmt.Errorf("orders of %d: %w", userID, err)
	}
	return orders, nil
}
