package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// postID is the _id of a post-log entry: one document per (key, chat), so
// that recording twice hits the _id.
func postID(key string, chatID int64) string { return key + "|" + strconv.FormatInt(chatID, 10) }

// MarkPosted records that the post named key reached the chat; it reports
// false when that was recorded already.
func (db *DB) MarkPosted(ctx context.Context, key string, chatID int64, at time.Time) (bool, error) {
	err := db.insert(ctx, db.posts, bson.M{"_id": postID(key, chatID), "key": key, "chat_id": chatID, "posted_at": ms(at)})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("record post %s in %d: %w", key, chatID, err)
	}
	return true, nil
}

// Posted reports whether the post named key reached the chat.
func (db *DB) Posted(ctx context.Context, key string, chatID int64) (bool, error) {
	err := db.posts.FindOne(ctx, bson.M{"_id": postID(key, chatID)}).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read post %s in %d: %w", key, chatID, err)
	}
	return true, nil
}
