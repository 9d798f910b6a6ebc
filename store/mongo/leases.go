package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// AcquireLease takes the named lease for holder until now+ttl when it is
// free, expired or held by holder already (a renewal), and reports whether
// holder holds it now.
//
// One upsert of the lease document, conditional on the lease being the
// holder's or expired. When another holder's unexpired lease fails the
// condition, the insert the upsert falls back to hits the _id: not
// acquired. Two instances racing for a free lease end the same way, one
// inserting and the other hitting the _id.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	_, err := db.update(ctx, db.leases,
		bson.M{"_id": name, "$or": bson.A{bson.M{"holder": holder}, bson.M{"expires": bson.M{"$lte": ms(now)}}}},
		bson.M{"$set": bson.M{"holder": holder, "expires": ms(now.Add(ttl))}},
		options.Update().SetUpsert(true))
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	return true, nil
}

// ReleaseLease gives the lease up if holder holds it.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := db.remove(ctx, db.leases, bson.M{"_id": name, "holder": holder}); err != nil {
		return fmt.Errorf("release lease %s of %s: %w", name, holder, err)
	}
	return nil
}
