package sqlite

import (
	"context"
	"fmt"
	"time"
)

var (
	qMarkPosted = stmt(`INSERT INTO posts (key, chat_id, posted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	qPosted     = stmt(`SELECT EXISTS (SELECT 1 FROM posts WHERE key = ? AND chat_id = ?)`)
)

// MarkPosted records that the post named key reached the chat; it reports
// false when that was recorded already.
func (db *DB) MarkPosted(ctx context.Context, key string, chatID int64, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qMarkPosted, key, chatID, at.UnixNano())
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record post %s in %d: %w", key, chatID, err)
	}
	return added, nil
}

// Posted reports whether the post named key reached the chat.
func (db *DB) Posted(ctx context.Context, key string, chatID int64) (bool, error) {
	var posted bool
	if err := db.queryRow(ctx, qPosted, key, chatID).Scan(&posted); err != nil {
		return false, fmt.Errorf("read post %s in %d: %w", key, chatID, err)
	}
	return posted, nil
}
