package mongo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/membership"
)

// checkoutDoc is the newest checkout session of a buyer and course; its
// _id is "course/user".
type checkoutDoc struct {
	ID        string    `bson:"_id"`
	Course    string    `bson:"course"`
	UserID    int64     `bson:"user_id"`
	SessionID string    `bson:"session_id"`
	URL       string    `bson:"url"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func (db *DB) checkouts() *mongo.Collection { return db.db.Collection("checkout_sessions") }

func checkoutKey(course string, userID int64) string {
	return course + "/" + strconv.FormatInt(userID, 10)
}

// SaveCheckoutSession stores s as the buyer's newest session for its
// course, replacing the one before.
func (db *DB) SaveCheckoutSession(ctx context.Context, s membership.CheckoutSession) error {
	key := checkoutKey(s.Course, s.UserID)
	_, err := db.update(ctx, db.checkouts(), bson.M{"_id": key}, bson.M{"$set": bson.M{"course": s.Course,
		"user_id": s.UserID, "session_id": s.ID, "url": s.URL, "expires_at": ms(s.ExpiresAt)}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save checkout session %s: %w", s.ID, err)
	}
	return nil
}

// CheckoutSession returns the buyer's newest session for the course, or
// ErrNotFound.
func (db *DB) CheckoutSession(ctx context.Context, course string, userID int64) (membership.CheckoutSession, error) {
	var d checkoutDoc
	if err := findOne(ctx, db.checkouts(), bson.M{"_id": checkoutKey(course, userID)}, &d); err != nil {
		return membership.CheckoutSession{}, fmt.Errorf("checkout session %s/%d: %w", course, userID, notFound(err))
	}
	return membership.CheckoutSession{Course: d.Course, UserID: d.UserID, ID: d.SessionID, URL: d.URL, ExpiresAt: d.ExpiresAt.UTC()}, nil
}
