package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

var (
	qAddChain     = stmt(`INSERT INTO core_chains (scope, title, by_user, created_at) VALUES (?, ?, ?, ?) RETURNING id`)
	qChain        = stmt(`SELECT id, scope, title, by_user, created_at, chat_id, message_id FROM core_chains WHERE id = ?`)
	qChainMembers = stmt(`SELECT user_id, at FROM core_chain_members WHERE chain_id = ? ORDER BY place, at, user_id`)
	qJoinChain    = stmt(`INSERT INTO core_chain_members (chain_id, user_id, at, place)
		SELECT ?1, ?2, ?3, (SELECT COALESCE(MAX(place), 0) + 1 FROM core_chain_members WHERE chain_id = ?1)
		WHERE EXISTS (SELECT 1 FROM core_chains WHERE id = ?1) ON CONFLICT DO NOTHING`)
	qSetChainMessage = stmt(`UPDATE core_chains SET chat_id = ?, message_id = ? WHERE id = ?`)
)

// AddChain stores a chain with the next id.
func (db *DB) AddChain(ctx context.Context, c groups.Chain) (groups.Chain, error) {
	err := db.write(ctx, func(t *tx) error {
		return t.queryRow(qAddChain, c.Scope, c.Title, c.By, mark(c.CreatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return c, fmt.Errorf("add chain %q: %w", c.Title, err)
	}
	return c, nil
}

// Chain returns a chain with its members in the order they joined.
func (db *DB) Chain(ctx context.Context, id int64) (groups.Chain, error) {
	var c groups.Chain
	err := db.queryRow(ctx, qChain, id).Scan(&c.ID, &c.Scope, &c.Title, &c.By, tcol(&c.CreatedAt), &c.ChatID, &c.MessageID)
	if err != nil {
		return c, fmt.Errorf("chain %d: %w", id, notFound(err))
	}
	rows, err := db.query(ctx, qChainMembers, id)
	c.Members, err = collect(rows, err, func(r scanner) (groups.ChainMember, error) {
		var m groups.ChainMember
		return m, r.Scan(&m.UserID, tcol(&m.At))
	})
	if err != nil {
		return c, fmt.Errorf("members of chain %d: %w", id, err)
	}
	return c, nil
}

// JoinChain adds the user to the chain once.
func (db *DB) JoinChain(ctx context.Context, id, userID int64, at time.Time) (groups.Chain, bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qJoinChain, id, userID, mark(at))
		added = n == 1
		return err
	})
	if err != nil {
		return groups.Chain{}, false, fmt.Errorf("join chain %d: %w", id, err)
	}
	c, err := db.Chain(ctx, id)
	return c, added, err
}

// SetChainMessage records where the chain's message was posted.
func (db *DB) SetChainMessage(ctx context.Context, id, chatID int64, messageID int) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qSetChainMessage, chatID, messageID, id)
		if err == nil && n == 0 {
			err = shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("chain %d message: %w", id, err)
	}
	return nil
}

var _ groups.ChainStore = (*DB)(nil)
