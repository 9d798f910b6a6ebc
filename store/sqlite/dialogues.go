package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	qSetDialogue = stmt(`INSERT INTO dialogues (user_id, kind, data, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind, data = excluded.data,
			expires_at = excluded.expires_at`)
	qDialogue      = stmt(`SELECT kind, data, expires_at FROM dialogues WHERE user_id = ?`)
	qClearDialogue = stmt(`DELETE FROM dialogues WHERE user_id = ?`)
)

// SetDialogue records the question the bot asked the user (kind, with its
// data) until expires, replacing any open one.
func (db *DB) SetDialogue(ctx context.Context, userID int64, kind, data string, expires time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qSetDialogue, userID, kind, data, ts(expires))
		return err
	})
	if err != nil {
		return fmt.Errorf("set dialogue %q of %d: %w", kind, userID, err)
	}
	return nil
}

// Dialogue returns the user's open question, expired or not; kind is ""
// when there is none.
func (db *DB) Dialogue(ctx context.Context, userID int64) (kind, data string, expires time.Time, err error) {
	err = db.queryRow(ctx, qDialogue, userID).Scan(&kind, &data, tcol(&expires))
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", time.Time{}, nil
	}
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("dialogue of %d: %w", userID, err)
	}
	return kind, data, expires, nil
}

// ClearDialogue forgets the user's question.
func (db *DB) ClearDialogue(ctx context.Context, userID int64) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qClearDialogue, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear dialogue of %d: %w", userID, err)
	}
	return nil
}
