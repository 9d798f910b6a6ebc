package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// ClaimUpdate reports whether the update should be handled: true when it
// was never seen or was seen but not finished (a crash mid-way).
//
// One upsert on the update's id, conditional on its not being finished:
// for a finished update the condition fails and the insert it falls back
// to hits the _id, which means "handled already".
func (db *DB) ClaimUpdate(ctx context.Context, updateID int64, at time.Time) (bool, error) {
	_, err := db.update(ctx, db.updates, bson.M{"_id": updateID, "finished_at": nil},
		bson.M{"$set": bson.M{"claimed_at": ms(at)}}, options.Update().SetUpsert(true))
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	return true, nil
}

// FinishUpdate records that the update was handled. An update finished
// already keeps its first time.
func (db *DB) FinishUpdate(ctx context.Context, updateID int64, at time.Time) error {
	_, err := db.update(ctx, db.updates, bson.M{"_id": updateID, "finished_at": nil}, bson.M{
		"$set":         bson.M{"finished_at": ms(at)},
		"$setOnInsert": bson.M{"claimed_at": ms(at)},
	}, options.Update().SetUpsert(true))
	if err != nil && !isDup(err) {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// PruneUpdates forgets updates finished before the time.
func (db *DB) PruneUpdates(ctx context.Context, before time.Time) error {
	if err := db.remove(ctx, db.updates, bson.M{"finished_at": bson.M{"$lt": ms(before)}}); err != nil {
		return fmt.Errorf("prune updates before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}
