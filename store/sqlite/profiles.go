package sqlite

import (
	"context"
	"fmt"

	"github.com/shequn/shequn/membership"
)

var (
	qSaveProfile = stmt(`INSERT INTO profiles (user_id, username, first_name, language_code, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, first_name = excluded.first_name,
			language_code = excluded.language_code, updated_at = excluded.updated_at`)
	qSetLanguage = stmt(`INSERT INTO profiles (user_id, language) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET language = excluded.language`)
	qProfile = stmt(`SELECT user_id, username, first_name, language_code, language, updated_at
		FROM profiles WHERE user_id = ?`)
)

// SaveProfile stores the platform's fields of p (username, first name,
// language code, updated at) and keeps the stored Language choice.
func (db *DB) SaveProfile(ctx context.Context, p membership.Profile) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qSaveProfile, p.UserID, p.Username, p.FirstName, p.LanguageCode, ts(p.UpdatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("save profile %d: %w", p.UserID, err)
	}
	return nil
}

// SetLanguage records the user's own language choice; it creates the
// profile when there is none.
func (db *DB) SetLanguage(ctx context.Context, userID int64, lang string) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qSetLanguage, userID, lang)
		return err
	})
	if err != nil {
		return fmt.Errorf("set language of %d: %w", userID, err)
	}
	return nil
}

// Profile returns a profile or ErrNotFound.
func (db *DB) Profile(ctx context.Context, userID int64) (membership.Profile, error) {
	var p membership.Profile
	err := db.queryRow(ctx, qProfile, userID).Scan(&p.UserID, &p.Username, &p.FirstName, &p.LanguageCode,
		&p.Language, tcol(&p.UpdatedAt))
	if err != nil {
		return membership.Profile{}, fmt.Errorf("profile %d: %w", userID, notFound(err))
	}
	return p, nil
}
