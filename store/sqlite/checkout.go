package sqlite

import (
	"context"
	"fmt"

	"github.com/shequn/shequn/membership"
)

var (
	qSaveCheckout = stmt(`INSERT INTO checkout_sessions (course, user_id, id, url, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (course, user_id) DO UPDATE SET id = excluded.id, url = excluded.url, expires_at = excluded.expires_at`)
	qCheckout = stmt(`SELECT course, user_id, id, url, expires_at FROM checkout_sessions WHERE course = ? AND user_id = ?`)
)

// SaveCheckoutSession stores s as the buyer's newest session for its
// course, replacing the one before.
func (db *DB) SaveCheckoutSession(ctx context.Context, s membership.CheckoutSession) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qSaveCheckout, s.Course, s.UserID, s.ID, s.URL, mark(s.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("save checkout session %s: %w", s.ID, err)
	}
	return nil
}

// CheckoutSession returns the buyer's newest session for the course, or
// ErrNotFound.
func (db *DB) CheckoutSession(ctx context.Context, course string, userID int64) (membership.CheckoutSession, error) {
	var s membership.CheckoutSession
	err := db.queryRow(ctx, qCheckout, course, userID).Scan(&s.Course, &s.UserID, &s.ID, &s.URL, tcol(&s.ExpiresAt))
	if err != nil {
		return membership.CheckoutSession{}, fmt.Errorf("checkout session %s/%d: %w", course, userID, notFound(err))
	}
	return s, nil
}
