package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

var (
	// qSaveUpdate inserts an update, or replaces a stored one with the same
	// id but other content (Telegram reused the id); it returns a row only
	// when it stored something. A row from before hashes were kept counts
	// as the same update once it was finished.
	qSaveUpdate = stmt(`INSERT INTO telegram_updates (update_id, chat, hash, payload, received_at, claimed_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?5)
		ON CONFLICT (update_id) DO UPDATE SET chat = excluded.chat, hash = excluded.hash,
			payload = excluded.payload, received_at = excluded.received_at,
			claimed_at = excluded.claimed_at, finished_at = NULL
		WHERE CASE WHEN hash IS NULL THEN finished_at IS NULL ELSE hash <> excluded.hash END
		RETURNING 1`)
	qClaimUpdates = stmt(`UPDATE telegram_updates SET claimed_at = ?1 WHERE update_id IN (
		SELECT update_id FROM telegram_updates
		WHERE finished_at IS NULL AND payload IS NOT NULL AND claimed_at < ?2
		ORDER BY received_at, update_id LIMIT ?3)
		RETURNING received_at, update_id, payload`)
	qClaimChatUpdates = stmt(`UPDATE telegram_updates SET claimed_at = ?1 WHERE update_id IN (
		SELECT update_id FROM telegram_updates
		WHERE chat = ?4 AND finished_at IS NULL AND payload IS NOT NULL AND claimed_at < ?2
		ORDER BY received_at, update_id LIMIT ?3)
		RETURNING received_at, update_id, payload`)
	qFinishUpdate = stmt(`UPDATE telegram_updates SET finished_at = ?2 WHERE update_id = ?1 AND finished_at IS NULL`)
	qPruneUpdates = stmt(`DELETE FROM telegram_updates WHERE COALESCE(finished_at, received_at, claimed_at) < ?`)
)

// SaveUpdate stores an update as it arrives, claimed by the caller at at,
// and reports whether it is new: false when the same update (same id,
// same hash) was stored before, a redelivery. A stored update with the
// same id but another hash is Telegram's id reset: it is replaced.
func (db *DB) SaveUpdate(ctx context.Context, updateID, chat int64, hash string, payload []byte, at time.Time) (bool, error) {
	var saved bool
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.query(qSaveUpdate, updateID, chat, hash, payload, ts(at))
		if err != nil {
			return err
		}
		defer rows.Close()
		saved = rows.Next()
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return false, fmt.Errorf("save update %d: %w", updateID, err)
	}
	return saved, nil
}

// ClaimUpdates claims up to limit stored updates that are not finished and
// were last claimed before staleBefore, of one chat or (chat nil) of every
// chat, and returns their JSON in the order they were received.
func (db *DB) ClaimUpdates(ctx context.Context, chat *int64, staleBefore, at time.Time, limit int) ([][]byte, error) {
	type claimed struct {
		received, id int64
		payload      []byte
	}
	var got []claimed
	err := db.write(ctx, func(t *tx) error {
		got = got[:0]
		q, args := qClaimUpdates, []any{ts(at), ts(staleBefore), limit}
		if chat != nil {
			q, args = qClaimChatUpdates, append(args, *chat)
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			if err := rows.Scan(&c.received, &c.id, &c.payload); err != nil {
				return err
			}
			got = append(got, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("claim stored updates: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(got, func(a, b claimed) int { return cmp.Or(cmp.Compare(a.received, b.received), cmp.Compare(a.id, b.id)) })
	out := make([][]byte, len(got))
	for i, c := range got {
		out[i] = c.payload
	}
	return out, nil
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

// PruneUpdates forgets updates finished before the time, and unfinished
// ones received before it.
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
