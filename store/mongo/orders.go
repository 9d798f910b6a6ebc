package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

type orderDoc struct {
	ID            string     `bson:"_id"`
	Course        string     `bson:"course"`
	UserID        int64      `bson:"user_id"`
	PaymentIntent string     `bson:"payment_intent"`
	Amount        int64      `bson:"amount"`
	Currency      string     `bson:"currency"`
	Status        string     `bson:"status"`
	PaidAt        *time.Time `bson:"paid_at,omitempty"`
	UpdatedAt     *time.Time `bson:"updated_at,omitempty"`
}

func (o orderDoc) order() membership.Order {
	return membership.Order{ID: o.ID, Course: o.Course, UserID: o.UserID, PaymentIntent: o.PaymentIntent,
		Amount: o.Amount, Currency: o.Currency, Status: membership.OrderStatus(o.Status),
		PaidAt: val(o.PaidAt), UpdatedAt: val(o.UpdatedAt)}
}

type enrollmentDoc struct {
	ID         string     `bson:"_id"`
	Course     string     `bson:"course"`
	UserID     int64      `bson:"user_id"`
	Number     int        `bson:"number"`
	OrderID    string     `bson:"order_id"`
	Status     string     `bson:"status"`
	EnrolledAt *time.Time `bson:"enrolled_at,omitempty"`
	UpdatedAt  *time.Time `bson:"updated_at,omitempty"`
	// Orders lists every order applied to the enrollment, so that a
	// payment recorded again after a crash is told from a replay.
	Orders []string `bson:"orders"`
}

func (e enrollmentDoc) enrollment() membership.Enrollment {
	return membership.Enrollment{Course: e.Course, UserID: e.UserID, Number: e.Number, OrderID: e.OrderID,
		Status: membership.EnrollmentStatus(e.Status), EnrolledAt: val(e.EnrolledAt), UpdatedAt: val(e.UpdatedAt)}
}

// key is the _id of a member's enrollment and seat in a course. The user id
// comes last and has no "/", so no two pairs share a key.
func key(course string, userID int64) string {
	return course + "/" + strconv.FormatInt(userID, 10)
}

// RecordPayment stores the paid order o (a no-op when it is stored already)
// and makes the buyer's enrollment in the order's course active, giving it
// the course's next member number when the buyer has none. It behaves as
// the SQLite adapter's does.
//
// Writes, in order: the order; the course's number counter ($inc, for a
// new member); the enrollment. A crash after the order leaves an order that
// no enrollment lists yet, and recording it again applies it, since whether
// an order is applied is read from the enrollment's list of orders, not
// from the order's being stored. A crash after the counter, or a concurrent
// first payment of the same buyer that loses the insert, skips a number; a
// number is never given twice (unique index on course and number), and a
// counter found behind the numbers given is moved up (see enroll).
//
// After writing the enrollment it reads the order's status again: a refund
// that RevokePayment stored meanwhile, before the enrollment rested on the
// order, is applied here, so that the two never leave an active enrollment
// on a refunded order.
func (db *DB) RecordPayment(ctx context.Context, o membership.Order) (membership.Enrollment, error) {
	e, err := db.recordPayment(ctx, o)
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("record payment %s: %w", o.ID, err)
	}
	return e, nil
}

func (db *DB) recordPayment(ctx context.Context, o membership.Order) (membership.Enrollment, error) {
	if o.Status == "" {
		o.Status = membership.OrderPaid
	}
	at := o.UpdatedAt
	if at.IsZero() {
		at = o.PaidAt
	}
	stored := orderDoc{ID: o.ID, Course: o.Course, UserID: o.UserID, PaymentIntent: o.PaymentIntent,
		Amount: o.Amount, Currency: o.Currency, Status: string(o.Status), PaidAt: opt(o.PaidAt), UpdatedAt: opt(o.UpdatedAt)}
	err := db.insert(ctx, db.orders, stored)
	if isDup(err) {
		// The stored order wins over a replay that disagrees with it.
		err = findOne(ctx, db.orders, bson.M{"_id": o.ID}, &stored)
	}
	if err != nil {
		return membership.Enrollment{}, err
	}
	for range retries {
		var cur enrollmentDoc
		err := findOne(ctx, db.enrollments, bson.M{"_id": key(stored.Course, stored.UserID)}, &cur)
		exists := err == nil
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return membership.Enrollment{}, err
		}
		switch {
		case stored.Status != string(membership.OrderPaid) && exists:
			return cur.enrollment(), nil
		case stored.Status != string(membership.OrderPaid):
			return membership.Enrollment{Course: stored.Course, UserID: stored.UserID, OrderID: o.ID,
				Status: membership.EnrollmentRevoked}, nil
		case exists && cur.Status == string(membership.EnrollmentActive) && slices.Contains(cur.Orders, o.ID):
			return cur.enrollment(), nil
		case exists:
			err = db.modify(ctx, db.enrollments, bson.M{"_id": cur.ID}, bson.M{
				"$set":      bson.M{"order_id": o.ID, "status": membership.EnrollmentActive, "updated_at": opt(at)},
				"$addToSet": bson.M{"orders": o.ID},
			}, &cur, nil)
		default:
			cur, err = db.enroll(ctx, stored, at)
			if isDup(err) {
				continue // a concurrent call enrolled the buyer: apply o to that enrollment
			}
		}
		if err != nil {
			return membership.Enrollment{}, err
		}
		return db.recheck(ctx, cur, at)
	}
	return membership.Enrollment{}, errRace
}

// enroll inserts a new active enrollment resting on o, with the course's
// next member number. A duplicate key means that the buyer was enrolled
// meanwhile, or that the number is taken: the counter is behind the
// enrollments (restored from an older backup, say). Either way it moves the
// counter up to the highest number given, so that trying again works.
func (db *DB) enroll(ctx context.Context, o orderDoc, at time.Time) (enrollmentDoc, error) {
	counter := "number/" + o.Course
	n, err := db.next(ctx, counter)
	if err != nil {
		return enrollmentDoc{}, err
	}
	e := enrollmentDoc{ID: key(o.Course, o.UserID), Course: o.Course, UserID: o.UserID, Number: int(n), OrderID: o.ID,
		Status: string(membership.EnrollmentActive), EnrolledAt: opt(at), UpdatedAt: opt(at), Orders: []string{o.ID}}
	err = db.insert(ctx, db.enrollments, e)
	if isDup(err) {
		var last enrollmentDoc
		if err := findOne(ctx, db.enrollments, bson.M{"course": o.Course}, &last,
			options.FindOne().SetSort(order("course", "-number"))); err != nil {
			return enrollmentDoc{}, err
		}
		if _, err := db.update(ctx, db.counters, bson.M{"_id": counter},
			bson.M{"$max": bson.M{"n": int64(last.Number)}}); err != nil {
			return enrollmentDoc{}, fmt.Errorf("counter %s: %w", counter, err)
		}
	}
	return e, err
}

// recheck revokes e, which was just made to rest on an order, when the
// order was refunded or disputed meanwhile.
func (db *DB) recheck(ctx context.Context, e enrollmentDoc, at time.Time) (membership.Enrollment, error) {
	var o orderDoc
	if err := findOne(ctx, db.orders, bson.M{"_id": e.OrderID}, &o); err != nil {
		return membership.Enrollment{}, err
	}
	if o.Status == string(membership.OrderPaid) {
		return e.enrollment(), nil
	}
	if o.UpdatedAt != nil {
		at = *o.UpdatedAt
	}
	return db.revoke(ctx, e.ID, o.ID, at)
}

// next returns the next value of the named counter, starting at 1.
func (db *DB) next(ctx context.Context, name string) (int64, error) {
	var c struct {
		N int64 `bson:"n"`
	}
	opts := options.FindOneAndUpdate().SetUpsert(true)
	err := db.modify(ctx, db.counters, bson.M{"_id": name}, bson.M{"$inc": bson.M{"n": int64(1)}}, &c, opts)
	if isDup(err) {
		// Two first upserts raced and one inserted; the other updates now.
		err = db.modify(ctx, db.counters, bson.M{"_id": name}, bson.M{"$inc": bson.M{"n": int64(1)}}, &c, opts)
	}
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return c.N, nil
}

// RevokePayment sets the order paid through paymentIntent to status and
// revokes the enrollment it paid for, when that order is the one the
// enrollment rests on. It returns the enrollment, which stays active when it
// rests on another order, and ErrNotFound when no order has that payment
// intent (or the order has no enrollment).
//
// Writes, in order: the order's status, then the enrollment, conditionally
// on resting on that order. Both are idempotent, so a crash between them is
// finished by revoking again.
func (db *DB) RevokePayment(ctx context.Context, paymentIntent string, status membership.OrderStatus, at time.Time) (membership.Enrollment, error) {
	e, err := db.revokePayment(ctx, paymentIntent, status, at)
	if err != nil {
		return membership.Enrollment{}, fmt.Errorf("revoke payment %s: %w", paymentIntent, err)
	}
	return e, nil
}

func (db *DB) revokePayment(ctx context.Context, paymentIntent string, status membership.OrderStatus, at time.Time) (membership.Enrollment, error) {
	if paymentIntent == "" {
		return membership.Enrollment{}, shequn.ErrNotFound
	}
	var o orderDoc
	err := findOne(ctx, db.orders, bson.M{"payment_intent": paymentIntent}, &o,
		options.FindOne().SetSort(order("-paid_at", "-_id")))
	if err != nil {
		return membership.Enrollment{}, notFound(err)
	}
	if _, err := db.update(ctx, db.orders, bson.M{"_id": o.ID},
		bson.M{"$set": bson.M{"status": status, "updated_at": opt(at)}}); err != nil {
		return membership.Enrollment{}, err
	}
	return db.revoke(ctx, key(o.Course, o.UserID), o.ID, at)
}

// revoke revokes the enrollment with the id when it rests on the order, and
// returns it as it is then; ErrNotFound when there is none.
func (db *DB) revoke(ctx context.Context, id, orderID string, at time.Time) (membership.Enrollment, error) {
	var e enrollmentDoc
	err := db.modify(ctx, db.enrollments,
		bson.M{"_id": id, "order_id": orderID, "status": bson.M{"$ne": membership.EnrollmentRevoked}},
		bson.M{"$set": bson.M{"status": membership.EnrollmentRevoked, "updated_at": opt(at)}}, &e, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Already revoked, or resting on another order: report it as it is.
		err = findOne(ctx, db.enrollments, bson.M{"_id": id}, &e)
	}
	if err != nil {
		return membership.Enrollment{}, notFound(err)
	}
	return e.enrollment(), nil
}

// Enrollment returns the user's enrollment in a course, or ErrNotFound.
func (db *DB) Enrollment(ctx context.Context, course string, userID int64) (membership.Enrollment, error) {
	var e enrollmentDoc
	if err := findOne(ctx, db.enrollments, bson.M{"_id": key(course, userID)}, &e); err != nil {
		return membership.Enrollment{}, fmt.Errorf("enrollment %s/%d: %w", course, userID, notFound(err))
	}
	return e.enrollment(), nil
}

// EnrollmentByNumber returns the enrollment holding the member number.
func (db *DB) EnrollmentByNumber(ctx context.Context, course string, number int) (membership.Enrollment, error) {
	var e enrollmentDoc
	if err := findOne(ctx, db.enrollments, bson.M{"course": course, "number": number}, &e); err != nil {
		return membership.Enrollment{}, fmt.Errorf("enrollment %s #%d: %w", course, number, notFound(err))
	}
	return e.enrollment(), nil
}

// Enrollments returns every enrollment of a user, active or not, by course.
func (db *DB) Enrollments(ctx context.Context, userID int64) ([]membership.Enrollment, error) {
	docs, err := findAll[enrollmentDoc](ctx, db.enrollments, bson.M{"user_id": userID},
		options.Find().SetSort(order("user_id", "course")))
	if err != nil {
		return nil, fmt.Errorf("enrollments of %d: %w", userID, err)
	}
	es := make([]membership.Enrollment, len(docs))
	for i, d := range docs {
		es[i] = d.enrollment()
	}
	return es, nil
}

// Orders returns every order of a user, newest first.
func (db *DB) Orders(ctx context.Context, userID int64) ([]membership.Order, error) {
	docs, err := findAll[orderDoc](ctx, db.orders, bson.M{"user_id": userID},
		options.Find().SetSort(order("user_id", "-paid_at", "-_id")))
	if err != nil {
		return nil, fmt.Errorf("orders of %d: %w", userID, err)
	}
	orders := make([]membership.Order, len(docs))
	for i, d := range docs {
		orders[i] = d.order()
	}
	return orders, nil
}
