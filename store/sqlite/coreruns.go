package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// AddContribution adds an entry to the ledger once per key.
func (db *DB) AddContribution(ctx context.Context, c groups.Contribution) (bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qAddContrib, c.Scope, c.UserID, c.Period, c.Source, c.Points, c.By, c.Reason, c.Key, mark(c.At))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add contribution %s: %w", c.Key, err)
	}
	return added, nil
}

// Standings sums each user's entries of the period by source; the index
// on (scope, period, user, source, points) answers each user from the
// index alone, so the cost grows with the members asked for, not with the
// ledger.
func (db *DB) Standings(ctx context.Context, scope, period string, users []int64) ([]groups.Standing, error) {
	out := make([]groups.Standing, 0, len(users))
	for _, u := range users {
		rows, err := db.query(ctx, qStandingParts, scope, period, u)
		parts, err := collect(rows, err, func(r scanner) (groups.Part, error) {
			var p groups.Part
			return p, r.Scan(&p.Source, &p.Points)
		})
		if err != nil {
			return nil, fmt.Errorf("standing of %d: %w", u, err)
		}
		st := groups.Standing{UserID: u, Parts: parts}
		for _, p := range parts {
			st.Points += p.Points
		}
		out = append(out, st)
	}
	return out, nil
}

// Contributions returns a user's entries in the period, oldest first.
func (db *DB) Contributions(ctx context.Context, scope string, userID int64, period string) ([]groups.Contribution, error) {
	rows, err := db.query(ctx, qContributions, scope, userID, period)
	out, err := collect(rows, err, func(r scanner) (groups.Contribution, error) {
		var c groups.Contribution
		return c, r.Scan(&c.Scope, &c.UserID, &c.Period, &c.Source, &c.Points, &c.By, &c.Reason, &c.Key, tcol(&c.At))
	})
	if err != nil {
		return nil, fmt.Errorf("contributions of %d: %w", userID, err)
	}
	return out, nil
}

// RecordRun stores the run and marks its members leaving, in one
// transaction.
func (db *DB) RecordRun(ctx context.Context, r groups.EliminationRun) (groups.EliminationRun, error) {
	out, err := json.Marshal(r.Out)
	if err != nil {
		return r, fmt.Errorf("encode decisions: %w", err)
	}
	top, err := json.Marshal(r.TopUsers)
	if err != nil {
		return r, fmt.Errorf("encode top: %w", err)
	}
	err = db.write(ctx, func(t *tx) error {
		if err := t.queryRow(qAddRun, r.Scope, r.Period, mark(r.At), string(out), string(top)).Scan(&r.ID); err != nil {
			if isUnique(err) {
				return shequn.ErrConflict
			}
			return err
		}
		return applyRun(t, r)
	})
	if err != nil {
		return r, fmt.Errorf("record run of %s: %w", r.Period, err)
	}
	r.Applied = true
	return r, nil
}

func applyRun(t *tx, r groups.EliminationRun) error {
	for _, d := range r.Out {
		if _, err := t.exec(qCoreLeaving, r.ID, r.Scope, d.UserID); err != nil {
			return err
		}
	}
	_, err := t.exec(qRunApplied, r.ID)
	return err
}

// OpenRuns returns the runs not applied or without a summary.
func (db *DB) OpenRuns(ctx context.Context) ([]groups.EliminationRun, error) {
	rows, err := db.query(ctx, qOpenRuns)
	out, err := collect(rows, err, scanRun)
	if err != nil {
		return nil, fmt.Errorf("open runs: %w", err)
	}
	return out, nil
}

// ApplyRun marks the run's members leaving.
func (db *DB) ApplyRun(ctx context.Context, runID int64) error {
	err := db.write(ctx, func(t *tx) error {
		r, err := scanRun(t.queryRow(qRun, runID))
		if err != nil {
			return notFound(err)
		}
		return applyRun(t, r)
	})
	if err != nil {
		return fmt.Errorf("apply run %d: %w", runID, err)
	}
	return nil
}

// MarkRunSummary records that the run's summary was posted.
func (db *DB) MarkRunSummary(ctx context.Context, runID int64, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qRunSummary, mark(at), runID)
		return err
	})
	if err != nil {
		return fmt.Errorf("record summary of run %d: %w", runID, err)
	}
	return nil
}

var _ groups.CoreStore = (*DB)(nil)
