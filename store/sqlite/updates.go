package sqlite

import (
	"context"
	"fmt"
	"time"
)

var (
	// qClaimUpdate returns a row when the update is new or unfinished, and
	// none when it was finished.
	qClaimUpdate = stmt(`INSERT INTO telegram_updates (update_id, claimed_at) VALUES (?, ?)
		ON CONFLICT (update_id) DO UPDATE SET claimed_at = excluded.claimed_at WHERE finished_at IS NULL
		RETURNING 1`)
	qFinishUpdate = stmt(`INSERT INTO telegram_updates (update_id, claimed_at, finished_at) VALUES (?1, ?2, ?2)
		ON CONFLICT (update_id) DO UPDATE SET finished_at = excluded.finished_at WHERE finished_at IS NULL`)
	qPruneUpdates = stmt(`DELETE FROM telegram_updates WHERE finished_at IS NOT NULL AND finished_at < ?`)
)

// ClaimUpdate reports whether the update should be handled: true when it
// was never seen or was seen but not finished (a crash mid-way).
func (db *DB) ClaimUpdate(ctx context.Context, updateID int64, at time.Time) (bool, error) {
	var claimed bool
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.query(qClaimUpdate, updateID, ts(at))
		if err != nil {
			return err
		}
		defer rows.Close()
		claimed = rows.Next()
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return false, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	return claimed, nil
}

// FinishUpdate records that the update was handled.
func (db *DB) FinishUpdate(ctx context.Context, updateID int64, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qFinishUpdate, updateID, mark(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// PruneUpdates forgets updates finished before the time.
func (db *DB) PruneUpdates(ctx context.Context, before time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qPruneUpdates, mark(before))
		return err
	})
	if err != nil {
		return fmt.Errorf("prune updates before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}
