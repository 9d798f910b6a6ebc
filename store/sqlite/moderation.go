package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn/moderation"
)

var (
	qAppoint = stmt(`INSERT INTO group_roles (chat_id, user_id, role, by_user, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (chat_id, user_id, role) DO NOTHING`)
	qDismiss          = stmt(`DELETE FROM group_roles WHERE chat_id = ? AND user_id = ? AND role = ?`)
	qGroupStaff       = stmt(`SELECT ` + apptCols + ` FROM group_roles WHERE chat_id = ? ORDER BY role, at, user_id`)
	qUserAppointments = stmt(`SELECT ` + apptCols + ` FROM group_roles WHERE user_id = ? ORDER BY chat_id, role`)
	qRecord           = stmt(`INSERT INTO audit_log (key, at, actor, target, action, chat_id, detail, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	// qEntriesOn is served by audit_target.
	qEntriesOn = stmt(`SELECT ` + entryCols + ` FROM audit_log WHERE target = ? AND at >= ? ORDER BY at, id`)
	// qAudit is served by audit_target and audit_actor.
	qAudit = stmt(`SELECT ` + entryCols + ` FROM audit_log WHERE id IN (
			SELECT id FROM (SELECT id, at FROM audit_log WHERE target = ? ORDER BY at DESC, id DESC LIMIT ?)
			UNION SELECT id FROM (SELECT id, at FROM audit_log WHERE actor = ? ORDER BY at DESC, id DESC LIMIT ?))
		ORDER BY at DESC, id DESC LIMIT ?`)
	qUserByNumber = stmt(`SELECT user_id FROM enrollments WHERE course = ? AND number = ?`)
)

const (
	apptCols  = `chat_id, user_id, role, by_user, at`
	entryCols = `COALESCE(key, ''), at, actor, target, action, chat_id, detail, reason`
)

func scanAppointment(s scanner) (moderation.Appointment, error) {
	var a moderation.Appointment
	err := s.Scan(&a.ChatID, &a.UserID, &a.Role, &a.By, tcol(&a.At))
	return a, err
}

func scanEntry(s scanner) (moderation.Entry, error) {
	var e moderation.Entry
	err := s.Scan(&e.Key, tcol(&e.At), &e.Actor, &e.Target, &e.Action, &e.ChatID, &e.Detail, &e.Reason)
	return e, err
}

// Appoint stores a group role; false when the user holds it there already.
func (db *DB) Appoint(ctx context.Context, a moderation.Appointment) (bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qAppoint, a.ChatID, a.UserID, string(a.Role), a.By, mark(a.At))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("appoint %d %s in %d: %w", a.UserID, a.Role, a.ChatID, err)
	}
	return added, nil
}

// Dismiss removes a group role and reports whether there was one.
func (db *DB) Dismiss(ctx context.Context, chatID, userID int64, role moderation.Role) (bool, error) {
	var had bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qDismiss, chatID, userID, string(role))
		had = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("dismiss %d %s in %d: %w", userID, role, chatID, err)
	}
	return had, nil
}

// GroupStaff returns the appointments of a chat, by role, then in the
// order they were made.
func (db *DB) GroupStaff(ctx context.Context, chatID int64) ([]moderation.Appointment, error) {
	rows, err := db.query(ctx, qGroupStaff, chatID)
	out, err := collect(rows, err, scanAppointment)
	if err != nil {
		return nil, fmt.Errorf("staff of chat %d: %w", chatID, err)
	}
	return out, nil
}

// Appointments returns a user's group roles.
func (db *DB) Appointments(ctx context.Context, userID int64) ([]moderation.Appointment, error) {
	rows, err := db.query(ctx, qUserAppointments, userID)
	out, err := collect(rows, err, scanAppointment)
	if err != nil {
		return nil, fmt.Errorf("appointments of %d: %w", userID, err)
	}
	return out, nil
}

// Record appends an audit entry; one with a key is added once.
func (db *DB) Record(ctx context.Context, e moderation.Entry) (bool, error) {
	var key any
	if e.Key != "" {
		key = e.Key
	}
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qRecord, key, mark(e.At), e.Actor, e.Target, string(e.Action), e.ChatID, e.Detail, e.Reason)
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record %s of %d: %w", e.Action, e.Target, err)
	}
	return added, nil
}

// EntriesOn returns the entries on a user since a time, oldest first.
func (db *DB) EntriesOn(ctx context.Context, target int64, since time.Time) ([]moderation.Entry, error) {
	rows, err := db.query(ctx, qEntriesOn, target, mark(since))
	out, err := collect(rows, err, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("entries on %d: %w", target, err)
	}
	return out, nil
}

// Audit returns up to limit entries the user did or underwent, newest
// first.
func (db *DB) Audit(ctx context.Context, userID int64, limit int) ([]moderation.Entry, error) {
	rows, err := db.query(ctx, qAudit, userID, limit, userID, limit, limit)
	out, err := collect(rows, err, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("audit of %d: %w", userID, err)
	}
	return out, nil
}

// UserByNumber finds the holder of a member number of a course.
func (db *DB) UserByNumber(ctx context.Context, course string, number int) (int64, error) {
	var id int64
	if err := db.queryRow(ctx, qUserByNumber, course, number).Scan(&id); err != nil {
		return 0, fmt.Errorf("holder of %s number %d: %w", course, number, notFound(err))
	}
	return id, nil
}
