package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shequn/shequn/groups"
)

var (
	qAddCoreEvent = stmt(`INSERT INTO core_events (scope, user_id, key, at, kind, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qCoreHistory  = stmt(`SELECT scope, user_id, key, at, kind, detail FROM core_events WHERE scope = ? AND user_id = ? ORDER BY at, key`)
)

// eventDetail is what an event says beyond its kind.
type eventDetail struct {
	Reason   groups.Reason   `json:"reason"`
	RunID    int64           `json:"run_id,omitempty"`
	Decision groups.Decision `json:"decision"`
	By       int64           `json:"by,omitempty"`
}

// AddCoreEvent appends to a person's history once per key.
func (db *DB) AddCoreEvent(ctx context.Context, e groups.CoreEvent) (bool, error) {
	detail, err := json.Marshal(eventDetail{Reason: e.Reason, RunID: e.RunID, Decision: e.Decision, By: e.By})
	if err != nil {
		return false, fmt.Errorf("encode event: %w", err)
	}
	var added bool
	err = db.write(ctx, func(t *tx) error {
		n, err := t.exec(qAddCoreEvent, e.Scope, e.UserID, e.Key, mark(e.At), e.Kind, string(detail))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add event %s of %d: %w", e.Key, e.UserID, err)
	}
	return added, nil
}

// CoreHistory returns a person's history, oldest first.
func (db *DB) CoreHistory(ctx context.Context, scope string, userID int64) ([]groups.CoreEvent, error) {
	rows, err := db.query(ctx, qCoreHistory, scope, userID)
	out, err := collect(rows, err, func(r scanner) (groups.CoreEvent, error) {
		var e groups.CoreEvent
		var detail string
		if err := r.Scan(&e.Scope, &e.UserID, &e.Key, tcol(&e.At), &e.Kind, &detail); err != nil {
			return e, err
		}
		var d eventDetail
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			return e, fmt.Errorf("stored event: %w", err)
		}
		e.Reason, e.RunID, e.Decision, e.By = d.Reason, d.RunID, d.Decision, d.By
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("history of %d: %w", userID, err)
	}
	return out, nil
}
