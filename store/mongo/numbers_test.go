package mongo

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shequn/shequn/membership"
)

// The unique index on (course, number) is the last line of defence of
// member numbers: the store refuses a second enrollment with a taken
// number, and a counter knocked back (an old backup restored) is moved up
// instead of giving a number twice.
func TestTakenNumberRefused(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pay := func(id string, user int64) membership.Order {
		return membership.Order{ID: id, Course: "ppt", UserID: user, PaymentIntent: "pi_" + id, Status: membership.OrderPaid, PaidAt: at}
	}
	first, err := db.RecordPayment(ctx, pay("cs_1", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.enrollments.InsertOne(ctx, enrollmentDoc{ID: key("ppt", 2), Course: "ppt", UserID: 2, Number: first.Number,
		OrderID: "cs_2", Status: string(membership.EnrollmentActive), Orders: []string{"cs_2"}})
	if !isDup(err) {
		t.Fatalf("a second enrollment with number %d: %v, want a duplicate key error", first.Number, err)
	}
	if _, err := db.counters.UpdateOne(ctx, bson.M{"_id": "number/ppt"}, bson.M{"$set": bson.M{"n": int64(0)}}); err != nil {
		t.Fatal(err)
	}
	var got membership.Enrollment
	for range 3 { // the first try may fail on the taken number and move the counter up
		if got, err = db.RecordPayment(ctx, pay("cs_3", 3)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if got.Number == first.Number {
		t.Fatalf("number %d given twice", got.Number)
	}
	n, err := db.enrollments.CountDocuments(ctx, bson.M{"course": "ppt", "number": first.Number})
	if err != nil || n != 1 {
		t.Errorf("%d enrollments hold number %d (%v)", n, first.Number, err)
	}
}
