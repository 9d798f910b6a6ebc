// Package membership owns courses, orders, enrollments and member numbers:
// buying a course is the ticket into the community, and the member number is
// the student's identity in it.
//
// The package knows nothing of Telegram, Stripe or a database: payment events
// arrive already translated into PaymentEvent, and storage is reached through
// the interfaces declared here.
package membership

import (
	"context"
	"fmt"
	"time"
)

// Course is something a student can buy; it comes from the configuration.
type Course struct {
	ID             string   // short and stable, e.g. "ppt"
	Title          string   // shown to buyers
	Prefix         string   // member-number prefix, e.g. "PPT"
	StripePrice    string   // a Stripe Price id, or empty when Amount is set
	Amount         int64    // price in minor units when StripePrice is empty
	Currency       string   // ISO code in lower case, with Amount
	PaymentMethods []string // Stripe payment method types
}

// MemberNumber formats the n-th number of the course, e.g. "PPT-00042".
func (c Course) MemberNumber(n int) string {
	return FormatNumber(c.Prefix, n)
}

// FormatNumber formats a member number from a prefix and a sequence number.
func FormatNumber(prefix string, n int) string {
	return fmt.Sprintf("%s-%05d", prefix, n)
}

// OrderStatus is where an order stands with the payment provider.
type OrderStatus string

// Order statuses. A refunded or disputed order keeps its row: the history of
// who paid what is never deleted.
const (
	OrderPaid     OrderStatus = "paid"
	OrderRefunded OrderStatus = "refunded"
	OrderDisputed OrderStatus = "disputed"
)

// Order is one completed purchase of a course.
type Order struct {
	ID            string // the provider's checkout id; unique
	Course        string
	UserID        int64
	PaymentIntent string // the provider's payment id; refunds and disputes name only this
	Amount        int64
	Currency      string
	Status        OrderStatus
	PaidAt        time.Time
	UpdatedAt     time.Time
}

// EnrollmentStatus tells whether an enrollment still grants a seat.
type EnrollmentStatus string

// Enrollment statuses.
const (
	EnrollmentActive  EnrollmentStatus = "active"
	EnrollmentRevoked EnrollmentStatus = "revoked"
)

// Enrollment is a user's membership of a course. There is at most one per
// (course, user); its number is given once and kept for good, so a student
// who is refunded and buys again gets the same number back, and no number is
// ever given to someone else.
type Enrollment struct {
	Course     string
	UserID     int64
	Number     int // sequence within the course; see Course.MemberNumber
	OrderID    string
	Status     EnrollmentStatus
	EnrolledAt time.Time
	UpdatedAt  time.Time
}

// Active reports whether the enrollment grants a seat.
func (e Enrollment) Active() bool { return e.Status == EnrollmentActive }

// EventKind is what a payment event means for the community.
type EventKind string

// Payment event kinds.
const (
	EventPaid     EventKind = "paid"
	EventRefunded EventKind = "refunded"
	EventDisputed EventKind = "disputed"
	// EventForeign is a payment of another product sold on the same
	// provider account: it is recorded and dropped at once.
	EventForeign EventKind = "foreign"
)

// Outcomes recorded on processed payment events, for the record and for
// operators reading it.
const (
	OutcomeEnrolled = "enrolled"
	// OutcomeMismatch: the amount or currency paid is not the course's
	// price; nobody was enrolled and the owners were alerted.
	OutcomeMismatch = "amount_mismatch"
	// OutcomeForeign: the event belongs to another product's payment.
	OutcomeForeign = "foreign"
	// OutcomeUnknownPayment: a refund or dispute of one of shequn's
	// payments that never arrived, put aside after OrphanAfter.
	OutcomeUnknownPayment = "unknown_payment"
)

// PaymentEvent is a provider's webhook translated into domain terms. Paid
// events carry the order; refunds and disputes carry only PaymentIntent.
type PaymentEvent struct {
	ID            string // the provider's event id; processing is idempotent on it
	Kind          EventKind
	OrderID       string
	PaymentIntent string
	Course        string
	UserID        int64
	Amount        int64
	Currency      string
	Created       time.Time // when the provider created the event
	Received      time.Time
	// Outcome and Processed are set once the event is processed; only
	// EventLog.Event reads them back.
	Outcome   string
	Processed time.Time
}

// EventInbox keeps payment events between the webhook that received them and
// the processor that applies them, so the webhook can answer at once and a
// crash loses nothing.
type EventInbox interface {
	// AddEvent stores e unless an event with its ID is stored already, and
	// reports whether it was new.
	AddEvent(ctx context.Context, e PaymentEvent) (bool, error)
	// PendingEvents returns up to limit unprocessed events, oldest Created
	// first.
	PendingEvents(ctx context.Context, limit int) ([]PaymentEvent, error)
	// PendingEventsAfter returns up to limit unprocessed events that come
	// after the event after in that same order (oldest Created, then
	// Received, then ID); the zero event starts at the beginning. It lets a
	// pass walk past events that must wait.
	PendingEventsAfter(ctx context.Context, after PaymentEvent, limit int) ([]PaymentEvent, error)
	// FinishEvent marks an event processed, with a short outcome for the
	// record.
	FinishEvent(ctx context.Context, id, outcome string, at time.Time) error
}

// EventLog reads a stored payment event back with its outcome, so that an
// event put aside (a mismatched amount, another product's refund) stays
// visible to operators and tests.
type EventLog interface {
	// Event returns the stored event with that id, or shequn.ErrNotFound.
	Event(ctx context.Context, id string) (PaymentEvent, error)
}

// CheckoutSession is a payment page opened for a buyer, kept so that a
// buyer who taps Buy again gets the same page while it is open.
type CheckoutSession struct {
	Course    string
	UserID    int64
	ID        string // the provider's session id; the order id once paid
	URL       string
	ExpiresAt time.Time
}

// Store keeps orders and enrollments. Every method is atomic on its own; no
// method needs a transaction spanning calls.
type Store interface {
	// RecordPayment stores the paid order o (a no-op when it is stored
	// already) and makes the buyer's enrollment in o.Course active, giving
	// it the course's next member number when the buyer has none. Calling it
	// again with the same order returns the same enrollment.
	RecordPayment(ctx context.Context, o Order) (Enrollment, error)
	// RevokePayment sets the order paid through paymentIntent to status and
	// revokes the enrollment it paid for, when that order is the one the
	// enrollment rests on. It returns shequn.ErrNotFound when no order has that
	// payment intent.
	RevokePayment(ctx context.Context, paymentIntent string, status OrderStatus, at time.Time) (Enrollment, error)
	// Enrollment returns the user's enrollment in a course, or shequn.ErrNotFound.
	Enrollment(ctx context.Context, course string, userID int64) (Enrollment, error)
	// Enrollments returns every enrollment of a user, active or not.
	Enrollments(ctx context.Context, userID int64) ([]Enrollment, error)
	// Orders returns every order of a user, newest first.
	Orders(ctx context.Context, userID int64) ([]Order, error)
}
