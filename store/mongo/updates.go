package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// storedUpdate is a document of telegram_updates. Documents written before
// updates were kept whole have no hash and no payload.
type storedUpdate struct {
	ID         int64      `bson:"_id"`
	Chat       int64      `bson:"chat"`
	Hash       string     `bson:"hash,omitempty"`
	Payload    []byte     `bson:"payload,omitempty"`
	ReceivedAt *time.Time `bson:"received_at,omitempty"`
	ClaimedAt  *time.Time `bson:"claimed_at,omitempty"`
	FinishedAt *time.Time `bson:"finished_at,omitempty"`
}

// SaveUpdate stores an update as it arrives, claimed by the caller at at,
// and reports whether it is new: false when the same update (same id,
// same hash) was stored before, a redelivery. A stored update with the
// same id but another hash is Telegram's id reset: it is replaced.
//
// An insert; when it hits the _id, a replacement conditional on the hash
// read, so that of two instances saving the same new content one wins.
func (db *DB) SaveUpdate(ctx context.Context, updateID, chat int64, hash string, payload []byte, at time.Time) (bool, error) {
	doc := storedUpdate{ID: updateID, Chat: chat, Hash: hash, Payload: payload, ReceivedAt: opt(at), ClaimedAt: opt(at)}
	err := db.insert(ctx, db.updates, doc)
	if err == nil {
		return true, nil
	}
	if !isDup(err) {
		return false, fmt.Errorf("save update %d: %w", updateID, err)
	}
	var old storedUpdate
	if err := findOne(ctx, db.updates, bson.M{"_id": updateID}, &old); err != nil {
		return false, fmt.Errorf("save update %d: read the stored one: %w", updateID, err)
	}
	if old.Hash == hash || old.Hash == "" && old.FinishedAt != nil {
		return false, nil // a redelivery
	}
	var oldHash any = old.Hash
	if old.Hash == "" {
		oldHash = nil // a document from before hashes were kept
	}
	replaced, err := db.replace(ctx, db.updates, bson.M{"_id": updateID, "hash": oldHash}, doc)
	if err != nil {
		return false, fmt.Errorf("save update %d over a reused id: %w", updateID, err)
	}
	return replaced, nil
}

// ClaimUpdates claims up to limit stored updates that are not finished and
// were last claimed before staleBefore, of one chat or (chat nil) of every
// chat, and returns their JSON in the order they were received. Each is
// claimed by a conditional update, so two instances never take the same.
func (db *DB) ClaimUpdates(ctx context.Context, chat *int64, staleBefore, at time.Time, limit int) ([][]byte, error) {
	filter := bson.M{"finished_at": nil, "payload": bson.M{"$exists": true}, "claimed_at": bson.M{"$lt": ms(staleBefore)}}
	if chat != nil {
		filter["chat"] = *chat
	}
	found, err := findAll[storedUpdate](ctx, db.updates, filter,
		options.Find().SetSort(order("received_at", "_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("claim stored updates: %w", err)
	}
	var out [][]byte
	for _, u := range found {
		took, err := db.update(ctx, db.updates, bson.M{"_id": u.ID, "finished_at": nil, "claimed_at": u.ClaimedAt},
			bson.M{"$set": bson.M{"claimed_at": ms(at)}})
		if err != nil {
			return out, fmt.Errorf("claim stored update %d: %w", u.ID, err)
		}
		if took {
			out = append(out, u.Payload)
		}
	}
	return out, nil
}

// FinishUpdate records that the update was handled. An update finished
// already keeps its first time.
func (db *DB) FinishUpdate(ctx context.Context, updateID int64, at time.Time) error {
	_, err := db.update(ctx, db.updates, bson.M{"_id": updateID, "finished_at": nil}, bson.M{"$set": bson.M{"finished_at": ms(at)}})
	if err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// PruneUpdates forgets updates finished before the time, and unfinished
// ones received before it.
func (db *DB) PruneUpdates(ctx context.Context, before time.Time) error {
	cut := ms(before)
	err := db.remove(ctx, db.updates, bson.M{"$or": bson.A{
		bson.M{"finished_at": bson.M{"$lt": cut}},
		bson.M{"finished_at": nil, "received_at": bson.M{"$lt": cut}},
		bson.M{"finished_at": nil, "received_at": nil, "claimed_at": bson.M{"$lt": cut}},
	}})
	if err != nil {
		return fmt.Errorf("prune updates before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}

// replace replaces the first document matching filter and reports whether
// one matched.
func (db *DB) replace(ctx context.Context, c *mongo.Collection, filter, doc any) (bool, error) {
	defer db.lock()()
	res, err := c.ReplaceOne(ctx, filter, doc)
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}
