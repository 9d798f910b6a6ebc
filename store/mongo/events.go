package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/shequn/shequn/membership"
)

type eventDoc struct {
	ID            string     `bson:"_id"`
	Kind          string     `bson:"kind"`
	OrderID       string     `bson:"order_id"`
	PaymentIntent string     `bson:"payment_intent"`
	Course        string     `bson:"course"`
	UserID        int64      `bson:"user_id"`
	Amount        int64      `bson:"amount"`
	Currency      string     `bson:"currency"`
	CreatedAt     *time.Time `bson:"created_at,omitempty"`
	ReceivedAt    *time.Time `bson:"received_at,omitempty"`
	ProcessedAt   *time.Time `bson:"processed_at,omitempty"`
	Outcome       string     `bson:"outcome,omitempty"`
}

func (e eventDoc) event() membership.PaymentEvent {
	return membership.PaymentEvent{ID: e.ID, Kind: membership.EventKind(e.Kind), OrderID: e.OrderID,
		PaymentIntent: e.PaymentIntent, Course: e.Course, UserID: e.UserID, Amount: e.Amount, Currency: e.Currency,
		Created: val(e.CreatedAt), Received: val(e.ReceivedAt), Outcome: e.Outcome, Processed: val(e.ProcessedAt)}
}

// AddEvent stores e unless an event with its ID is stored already, and
// reports whether it was new.
func (db *DB) AddEvent(ctx context.Context, e membership.PaymentEvent) (bool, error) {
	err := db.insert(ctx, db.inbox(), eventDoc{ID: e.ID, Kind: string(e.Kind), OrderID: e.OrderID,
		PaymentIntent: e.PaymentIntent, Course: e.Course, UserID: e.UserID, Amount: e.Amount, Currency: e.Currency,
		CreatedAt: opt(e.Created), ReceivedAt: opt(e.Received)})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("add payment event %s: %w", e.ID, err)
	}
	return true, nil
}

// inbox is the payment_events collection with the client's write concern
// plus j:true: the insert that lets the webhook answer Stripe 2xx returns
// only once the event is in the on-disk journal (of a majority, with
// w=majority), since Stripe never sends an acknowledged event again.
func (db *DB) inbox() *mongo.Collection {
	return db.db.Collection(db.events.Name(), options.Collection().SetWriteConcern(journaled(db.db.WriteConcern())))
}

// journaled returns base with j:true.
func journaled(base *writeconcern.WriteConcern) *writeconcern.WriteConcern {
	wc := &writeconcern.WriteConcern{}
	if base != nil {
		*wc = *base
	}
	wc.Journal = new(bool)
	*wc.Journal = true
	return wc
}

// PendingEvents returns up to limit unprocessed events, oldest Created
// first, then oldest Received, then by id.
func (db *DB) PendingEvents(ctx context.Context, limit int) ([]membership.PaymentEvent, error) {
	return db.PendingEventsAfter(ctx, membership.PaymentEvent{}, limit)
}

// PendingEventsAfter returns up to limit unprocessed events that come after
// the event after in the order of PendingEvents; the zero event starts at
// the beginning. A missing time sorts first, as MongoDB sorts it.
func (db *DB) PendingEventsAfter(ctx context.Context, after membership.PaymentEvent, limit int) ([]membership.PaymentEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	filter := bson.M{"processed_at": nil}
	if after.ID != "" {
		filter["$or"] = bson.A{
			timeGT("created_at", after.Created),
			bson.M{"$and": bson.A{timeEQ("created_at", after.Created), timeGT("received_at", after.Received)}},
			bson.M{"$and": bson.A{timeEQ("created_at", after.Created), timeEQ("received_at", after.Received),
				bson.M{"_id": bson.M{"$gt": after.ID}}}},
		}
	}
	docs, err := findAll[eventDoc](ctx, db.events, filter,
		options.Find().SetSort(order("processed_at", "created_at", "received_at", "_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("pending payment events: %w", err)
	}
	events := make([]membership.PaymentEvent, len(docs))
	for i, d := range docs {
		events[i] = d.event()
	}
	return events, nil
}

// timeGT matches a stored time after t; every stored time is after a
// missing one.
func timeGT(field string, t time.Time) bson.M {
	if t.IsZero() {
		return bson.M{field: bson.M{"$ne": nil}}
	}
	return bson.M{field: bson.M{"$gt": ms(t)}}
}

// timeEQ matches a stored time equal to t, or a missing one for zero.
func timeEQ(field string, t time.Time) bson.M {
	if t.IsZero() {
		return bson.M{field: nil}
	}
	return bson.M{field: ms(t)}
}

// Event returns the stored event with that id, with its outcome once
// processed, or ErrNotFound.
func (db *DB) Event(ctx context.Context, id string) (membership.PaymentEvent, error) {
	var d eventDoc
	if err := findOne(ctx, db.events, bson.M{"_id": id}, &d); err != nil {
		return membership.PaymentEvent{}, fmt.Errorf("payment event %s: %w", id, notFound(err))
	}
	return d.event(), nil
}

// FinishEvent marks an event processed, with a short outcome for the
// record. An event finished already keeps its first outcome; an unknown
// event is ErrNotFound.
func (db *DB) FinishEvent(ctx context.Context, id, outcome string, at time.Time) error {
	matched, err := db.update(ctx, db.events, bson.M{"_id": id, "processed_at": nil},
		bson.M{"$set": bson.M{"processed_at": ms(at), "outcome": outcome}})
	if err == nil && !matched {
		var e eventDoc
		err = notFound(findOne(ctx, db.events, bson.M{"_id": id}, &e))
	}
	if err != nil {
		return fmt.Errorf("finish payment event %s: %w", id, err)
	}
	return nil
}
