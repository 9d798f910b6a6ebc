package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shequn/shequn/groups"
)

var (
	qMarkPosted = stmt(`INSERT INTO posts (key, chat_id, posted_at, message_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qPostOf     = stmt(`SELECT message_id, posted_at, pinned_at FROM posts WHERE key = ? AND chat_id = ?`)
	qMarkPinned = stmt(`UPDATE posts SET pinned_at = ? WHERE key = ? AND chat_id = ? AND pinned_at IS NULL`)
	qForgetPost = stmt(`DELETE FROM posts WHERE key = ? AND chat_id = ?`)
)

// MarkPosted records that the post named key reached the chat as
// messageID; it reports false when that was recorded already.
func (db *DB) MarkPosted(ctx context.Context, key string, chatID int64, messageID int, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qMarkPosted, key, chatID, mark(at), messageID)
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record post %s in %d: %w", key, chatID, err)
	}
	return added, nil
}

// PostOf returns the record of the post named key in the chat, the zero
// Post when there is none.
func (db *DB) PostOf(ctx context.Context, key string, chatID int64) (groups.Post, error) {
	var p groups.Post
	var posted int64
	err := db.queryRow(ctx, qPostOf, key, chatID).Scan(&p.MessageID, &posted, tcol(&p.PinnedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return groups.Post{}, nil
	}
	if err != nil {
		return groups.Post{}, fmt.Errorf("read post %s in %d: %w", key, chatID, err)
	}
	// Posted at the zero time still counts as posted.
	p.PostedAt = time.Unix(0, posted).UTC()
	return p, nil
}

// MarkPinned records that the post was pinned (once; a second mark keeps
// the first time).
func (db *DB) MarkPinned(ctx context.Context, key string, chatID int64, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qMarkPinned, mark(at), key, chatID)
		return err
	})
	if err != nil {
		return fmt.Errorf("record pin %s in %d: %w", key, chatID, err)
	}
	return nil
}

// ForgetPost deletes the record of the post named key in the chat.
func (db *DB) ForgetPost(ctx context.Context, key string, chatID int64) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qForgetPost, key, chatID)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget post %s in %d: %w", key, chatID, err)
	}
	return nil
}
