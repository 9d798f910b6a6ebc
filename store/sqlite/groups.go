package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

var (
	qAddGroup = stmt(`INSERT INTO chat_groups
		(chat_id, kind, course, ordinal, title, capacity, seats_used, registered_by, created_at, set_up_at, join_link)
		SELECT ?1, ?2, ?3, COALESCE(MAX(ordinal), 0) + 1, ?4, ?5, 0, ?6, ?7, ?8, ?9
		FROM chat_groups WHERE kind = ?2 AND course = ?3
		RETURNING ` + groupCols)
	qGroupSetUp  = stmt(`UPDATE chat_groups SET set_up_at = ? WHERE id = ?`)
	qCapacity    = stmt(`UPDATE chat_groups SET capacity = ? WHERE id = ?`)
	qJoinLink    = stmt(`UPDATE chat_groups SET join_link = ? WHERE id = ?`)
	qProblem     = stmt(`UPDATE chat_groups SET problem = ?1 WHERE id = ?2 AND problem <> ?1`)
	qGroupExists = stmt(`SELECT EXISTS (SELECT 1 FROM chat_groups WHERE id = ?)`)
	qGroup       = stmt(`SELECT ` + groupCols + ` FROM chat_groups WHERE id = ?`)
	qGroupByChat = stmt(`SELECT ` + groupCols + ` FROM chat_groups WHERE chat_id = ?`)
	qGroups      = stmt(`SELECT ` + groupCols + ` FROM chat_groups ORDER BY kind, course, ordinal`)
)

const groupCols = `id, chat_id, kind, course, ordinal, title, capacity, seats_used, registered_by, created_at,
	set_up_at, join_link, problem`

func scanGroup(s scanner) (groups.Group, error) {
	var g groups.Group
	err := s.Scan(&g.ID, &g.ChatID, &g.Kind, &g.Course, &g.Ordinal, &g.Title, &g.Capacity, &g.SeatsUsed,
		&g.RegisteredBy, tcol(&g.CreatedAt), tcol(&g.SetUpAt), &g.JoinLink, &g.Problem)
	return g, err
}

// AddGroup stores g with the next ordinal of its course and kind and no seat
// used, and returns it. ErrConflict when the chat is registered already.
func (db *DB) AddGroup(ctx context.Context, g groups.Group) (groups.Group, error) {
	var out groups.Group
	err := db.write(ctx, func(t *tx) error {
		var err error
		out, err = scanGroup(t.queryRow(qAddGroup, g.ChatID, string(g.Kind), g.Course, g.Title, g.Capacity,
			g.RegisteredBy, ts(g.CreatedAt), ts(g.SetUpAt), g.JoinLink))
		if isUnique(err) {
			return shequn.ErrConflict
		}
		return err
	})
	if err != nil {
		return groups.Group{}, fmt.Errorf("add group for chat %d: %w", g.ChatID, err)
	}
	return out, nil
}

// MarkGroupSetUp records that the group was muted and announced.
// ErrNotFound when there is no such group.
func (db *DB) MarkGroupSetUp(ctx context.Context, groupID int64, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qGroupSetUp, ts(at), groupID)
		if err == nil && n == 0 {
			return shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mark group %d set up: %w", groupID, err)
	}
	return nil
}

// SetJoinLink stores the group's join link. ErrNotFound when there is no
// such group.
func (db *DB) SetJoinLink(ctx context.Context, groupID int64, link string) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qJoinLink, link, groupID)
		if err == nil && n == 0 {
			return shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set join link of group %d: %w", groupID, err)
	}
	return nil
}

// SetGroupCapacity changes the group's capacity.
func (db *DB) SetGroupCapacity(ctx context.Context, groupID int64, capacity int) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qCapacity, capacity, groupID)
		if err == nil && n == 0 {
			return shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set capacity of group %d: %w", groupID, err)
	}
	return nil
}

// SetGroupProblem records the group's problem ("" clears it) and reports
// whether it changed. ErrNotFound when there is no such group.
func (db *DB) SetGroupProblem(ctx context.Context, groupID int64, p groups.Problem) (bool, error) {
	var changed bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qProblem, string(p), groupID)
		if err != nil || n == 1 {
			changed = n == 1
			return err
		}
		var exists bool
		if err := t.queryRow(qGroupExists, groupID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return shequn.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("set problem of group %d: %w", groupID, err)
	}
	return changed, nil
}

// Group returns a group by id, or ErrNotFound.
func (db *DB) Group(ctx context.Context, id int64) (groups.Group, error) {
	g, err := scanGroup(db.queryRow(ctx, qGroup, id))
	if err != nil {
		return groups.Group{}, fmt.Errorf("group %d: %w", id, notFound(err))
	}
	return g, nil
}

// GroupByChat returns a group by the platform's chat id, or ErrNotFound.
func (db *DB) GroupByChat(ctx context.Context, chatID int64) (groups.Group, error) {
	g, err := scanGroup(db.queryRow(ctx, qGroupByChat, chatID))
	if err != nil {
		return groups.Group{}, fmt.Errorf("group of chat %d: %w", chatID, notFound(err))
	}
	return g, nil
}

// Groups returns every group ordered by kind, course and ordinal.
func (db *DB) Groups(ctx context.Context) ([]groups.Group, error) {
	rows, err := db.query(ctx, qGroups)
	gs, err := collect(rows, err, scanGroup)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}
