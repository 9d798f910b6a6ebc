package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// dialogueDoc is the question the bot asked a user, one per user.
type dialogueDoc struct {
	UserID  int64      `bson:"_id"`
	Kind    string     `bson:"kind"`
	Data    string     `bson:"data"`
	Expires *time.Time `bson:"expires,omitempty"`
}

// SetDialogue records the question the bot asked the user (kind, with its
// data) until expires, replacing any open one.
func (db *DB) SetDialogue(ctx context.Context, userID int64, kind, data string, expires time.Time) error {
	set := bson.M{"kind": kind, "data": data}
	update := bson.M{"$set": set}
	if e := opt(expires); e != nil {
		set["expires"] = e
	} else {
		update["$unset"] = bson.M{"expires": ""}
	}
	_, err := db.update(ctx, db.dialogues, bson.M{"_id": userID}, update, options.Update().SetUpsert(true))
	if isDup(err) {
		// Two first upserts raced and one inserted; this one updates now.
		_, err = db.update(ctx, db.dialogues, bson.M{"_id": userID}, update)
	}
	if err != nil {
		return fmt.Errorf("set dialogue %q of %d: %w", kind, userID, err)
	}
	return nil
}

// Dialogue returns the user's open question, expired or not; kind is ""
// when there is none.
func (db *DB) Dialogue(ctx context.Context, userID int64) (kind, data string, expires time.Time, err error) {
	var d dialogueDoc
	err = findOne(ctx, db.dialogues, bson.M{"_id": userID}, &d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", "", time.Time{}, nil
	}
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("dialogue of %d: %w", userID, err)
	}
	return d.Kind, d.Data, val(d.Expires), nil
}

// ClearDialogue forgets the user's question.
func (db *DB) ClearDialogue(ctx context.Context, userID int64) error {
	if err := db.remove(ctx, db.dialogues, bson.M{"_id": userID}); err != nil {
		return fmt.Errorf("clear dialogue of %d: %w", userID, err)
	}
	return nil
}
