package sqlite

import (
	"context"
	"fmt"
	"time"
)

var (
	// qAcquireLease returns a row when the holder holds the lease after it:
	// it was free, expired (expires_at <= now) or the holder's already.
	qAcquireLease = stmt(`INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3
		RETURNING 1`)
	qReleaseLease = stmt(`DELETE FROM leases WHERE name = ? AND holder = ?`)
)

// AcquireLease takes the named lease for holder until now+ttl when it is
// free, expired or held by holder already (a renewal), and reports whether
// holder holds it now.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var held bool
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.query(qAcquireLease, name, holder, now.UnixNano(), now.Add(ttl).UnixNano())
		if err != nil {
			return err
		}
		defer rows.Close()
		held = rows.Next()
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return false, fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	return held, nil
}

// ReleaseLease gives the lease up if holder holds it.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qReleaseLease, name, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease %s of %s: %w", name, holder, err)
	}
	return nil
}
