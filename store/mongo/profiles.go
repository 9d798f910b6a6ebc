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

type profileDoc struct {
	UserID        int64      `bson:"_id"`
	Username      string     `bson:"username"`
	UsernameLower string     `bson:"username_lower"` // for ProfilesByUsername
	FirstName     string     `bson:"first_name"`
	LanguageCode  string     `bson:"language_code"`
	Language      string     `bson:"language"`
	UpdatedAt     *time.Time `bson:"updated_at,omitempty"`
}

// SaveProfile stores the platform's fields of p (username, first name,
// language code, updated at) and keeps the stored Language choice.
func (db *DB) SaveProfile(ctx context.Context, p membership.Profile) error {
	_, err := db.update(ctx, db.profiles, bson.M{"_id": p.UserID}, bson.M{"$set": bson.M{
		"username": p.Username, "username_lower": strings.ToLower(p.Username), "first_name": p.FirstName,
		"language_code": p.LanguageCode, "updated_at": opt(p.UpdatedAt),
	}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save profile %d: %w", p.UserID, err)
	}
	return nil
}

// SetLanguage records the user's own language choice; it creates the
// profile when there is none.
func (db *DB) SetLanguage(ctx context.Context, userID int64, lang string) error {
	_, err := db.update(ctx, db.profiles, bson.M{"_id": userID}, bson.M{"$set": bson.M{"language": lang}},
		options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("set language of %d: %w", userID, err)
	}
	return nil
}

// Profile returns a profile or ErrNotFound.
func (db *DB) Profile(ctx context.Context, userID int64) (membership.Profile, error) {
	var p profileDoc
	if err := findOne(ctx, db.profiles, bson.M{"_id": userID}, &p); err != nil {
		return membership.Profile{}, fmt.Errorf("profile %d: %w", userID, notFound(err))
	}
	return p.profile(), nil
}

func (p profileDoc) profile() membership.Profile {
	return membership.Profile{UserID: p.UserID, Username: p.Username, FirstName: p.FirstName,
		LanguageCode: p.LanguageCode, Language: p.Language, UpdatedAt: val(p.UpdatedAt)}
}
