package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// How a review reaches the ledger without a transaction
//
// A review changes four or more documents: the submission, the student's
// week, month and all-time ledger rows (and those of the previous grade's
// period keys, when they differ), and a log entry for Queue. The
// submission is the record of truth; the rest is made to agree with it.
//
//   - A ledger row does not keep a bare sum. It keeps, per submission
//     counted in it, an entry {points, submitted at, rev}, and derives
//     points (the sum) and first_at (the earliest submitted_at of the
//     entries with points) from its entries in the same write. Rev is the
//     submission's count of reviews: review n of a submission writes rev n.
//     So first_at is exact after any correction or redo, without a query
//     of the submissions.
//   - ApplyReview changes the submission in one findOneAndUpdate,
//     conditional on its rev, its hold, its being the latest version and
//     no review of it being pending: grade, score, keys, rev+1, and
//     pending = true with clear_keys, the keys where the previous grade
//     counted (when it counted). That write decides the review; the ledger
//     change it implies is from then on recorded on the submission.
//   - Then it finishes the review (finishReview): inserts the log entry
//     with the _id "submission/rev" (a duplicate means logged already),
//     sets the submission's entry in the rows of its keys to its score and
//     in the other rows of clear_keys to 0, and clears pending
//     (conditionally on rev). A row is written by compare-and-set on its
//     own version v, and only when its entry's rev is older than the one
//     being written.
//
// Every step sets a value, none adds one: finishing a review twice counts
// it once, and as an entry never goes back to an older rev, a stalled call
// that finishes an old review late changes nothing. A crash after the
// submission's write, or part-way through the rows, leaves the review
// pending, and whoever comes next finishes it: ApplyReview of any
// submission of that student in the course finishes their pending reviews
// before its own write, and Standing does so before it reads. Until then
// that student's rows lag one grade behind, in their rank and in others'.
// Rows keep entries of 0 points (a redo takes a score out this way) and
// are never deleted, so that a late write of an older rev still finds the
// newer one; a row whose points are 0 is a row without points to every
// reader.
//
// Ranks: 1 + the rows of the period with more points, or as many and an
// earlier (first_at, user_id), counted with the index (course, period,
// key, -points, first_at, user_id). On MongoDB a count walks the index
// keys it counts, so a rank takes time in proportion to the rank: the top
// of a course answers at once whatever its size, while the middle of a
// course of 100,000 counts tens of thousands of keys, beyond the 3x bound
// the SQLite adapter meets with its bucket counts (see its ledger.go). That
// is accepted for this adapter. Top reads the same index in order, and
// the queue's head comes from the submissions' indexes (reviews.go).

// ledgerDoc is one ledger row: a student's points in a course for one
// period key.
type ledgerDoc struct {
	ID      string              `bson:"_id"`
	Course  string              `bson:"course"`
	Period  string              `bson:"period"`
	Key     string              `bson:"key"`
	UserID  int64               `bson:"user_id"`
	Points  int                 `bson:"points"`
	FirstAt *time.Time          `bson:"first_at,omitempty"` // left out while points is 0
	V       int64               `bson:"v"`                  // bumped by every write
	Entries map[string]entryDoc `bson:"entries"`            // by submission id
}

// entryDoc is what one submission counts in a row, as of its review rev.
type entryDoc struct {
	Points int       `bson:"p"`
	At     time.Time `bson:"at"`
	Rev    int       `bson:"rev"`
}

func (l ledgerDoc) standing(rank int) assignments.Standing {
	return assignments.Standing{Course: l.Course, UserID: l.UserID, Period: assignments.Period(l.Period), Key: l.Key,
		Points: l.Points, FirstAt: val(l.FirstAt), Rank: rank}
}

// withoutEntries leaves the entries out of a row read.
var withoutEntries = bson.M{"entries": 0}

// ledgerID is the _id of a row. Neither period nor key has a "/" and the
// user id comes last, so it reads back from the right.
func ledgerID(course string, period assignments.Period, key string, userID int64) string {
	return course + "/" + string(period) + "/" + key + "/" + strconv.FormatInt(userID, 10)
}

// ledgerRow names one of a student's rows in a course.
type ledgerRow struct {
	period assignments.Period
	key    string
}

// ledgerRows returns the week, month and all-time rows of k.
func ledgerRows(k keysDoc) [3]ledgerRow {
	return [3]ledgerRow{{assignments.PeriodWeek, k.Week}, {assignments.PeriodMonth, k.Month}, {assignments.PeriodAll, k.All}}
}

// finishReviews finishes the unfinished reviews of a student's
// submissions in a course. The sparse index on pending finds them: there
// are none but those of a call under way or interrupted.
func (db *DB) finishReviews(ctx context.Context, userID int64, course string) error {
	docs, err := findAll[submissionDoc](ctx, db.submissions, bson.M{"pending": true, "user_id": userID, "course": course})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := db.finishReview(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// finishReview makes the log and the ledger agree with review s.Rev of s,
// as read when pending, and clears pending.
func (db *DB) finishReview(ctx context.Context, s submissionDoc) error {
	err := db.insert(ctx, db.reviews, reviewDoc{ID: fmt.Sprintf("%d/%d", s.ID, s.Rev), SubmissionID: s.ID,
		Course: s.Course, Reviewer: s.ReviewedBy, At: val(s.ReviewedAt), Grade: s.Grade, Score: s.Score})
	if err != nil && !isDup(err) {
		return fmt.Errorf("log review: %w", err)
	}
	entries := map[ledgerRow]int{}
	if s.ClearKeys != (keysDoc{}) {
		for _, r := range ledgerRows(s.ClearKeys) {
			entries[r] = 0
		}
	}
	if score, _ := s.counted(); score > 0 {
		for _, r := range ledgerRows(s.Keys) {
			entries[r] = score
		}
	}
	for r, points := range entries {
		e := entryDoc{Points: points, At: s.SubmittedAt, Rev: s.Rev}
		if err := db.putEntry(ctx, s.Course, s.UserID, r, s.ID, e); err != nil {
			return fmt.Errorf("ledger %s %s: %w", r.period, r.key, err)
		}
	}
	_, err = db.update(ctx, db.submissions, bson.M{"_id": s.ID, "rev": s.Rev, "pending": true},
		bson.M{"$unset": bson.M{"pending": "", "clear_keys": ""}})
	return err
}

// putEntry sets a submission's entry in a row, unless the row has a newer
// one, and derives the row's points and first_at from its entries: one
// insert of a new row (the _id decides between racing ones) or one update
// conditional on the version read.
func (db *DB) putEntry(ctx context.Context, course string, userID int64, r ledgerRow, submissionID int64, e entryDoc) error {
	id, sub := ledgerID(course, r.period, r.key, userID), strconv.FormatInt(submissionID, 10)
	for range retries {
		var row ledgerDoc
		err := findOne(ctx, db.ledger, bson.M{"_id": id}, &row)
		found := err == nil
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return err
		}
		if old, ok := row.Entries[sub]; ok && old.Rev >= e.Rev {
			return nil
		}
		if row.Entries == nil {
			row.Entries = map[string]entryDoc{}
		}
		row.Entries[sub] = e
		points, first := 0, time.Time{}
		for _, e := range row.Entries {
			if e.Points > 0 {
				points += e.Points
				if first.IsZero() || e.At.Before(first) {
					first = e.At
				}
			}
		}
		var firstAt *time.Time
		if points > 0 {
			firstAt = &first
		}
		if !found {
			err = db.insert(ctx, db.ledger, ledgerDoc{ID: id, Course: course, Period: string(r.period), Key: r.key,
				UserID: userID, Points: points, FirstAt: firstAt, V: 1, Entries: row.Entries})
			if isDup(err) {
				continue
			}
			return err
		}
		set := bson.M{"points": points, "entries": row.Entries, "v": row.V + 1}
		update := bson.M{"$set": set}
		if firstAt != nil {
			set["first_at"] = firstAt
		} else {
			update["$unset"] = bson.M{"first_at": ""}
		}
		matched, err := db.update(ctx, db.ledger, bson.M{"_id": id, "v": row.V}, update)
		if err != nil || matched {
			return err
		}
	}
	return errRace
}

// Standing returns the user's points in a course for one period and key,
// with their rank: ties go to the earlier FirstAt, then the lower user id.
// ErrNotFound when they have no points there. The user's unfinished
// reviews in the course are finished first.
func (db *DB) Standing(ctx context.Context, course string, userID int64, period assignments.Period, key string) (assignments.Standing, error) {
	if !period.Valid() {
		return assignments.Standing{}, shequn.Errorf(shequn.CodeInvalid, "standing: unknown period %q", period)
	}
	s, err := db.standing(ctx, course, userID, period, key)
	if err != nil {
		return assignments.Standing{}, fmt.Errorf("standing of %d in %s %s %s: %w", userID, course, period, key, err)
	}
	return s, nil
}

func (db *DB) standing(ctx context.Context, course string, userID int64, period assignments.Period, key string) (assignments.Standing, error) {
	if err := db.finishReviews(ctx, userID, course); err != nil {
		return assignments.Standing{}, err
	}
	var row ledgerDoc
	err := findOne(ctx, db.ledger, bson.M{"_id": ledgerID(course, period, key, userID)}, &row,
		options.FindOne().SetProjection(withoutEntries))
	if err != nil {
		return assignments.Standing{}, notFound(err)
	}
	if row.Points <= 0 || row.FirstAt == nil {
		return assignments.Standing{}, shequn.ErrNotFound
	}
	p, f := row.Points, *row.FirstAt
	ahead, err := db.ledger.CountDocuments(ctx, bson.M{"course": course, "period": period, "key": key, "$or": bson.A{
		bson.M{"points": bson.M{"$gt": p}},
		bson.M{"points": p, "first_at": bson.M{"$lt": f}},
		bson.M{"points": p, "first_at": f, "user_id": bson.M{"$lt": userID}},
	}})
	if err != nil {
		return assignments.Standing{}, err
	}
	return row.standing(int(ahead) + 1), nil
}

// Top returns the first n standings of a course for one period and key,
// best first.
func (db *DB) Top(ctx context.Context, course string, period assignments.Period, key string, n int) ([]assignments.Standing, error) {
	if !period.Valid() {
		return nil, shequn.Errorf(shequn.CodeInvalid, "top: unknown period %q", period)
	}
	if n <= 0 {
		return nil, nil
	}
	docs, err := findAll[ledgerDoc](ctx, db.ledger,
		bson.M{"course": course, "period": period, "key": key, "points": bson.M{"$gt": 0}},
		options.Find().SetSort(order("course", "period", "key", "-points", "first_at", "user_id")).
			SetLimit(int64(n)).SetProjection(withoutEntries))
	if err != nil {
		return nil, fmt.Errorf("top %d of %s %s %s: %w", n, course, period, key, err)
	}
	top := make([]assignments.Standing, len(docs))
	for i, d := range docs {
		top[i] = d.standing(i + 1)
	}
	return top, nil
}
