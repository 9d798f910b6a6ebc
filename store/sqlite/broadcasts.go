package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shequn/shequn/sessions"
)

const broadcastCols = `id, course, dm, from_chat, message_ids, by_user, state, created_at, finished_at, sent, blocked, items`

var (
	qAddBroadcast = stmt(`INSERT INTO broadcasts (course, dm, from_chat, message_ids, by_user, state, created_at, items)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qBroadcast       = stmt(`SELECT ` + broadcastCols + ` FROM broadcasts WHERE id = ?`)
	qBroadcasts      = stmt(`SELECT ` + broadcastCols + ` FROM broadcasts ORDER BY id DESC LIMIT ?`)
	qFinishBroadcast = stmt(`UPDATE broadcasts SET state = ?, finished_at = ? WHERE id = ? AND state = 'sending'`)
	qCountBroadcast  = stmt(`UPDATE broadcasts SET sent = sent + ?, blocked = blocked + ? WHERE id = ?`)
	qAudienceAll     = stmt(`SELECT DISTINCT user_id FROM seats WHERE state = 'seated' AND user_id > ? ORDER BY user_id LIMIT ?`)
	qAudienceCourse  = stmt(`SELECT user_id FROM seats WHERE course = ? AND state = 'seated' AND user_id > ? ORDER BY user_id LIMIT ?`)
	qAudienceSizeAll = stmt(`SELECT COUNT(DISTINCT user_id) FROM seats WHERE state = 'seated'`)
	qAudienceSize    = stmt(`SELECT COUNT(*) FROM seats WHERE course = ? AND state = 'seated'`)
	qPostedTo        = stmt(`SELECT chat_id FROM posts WHERE key = ? AND chat_id IN (SELECT value FROM json_each(?))`)
)

func scanBroadcast(r scanner) (sessions.Broadcast, error) {
	var b sessions.Broadcast
	var ids, items string
	err := r.Scan(&b.ID, &b.Course, &b.DM, &b.Ref.ChatID, &ids, &b.By, &b.State, tcol(&b.CreatedAt), tcol(&b.FinishedAt), &b.Sent, &b.Blocked, &items)
	if err != nil {
		return b, err
	}
	if b.Ref.MessageIDs, err = splitIDs(ids); err != nil {
		return b, err
	}
	b.Ref.Items, err = splitItems(items)
	return b, err
}

// AddBroadcast stores a broadcast with the next id.
func (db *DB) AddBroadcast(ctx context.Context, b sessions.Broadcast) (sessions.Broadcast, error) {
	err := db.write(ctx, func(t *tx) error {
		items, err := joinItems(b.Ref.Items)
		if err != nil {
			return err
		}
		return t.queryRow(qAddBroadcast, b.Course, b.DM, b.Ref.ChatID, joinIDs(b.Ref.MessageIDs), b.By, b.State, mark(b.CreatedAt), items).Scan(&b.ID)
	})
	if err != nil {
		return b, fmt.Errorf("add broadcast: %w", err)
	}
	return b, nil
}

// Broadcast returns a broadcast by id.
func (db *DB) Broadcast(ctx context.Context, id int64) (sessions.Broadcast, error) {
	b, err := scanBroadcast(db.queryRow(ctx, qBroadcast, id))
	if err != nil {
		return b, fmt.Errorf("broadcast %d: %w", id, notFound(err))
	}
	return b, nil
}

// Broadcasts returns the last broadcasts, newest first.
func (db *DB) Broadcasts(ctx context.Context, limit int) ([]sessions.Broadcast, error) {
	rows, err := db.query(ctx, qBroadcasts, limit)
	out, err := collect(rows, err, scanBroadcast)
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	return out, nil
}

// FinishBroadcast moves a sending broadcast to state.
func (db *DB) FinishBroadcast(ctx context.Context, id int64, state sessions.BroadcastState, at time.Time) (bool, error) {
	var moved bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qFinishBroadcast, state, mark(at), id)
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	return moved, nil
}

// CountBroadcast adds to the broadcast's counts.
func (db *DB) CountBroadcast(ctx context.Context, id int64, sent, blocked int) error {
	if sent == 0 && blocked == 0 {
		return nil
	}
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qCountBroadcast, sent, blocked, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("count broadcast %d: %w", id, err)
	}
	return nil
}

// Audience returns the seated members of a course (any when empty) after
// the given id, ascending.
func (db *DB) Audience(ctx context.Context, course string, after int64, limit int) ([]int64, error) {
	q, args := qAudienceAll, []any{after, limit}
	if course != "" {
		q, args = qAudienceCourse, []any{course, after, limit}
	}
	rows, err := db.query(ctx, q, args...)
	out, err := collect(rows, err, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("audience of %q: %w", course, err)
	}
	return out, nil
}

// AudienceSize counts the seated members of a course (any when empty).
func (db *DB) AudienceSize(ctx context.Context, course string) (int, error) {
	var n int
	var err error
	if course == "" {
		err = db.queryRow(ctx, qAudienceSizeAll).Scan(&n)
	} else {
		err = db.queryRow(ctx, qAudienceSize, course).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("audience size of %q: %w", course, err)
	}
	return n, nil
}

// PostedTo returns the chats among chatIDs the post named key reached.
func (db *DB) PostedTo(ctx context.Context, key string, chatIDs []int64) ([]int64, error) {
	if len(chatIDs) == 0 {
		return nil, nil
	}
	ids, err := json.Marshal(chatIDs)
	if err != nil {
		return nil, fmt.Errorf("encode chat ids: %w", err)
	}
	rows, err := db.query(ctx, qPostedTo, key, string(ids))
	out, err := collect(rows, err, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("chats with post %s: %w", key, err)
	}
	return out, nil
}

var _ sessions.BroadcastStore = (*DB)(nil)
