package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/groups"
)

// coreEventDoc is one line of a person's history; its _id makes a key once.
type coreEventDoc struct {
	Scope    string          `bson:"scope"`
	UserID   int64           `bson:"user_id"`
	Key      string          `bson:"key"`
	At       time.Time       `bson:"at"`
	Kind     string          `bson:"kind"`
	Reason   groups.Reason   `bson:"reason"`
	RunID    int64           `bson:"run_id"`
	Decision groups.Decision `bson:"decision"`
	By       int64           `bson:"by"`
}

// AddCoreEvent appends to a person's history once per key.
func (db *DB) AddCoreEvent(ctx context.Context, e groups.CoreEvent) (bool, error) {
	err := db.insert(ctx, db.coreEvents, bson.M{
		"_id": coreID(e.Scope, e.UserID) + "/" + e.Key, "scope": e.Scope, "user_id": e.UserID, "key": e.Key,
		"at": ms(e.At), "kind": string(e.Kind), "reason": e.Reason, "run_id": e.RunID, "decision": e.Decision, "by": e.By,
	})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("add event %s of %d: %w", e.Key, e.UserID, err)
	}
	return true, nil
}

// CoreHistory returns a person's history, oldest first.
func (db *DB) CoreHistory(ctx context.Context, scope string, userID int64) ([]groups.CoreEvent, error) {
	docs, err := findAll[coreEventDoc](ctx, db.coreEvents, bson.M{"scope": scope, "user_id": userID},
		options.Find().SetSort(order("at", "key")))
	if err != nil {
		return nil, fmt.Errorf("history of %d: %w", userID, err)
	}
	out := make([]groups.CoreEvent, len(docs))
	for i, d := range docs {
		out[i] = groups.CoreEvent{Scope: d.Scope, UserID: d.UserID, Key: d.Key, At: d.At.UTC(), Kind: groups.CoreEventKind(d.Kind),
			Reason: d.Reason, RunID: d.RunID, Decision: d.Decision, By: d.By}
	}
	return out, nil
}
