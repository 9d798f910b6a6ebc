package mongo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// contribDoc is one ledger entry; its _id makes a key count once.
type contribDoc struct {
	Scope  string    `bson:"scope"`
	UserID int64     `bson:"user_id"`
	Period string    `bson:"period"`
	Source string    `bson:"source"`
	Points int       `bson:"points"`
	By     int64     `bson:"by"`
	Reason string    `bson:"reason"`
	Key    string    `bson:"key"`
	At     time.Time `bson:"at"`
}

// AddContribution adds an entry to the ledger once per key.
func (db *DB) AddContribution(ctx context.Context, c groups.Contribution) (bool, error) {
	err := db.insert(ctx, db.coreContrib, bson.M{
		"_id": coreID(c.Scope, c.UserID) + "/" + c.Key, "scope": c.Scope, "user_id": c.UserID, "period": c.Period,
		"source": string(c.Source), "points": c.Points, "by": c.By, "reason": c.Reason, "key": c.Key, "at": ms(c.At),
	})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("add contribution %s: %w", c.Key, err)
	}
	return true, nil
}

func (db *DB) contributions(ctx context.Context, scope string, userID int64, period string) ([]contribDoc, error) {
	return findAll[contribDoc](ctx, db.coreContrib, bson.M{"scope": scope, "period": period, "user_id": userID},
		options.Find().SetSort(order("at", "_id")))
}

// Standings sums each user's entries of the period by source.
func (db *DB) Standings(ctx context.Context, scope, period string, users []int64) ([]groups.Standing, error) {
	out := make([]groups.Standing, 0, len(users))
	for _, u := range users {
		docs, err := db.contributions(ctx, scope, u, period)
		if err != nil {
			return nil, fmt.Errorf("standing of %d: %w", u, err)
		}
		st := groups.Standing{UserID: u}
		for _, d := range docs {
			st.Points += d.Points
			i := slices.IndexFunc(st.Parts, func(p groups.Part) bool { return p.Source == groups.Source(d.Source) })
			if i < 0 {
				st.Parts = append(st.Parts, groups.Part{Source: groups.Source(d.Source)})
				i = len(st.Parts) - 1
			}
			st.Parts[i].Points += d.Points
		}
		slices.SortFunc(st.Parts, func(a, b groups.Part) int {
			if a.Source < b.Source {
				return -1
			}
			if a.Source > b.Source {
				return 1
			}
			return 0
		})
		out = append(out, st)
	}
	return out, nil
}

// Contributions returns a user's entries in the period, oldest first.
func (db *DB) Contributions(ctx context.Context, scope string, userID int64, period string) ([]groups.Contribution, error) {
	docs, err := db.contributions(ctx, scope, userID, period)
	if err != nil {
		return nil, fmt.Errorf("contributions of %d: %w", userID, err)
	}
	out := make([]groups.Contribution, len(docs))
	for i, d := range docs {
		out[i] = groups.Contribution{Scope: d.Scope, UserID: d.UserID, Period: d.Period, Source: groups.Source(d.Source),
			Points: d.Points, By: d.By, Reason: d.Reason, Key: d.Key, At: d.At.UTC()}
	}
	return out, nil
}

// runDoc is an elimination run, stored before it is carried out.
type runDoc struct {
	ID        int64             `bson:"_id"`
	Scope     string            `bson:"scope"`
	Period    string            `bson:"period"`
	At        time.Time         `bson:"at"`
	Out       []groups.Decision `bson:"out"`
	Top       []int64           `bson:"top"`
	Applied   bool              `bson:"applied"`
	SummaryAt *time.Time        `bson:"summary_at,omitempty"`
}

func (d runDoc) run() groups.EliminationRun {
	return groups.EliminationRun{ID: d.ID, Scope: d.Scope, Period: d.Period, At: d.At.UTC(), Out: d.Out,
		Applied: d.Applied, Summary: val(d.SummaryAt), TopUsers: d.Top}
}

// RecordRun stores the run, then marks its members leaving. Without a
// transaction the two are separate writes: a run stored and not applied is
// applied by the next pass (OpenRuns, ApplyRun), and until then its seats
// count as taken, so nobody is invited into them early.
func (db *DB) RecordRun(ctx context.Context, r groups.EliminationRun) (groups.EliminationRun, error) {
	id, err := db.next(ctx, "core_run")
	if err != nil {
		return r, err
	}
	r.ID = id
	d := runDoc{ID: id, Scope: r.Scope, Period: r.Period, At: ms(r.At), Out: r.Out, Top: r.TopUsers}
	if d.Out == nil {
		d.Out = []groups.Decision{}
	}
	if d.Top == nil {
		d.Top = []int64{}
	}
	err = db.insert(ctx, db.coreRuns, d)
	if isDup(err) {
		err = shequn.ErrConflict
	}
	if err != nil {
		return r, fmt.Errorf("record run of %s: %w", r.Period, err)
	}
	if err := db.applyRun(ctx, d); err != nil {
		return r, err
	}
	r.Applied = true
	return r, nil
}

func (db *DB) applyRun(ctx context.Context, d runDoc) error {
	for _, o := range d.Out {
		_, err := db.update(ctx, db.coreSeats, bson.M{"_id": coreID(d.Scope, o.UserID), "state": string(groups.CoreMember)},
			bson.M{"$set": bson.M{"state": string(groups.CoreLeaving), "run_id": d.ID}})
		if err != nil {
			return fmt.Errorf("apply run %d: %w", d.ID, err)
		}
	}
	if _, err := db.update(ctx, db.coreRuns, bson.M{"_id": d.ID}, bson.M{"$set": bson.M{"applied": true}}); err != nil {
		return fmt.Errorf("apply run %d: %w", d.ID, err)
	}
	return nil
}

// OpenRuns returns the runs not applied or without a summary.
func (db *DB) OpenRuns(ctx context.Context) ([]groups.EliminationRun, error) {
	docs, err := findAll[runDoc](ctx, db.coreRuns, bson.M{"$or": bson.A{bson.M{"applied": false}, bson.M{"summary_at": nil}}},
		options.Find().SetSort(order("_id")))
	if err != nil {
		return nil, fmt.Errorf("open runs: %w", err)
	}
	out := make([]groups.EliminationRun, len(docs))
	for i, d := range docs {
		out[i] = d.run()
	}
	return out, nil
}

// ApplyRun marks the run's members leaving.
func (db *DB) ApplyRun(ctx context.Context, runID int64) error {
	var d runDoc
	if err := findOne(ctx, db.coreRuns, bson.M{"_id": runID}, &d); err != nil {
		return fmt.Errorf("run %d: %w", runID, notFound(err))
	}
	return db.applyRun(ctx, d)
}

// MarkRunSummary records that the run's summary was posted.
func (db *DB) MarkRunSummary(ctx context.Context, runID int64, at time.Time) error {
	_, err := db.update(ctx, db.coreRuns, bson.M{"_id": runID, "summary_at": nil}, bson.M{"$set": bson.M{"summary_at": ms(at)}})
	if err != nil {
		return fmt.Errorf("record summary of run %d: %w", runID, err)
	}
	return nil
}

var _ groups.CoreStore = (*DB)(nil)
