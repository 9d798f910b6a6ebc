package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

const coreCols = `scope, user_id, state, reason, score, qualified_at, invited_at, expires_at, invite_sent_at,
	joined_at, welcomed_at, protected, run_id, removed_at, told_at`

var (
	qAddCandidate = stmt(`INSERT INTO core_seats (scope, user_id, state, reason, score, qualified_at) VALUES (?, ?, 'candidate', ?, ?, ?)
		ON CONFLICT (scope, user_id) DO UPDATE SET state = 'candidate', reason = excluded.reason, score = excluded.score,
			qualified_at = excluded.qualified_at, invited_at = NULL, expires_at = NULL, invite_sent_at = NULL,
			joined_at = NULL, welcomed_at = NULL, protected = 0, run_id = 0, removed_at = NULL, told_at = NULL
		WHERE state IN ('expired', 'left', 'out')`)
	qCoreSeat       = stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE scope = ? AND user_id = ?`)
	qCoreQueue      = stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE scope = ? AND state = ? ORDER BY score DESC, qualified_at, user_id LIMIT ?`)
	qCoreByState    = stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE state = ? AND scope = ? ORDER BY user_id LIMIT ?`)
	qCoreTaken      = stmt(`SELECT COUNT(*) FROM core_seats WHERE scope = ? AND state IN ('invited', 'member')`)
	qCoreInvite     = stmt(`UPDATE core_seats SET state = 'invited', invited_at = ?, expires_at = ? WHERE scope = ? AND user_id = ? AND state = 'candidate'`)
	qCoreExpire     = stmt(`UPDATE core_seats SET state = 'expired' WHERE scope = ? AND state = 'invited' AND expires_at <= ? RETURNING ` + coreCols)
	qCoreProtect    = stmt(`UPDATE core_seats SET protected = ? WHERE scope = ? AND user_id = ?`)
	qCoreLeaving    = stmt(`UPDATE core_seats SET state = 'leaving', run_id = ? WHERE scope = ? AND user_id = ? AND state = 'member'`)
	qAddContrib     = stmt(`INSERT INTO core_contrib (scope, user_id, period, source, points, by_user, reason, key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qStandingParts  = stmt(`SELECT source, SUM(points) FROM core_contrib WHERE scope = ? AND period = ? AND user_id = ? GROUP BY source ORDER BY source`)
	qContributions  = stmt(`SELECT scope, user_id, period, source, points, by_user, reason, key, at FROM core_contrib WHERE scope = ? AND user_id = ? AND period = ? ORDER BY at, id`)
	qAddRun         = stmt(`INSERT INTO core_runs (scope, period, at, out, top) VALUES (?, ?, ?, ?, ?) RETURNING id`)
	qRunApplied     = stmt(`UPDATE core_runs SET applied = 1 WHERE id = ?`)
	qRun            = stmt(`SELECT id, scope, period, at, out, top, applied, summary_at FROM core_runs WHERE id = ?`)
	qOpenRuns       = stmt(`SELECT id, scope, period, at, out, top, applied, summary_at FROM core_runs WHERE applied = 0 OR summary_at IS NULL ORDER BY id`)
	qRunSummary     = stmt(`UPDATE core_runs SET summary_at = ? WHERE id = ? AND summary_at IS NULL`)
	qCoreSetState   = stmt(`UPDATE core_seats SET state = ?2, joined_at = CASE WHEN ?2 = 'member' THEN ?3 ELSE joined_at END WHERE scope = ?4 AND user_id = ?5 AND state = ?1`)
	qCoreMarkInvite = stmt(`UPDATE core_seats SET invite_sent_at = ?1, expires_at = expires_at + MAX(?1 - invited_at, 0)
		WHERE scope = ?2 AND user_id = ?3 AND state = 'invited' AND invite_sent_at IS NULL`)
	qCoreMarkWelc   = stmt(`UPDATE core_seats SET welcomed_at = ? WHERE scope = ? AND user_id = ? AND state = 'member' AND welcomed_at IS NULL`)
	qCoreMarkRemove = stmt(`UPDATE core_seats SET removed_at = ? WHERE scope = ? AND user_id = ? AND state = 'leaving' AND removed_at IS NULL`)
	qCoreMarkTell   = stmt(`UPDATE core_seats SET told_at = ?, state = 'out' WHERE scope = ? AND user_id = ? AND state = 'leaving' AND removed_at IS NOT NULL AND told_at IS NULL`)
	qCorePending    = map[groups.CoreStep]string{
		groups.CoreStepInvite:  stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE state = 'invited' AND invite_sent_at IS NULL ORDER BY invited_at, user_id LIMIT ?`),
		groups.CoreStepWelcome: stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE state = 'member' AND welcomed_at IS NULL ORDER BY joined_at, user_id LIMIT ?`),
		groups.CoreStepRemove:  stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE state = 'leaving' AND removed_at IS NULL ORDER BY run_id, user_id LIMIT ?`),
		groups.CoreStepTell:    stmt(`SELECT ` + coreCols + ` FROM core_seats WHERE state = 'leaving' AND removed_at IS NOT NULL AND told_at IS NULL ORDER BY run_id, user_id LIMIT ?`),
	}
)

func scanCoreSeat(r scanner) (groups.CoreSeat, error) {
	var c groups.CoreSeat
	var reason string
	err := r.Scan(&c.Scope, &c.UserID, &c.State, &reason, &c.Score, tcol(&c.QualifiedAt), tcol(&c.InvitedAt),
		tcol(&c.ExpiresAt), tcol(&c.InviteSent), tcol(&c.JoinedAt), tcol(&c.WelcomedAt), &c.Protected, &c.RunID,
		tcol(&c.RemovedAt), tcol(&c.ToldAt))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(reason), &c.Reason); err != nil {
		return c, fmt.Errorf("stored reason: %w", err)
	}
	return c, nil
}

// AddCandidate makes the user a candidate unless they are one, invited or
// a member already.
func (db *DB) AddCandidate(ctx context.Context, c groups.CoreSeat) (bool, error) {
	reason, err := json.Marshal(c.Reason)
	if err != nil {
		return false, fmt.Errorf("encode reason: %w", err)
	}
	var added bool
	err = db.write(ctx, func(t *tx) error {
		n, err := t.exec(qAddCandidate, c.Scope, c.UserID, string(reason), c.Score, mark(c.QualifiedAt))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add candidate %d: %w", c.UserID, err)
	}
	return added, nil
}

// CoreSeat returns the user's record in the scope.
func (db *DB) CoreSeat(ctx context.Context, scope string, userID int64) (groups.CoreSeat, error) {
	c, err := scanCoreSeat(db.queryRow(ctx, qCoreSeat, scope, userID))
	if err != nil {
		return c, fmt.Errorf("core record %d: %w", userID, notFound(err))
	}
	return c, nil
}

// CoreSeats returns the records of the scope in the state.
func (db *DB) CoreSeats(ctx context.Context, scope string, state groups.CoreState, limit int) ([]groups.CoreSeat, error) {
	if limit <= 0 {
		limit = -1
	}
	q := qCoreByState
	args := []any{state, scope, limit}
	if state == groups.CoreCandidate {
		q, args = qCoreQueue, []any{scope, state, limit}
	}
	rows, err := db.query(ctx, q, args...)
	out, err := collect(rows, err, scanCoreSeat)
	if err != nil {
		return nil, fmt.Errorf("core records %s: %w", state, err)
	}
	return out, nil
}

// InviteNext invites the best candidates into the free seats.
func (db *DB) InviteNext(ctx context.Context, scope string, capacity int, at, expires time.Time) ([]groups.CoreSeat, error) {
	var invited []groups.CoreSeat
	err := db.write(ctx, func(t *tx) error {
		invited = nil
		var taken int
		if err := t.queryRow(qCoreTaken, scope).Scan(&taken); err != nil {
			return err
		}
		if taken >= capacity {
			return nil
		}
		rows, err := t.query(qCoreQueue, scope, groups.CoreCandidate, capacity-taken)
		next, err := collect(rows, err, scanCoreSeat)
		if err != nil {
			return err
		}
		for _, c := range next {
			if _, err := t.exec(qCoreInvite, mark(at), mark(expires), scope, c.UserID); err != nil {
				return err
			}
			c.State, c.InvitedAt, c.ExpiresAt = groups.CoreInvited, at, expires
			invited = append(invited, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("invite candidates: %w", err)
	}
	return invited, nil
}

// ExpireInvites turns expired invitations into CoreExpired.
func (db *DB) ExpireInvites(ctx context.Context, scope string, now time.Time) ([]groups.CoreSeat, error) {
	var out []groups.CoreSeat
	err := db.write(ctx, func(t *tx) error {
		var err error
		rows, err := t.query(qCoreExpire, scope, mark(now))
		out, err = collect(rows, err, scanCoreSeat)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("expire invitations: %w", err)
	}
	return out, nil
}

// SetCoreState moves the user from one state to another.
func (db *DB) SetCoreState(ctx context.Context, scope string, userID int64, from, to groups.CoreState, at time.Time) (bool, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		var err error
		n, err = t.exec(qCoreSetState, from, to, mark(at), scope, userID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("core state %d: %w", userID, err)
	}
	return n == 1, nil
}

// ProtectCore sets or clears the owner's protection.
func (db *DB) ProtectCore(ctx context.Context, scope string, userID int64, on bool) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qCoreProtect, on, scope, userID)
		if err == nil && n == 0 {
			err = shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("protect %d: %w", userID, err)
	}
	return nil
}

// MarkCore records that a step was done.
func (db *DB) MarkCore(ctx context.Context, scope string, userID int64, step groups.CoreStep, at time.Time) (bool, error) {
	q, ok := map[groups.CoreStep]string{
		groups.CoreStepInvite: qCoreMarkInvite, groups.CoreStepWelcome: qCoreMarkWelc,
		groups.CoreStepRemove: qCoreMarkRemove, groups.CoreStepTell: qCoreMarkTell,
	}[step]
	if !ok {
		return false, fmt.Errorf("unknown core step %q", step)
	}
	var n int64
	err := db.write(ctx, func(t *tx) error {
		var err error
		n, err = t.exec(q, mark(at), scope, userID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark core %s %d: %w", step, userID, err)
	}
	return n == 1, nil
}

// PendingCore returns records with the step unfinished.
func (db *DB) PendingCore(ctx context.Context, step groups.CoreStep, limit int) ([]groups.CoreSeat, error) {
	q, ok := qCorePending[step]
	if !ok {
		return nil, fmt.Errorf("unknown core step %q", step)
	}
	rows, err := db.query(ctx, q, limit)
	out, err := collect(rows, err, scanCoreSeat)
	if err != nil {
		return nil, fmt.Errorf("core records pending %s: %w", step, err)
	}
	return out, nil
}

func scanRun(r scanner) (groups.EliminationRun, error) {
	var run groups.EliminationRun
	var out, top string
	err := r.Scan(&run.ID, &run.Scope, &run.Period, tcol(&run.At), &out, &top, &run.Applied, tcol(&run.Summary))
	if err != nil {
		return run, err
	}
	if err := json.Unmarshal([]byte(out), &run.Out); err != nil {
		return run, fmt.Errorf("stored decisions: %w", err)
	}
	if err := json.Unmarshal([]byte(top), &run.TopUsers); err != nil {
		return run, fmt.Errorf("stored top: %w", err)
	}
	return run, nil
}
