package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/shequn/shequn/membership"
)

var (
	qGrantRole = stmt(`INSERT INTO roles (user_id, role, course, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, role, course) DO NOTHING`)
	qRevokeRole = stmt(`DELETE FROM roles WHERE user_id = ? AND role = ? AND course = ?`)
	qGrants     = stmt(`SELECT ` + grantCols + ` FROM roles WHERE user_id = ? ORDER BY role, course`)
	qStaff      = stmt(`SELECT ` + grantCols + ` FROM roles ORDER BY user_id, role, course`)
	// qProfilesByUsername is served by profiles_username.
	qProfilesByUsername = stmt(`SELECT user_id, username, first_name, language_code, language, updated_at
		FROM profiles WHERE username = ? COLLATE NOCASE AND username <> ''
		ORDER BY updated_at DESC LIMIT ?`)
)

const grantCols = `user_id, role, course, granted_by, granted_at`

func scanGrant(s scanner) (membership.Grant, error) {
	var g membership.Grant
	err := s.Scan(&g.UserID, &g.Role, &g.Course, &g.GrantedBy, tcol(&g.GrantedAt))
	return g, err
}

// GrantRole stores g; granting the same role and course again is a no-op
// that keeps the first grant's GrantedBy and GrantedAt.
func (db *DB) GrantRole(ctx context.Context, g membership.Grant) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qGrantRole, g.UserID, string(g.Role), g.Course, g.GrantedBy, ts(g.GrantedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("grant %s of %q to %d: %w", g.Role, g.Course, g.UserID, err)
	}
	return nil
}

// RevokeRole removes the user's grant of role for the course ("": the
// grant for every course) and reports whether there was one.
func (db *DB) RevokeRole(ctx context.Context, userID int64, role membership.Role, course string) (bool, error) {
	var revoked bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qRevokeRole, userID, string(role), course)
		revoked = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("revoke %s of %q from %d: %w", role, course, userID, err)
	}
	return revoked, nil
}

// Grants returns the user's roles, by role and course.
func (db *DB) Grants(ctx context.Context, userID int64) ([]membership.Grant, error) {
	rows, err := db.query(ctx, qGrants, userID)
	gs, err := collect(rows, err, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("grants of %d: %w", userID, err)
	}
	return gs, nil
}

// Staff returns every grant, by user, role and course.
func (db *DB) Staff(ctx context.Context) ([]membership.Grant, error) {
	rows, err := db.query(ctx, qStaff)
	gs, err := collect(rows, err, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return gs, nil
}

// ProfilesByUsername finds the profiles that had the username, in any case
// and with or without "@", the latest updated first.
func (db *DB) ProfilesByUsername(ctx context.Context, username string) ([]membership.Profile, error) {
	rows, err := db.query(ctx, qProfilesByUsername, strings.TrimPrefix(username, "@"), membership.MaxNameMatches)
	if err != nil {
		return nil, fmt.Errorf("profiles of username %q: %w", username, err)
	}
	defer rows.Close()
	var out []membership.Profile
	for rows.Next() {
		var p membership.Profile
		if err := rows.Scan(&p.UserID, &p.Username, &p.FirstName, &p.LanguageCode, &p.Language, tcol(&p.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("profiles of username %q: %w", username, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("profiles of username %q: %w", username, err)
	}
	return out, nil
}
