package mongo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/membership"
)

// grantDoc is one granted role. Its _id is generated; a user, role and
// course are unique by the index on them, so granting again hits the
// index and changes nothing.
type grantDoc struct {
	UserID    int64      `bson:"user_id"`
	Role      string     `bson:"role"`
	Course    string     `bson:"course"`
	GrantedBy int64      `bson:"granted_by"`
	GrantedAt *time.Time `bson:"granted_at,omitempty"`
}

func (g grantDoc) grant() membership.Grant {
	return membership.Grant{UserID: g.UserID, Role: membership.Role(g.Role), Course: g.Course, GrantedBy: g.GrantedBy,
		GrantedAt: val(g.GrantedAt)}
}

// GrantRole stores g; granting the same role and course again is a no-op
// that keeps the first grant's GrantedBy and GrantedAt.
func (db *DB) GrantRole(ctx context.Context, g membership.Grant) error {
	err := db.insert(ctx, db.roles, grantDoc{UserID: g.UserID, Role: string(g.Role), Course: g.Course,
		GrantedBy: g.GrantedBy, GrantedAt: opt(g.GrantedAt)})
	if err != nil && !isDup(err) {
		return fmt.Errorf("grant %s of %q to %d: %w", g.Role, g.Course, g.UserID, err)
	}
	return nil
}

// RevokeRole removes the user's grant of role for the course ("": the
// grant for every course, not the grants for single courses) and reports
// whether there was one.
func (db *DB) RevokeRole(ctx context.Context, userID int64, role membership.Role, course string) (bool, error) {
	revoked, err := db.removeOne(ctx, db.roles, bson.M{"user_id": userID, "role": string(role), "course": course})
	if err != nil {
		return false, fmt.Errorf("revoke %s of %q from %d: %w", role, course, userID, err)
	}
	return revoked, nil
}

// Grants returns the user's roles, by role and course.
func (db *DB) Grants(ctx context.Context, userID int64) ([]membership.Grant, error) {
	gs, err := db.grants(ctx, bson.M{"user_id": userID})
	if err != nil {
		return nil, fmt.Errorf("grants of %d: %w", userID, err)
	}
	return gs, nil
}

// Staff returns every grant, by user, role and course.
func (db *DB) Staff(ctx context.Context) ([]membership.Grant, error) {
	gs, err := db.grants(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return gs, nil
}

func (db *DB) grants(ctx context.Context, filter bson.M) ([]membership.Grant, error) {
	docs, err := findAll[grantDoc](ctx, db.roles, filter, options.Find().SetSort(order("user_id", "role", "course")))
	if err != nil {
		return nil, err
	}
	gs := make([]membership.Grant, len(docs))
	for i, d := range docs {
		gs[i] = d.grant()
	}
	return gs, nil
}

// ProfilesByUsername finds the profiles that had the username, in any case
// and with or without "@", the latest updated first.
//
// The name is looked up in username_lower, which SaveProfile keeps: a
// case-insensitive collation would do on MongoDB, but FerretDB v1 has no
// collations. Platform usernames are ASCII, so lower-casing is the whole
// of case folding.
func (db *DB) ProfilesByUsername(ctx context.Context, username string) ([]membership.Profile, error) {
	name := strings.ToLower(strings.TrimPrefix(username, "@"))
	if name == "" {
		return nil, nil
	}
	docs, err := findAll[profileDoc](ctx, db.profiles, bson.M{"username_lower": name},
		options.Find().SetSort(order("username_lower", "-updated_at", "_id")).SetLimit(membership.MaxNameMatches))
	if err != nil {
		return nil, fmt.Errorf("profiles of username %q: %w", username, err)
	}
	out := make([]membership.Profile, len(docs))
	for i, d := range docs {
		out[i] = d.profile()
	}
	return out, nil
}
