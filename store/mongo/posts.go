package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shequn/shequn/groups"
)

// postID is the _id of a post-log entry: one document per (key, chat), so
// that recording twice hits the _id.
func postID(key string, chatID int64) string { return key + "|" + strconv.FormatInt(chatID, 10) }

// postDoc is one post in one chat, with each step's time.
type postDoc struct {
	MessageID int        `bson:"message_id"`
	PostedAt  time.Time  `bson:"posted_at"`
	PinnedAt  *time.Time `bson:"pinned_at,omitempty"`
}

// MarkPosted records that the post named key reached the chat as
// messageID; it reports false when that was recorded already.
func (db *DB) MarkPosted(ctx context.Context, key string, chatID int64, messageID int, at time.Time) (bool, error) {
	err := db.insert(ctx, db.posts, bson.M{"_id": postID(key, chatID), "key": key, "chat_id": chatID,
		"message_id": messageID, "posted_at": ms(at)})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("record post %s in %d: %w", key, chatID, err)
	}
	return true, nil
}

// PostOf returns the record of the post named key in the chat, the zero
// Post when there is none.
func (db *DB) PostOf(ctx context.Context, key string, chatID int64) (groups.Post, error) {
	var d postDoc
	err := findOne(ctx, db.posts, bson.M{"_id": postID(key, chatID)}, &d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return groups.Post{}, nil
	case err != nil:
		return groups.Post{}, fmt.Errorf("read post %s in %d: %w", key, chatID, err)
	}
	posted := d.PostedAt.UTC()
	if posted.IsZero() { // posted at the zero time still counts as posted
		posted = time.Unix(0, 0).UTC()
	}
	return groups.Post{MessageID: d.MessageID, PostedAt: posted, PinnedAt: val(d.PinnedAt)}, nil
}

// MarkPinned records that the post was pinned (once; a second mark keeps
// the first time).
func (db *DB) MarkPinned(ctx context.Context, key string, chatID int64, at time.Time) error {
	_, err := db.update(ctx, db.posts, bson.M{"_id": postID(key, chatID), "pinned_at": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"pinned_at": ms(at)}})
	if err != nil {
		return fmt.Errorf("record pin %s in %d: %w", key, chatID, err)
	}
	return nil
}

// ForgetPost deletes the record of the post named key in the chat.
func (db *DB) ForgetPost(ctx context.Context, key string, chatID int64) error {
	if err := db.remove(ctx, db.posts, bson.M{"_id": postID(key, chatID)}); err != nil {
		return fmt.Errorf("forget post %s in %d: %w", key, chatID, err)
	}
	return nil
}
