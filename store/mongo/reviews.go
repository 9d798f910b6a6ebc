package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// Holds. A hold is free when nobody holds the submission (held_by 0) or
// the hold ended (held_until <= now). Taking one is a single
// findOneAndUpdate whose filter is "pending and free", so two reviewers
// never get the same submission. The queue is read oldest first from the
// index (state, course, submitted_at, _id) for some courses, one range per
// course merged by the server, or (state, submitted_at, _id) for every
// course; a reviewer's own holds from (held_by, state, held_until).

// Hold gives reviewer the pending submission of the courses (nil: every
// course) waiting longest, then by id, whose hold is free at now, holding
// it until until, never the reviewer's own work. A reviewer who holds a
// pending submission of the courses gets it again, held until until.
// ErrNotFound when nothing waits.
func (db *DB) Hold(ctx context.Context, reviewer int64, courses []string, now, until time.Time) (assignments.Submission, error) {
	s, err := db.hold(ctx, reviewer, courses, now, until)
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("hold a submission of %v for %d: %w", courses, reviewer, err)
	}
	return s.submission(), nil
}

func (db *DB) hold(ctx context.Context, reviewer int64, courses []string, now, until time.Time) (submissionDoc, error) {
	if courses != nil && len(courses) == 0 {
		return submissionDoc{}, shequn.ErrNotFound
	}
	var s submissionDoc
	oldest := options.FindOneAndUpdate().SetSort(order("submitted_at", "_id"))
	mine := inCourses(bson.M{"held_by": reviewer, "state": assignments.StatePending,
		"held_until": bson.M{"$gt": ms(now)}}, courses)
	err := db.modify(ctx, db.submissions, mine, bson.M{"$set": bson.M{"held_until": ms(until)}}, &s, oldest)
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return s, err
	}
	free := inCourses(holdFree(0, now), courses)
	free["state"] = assignments.StatePending
	free["user_id"] = bson.M{"$ne": reviewer} // nobody reviews their own work
	err = db.modify(ctx, db.submissions, free,
		bson.M{"$set": bson.M{"held_by": reviewer, "held_until": ms(until)}}, &s, oldest)
	return s, notFound(err)
}

// HoldSubmission holds one submission for reviewer until until, to grade
// it or correct its grade. ErrConflict when another reviewer's hold has not
// ended at now, when the submission is not the student's newest version,
// or when it is the reviewer's own work; ErrNotFound when there is no such
// submission.
func (db *DB) HoldSubmission(ctx context.Context, id, reviewer int64, now, until time.Time) (assignments.Submission, error) {
	filter := holdFree(reviewer, now)
	filter["_id"], filter["latest"], filter["user_id"] = id, true, bson.M{"$ne": reviewer}
	var s submissionDoc
	err := db.modify(ctx, db.submissions, filter,
		bson.M{"$set": bson.M{"held_by": reviewer, "held_until": ms(until)}}, &s, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Superseded, replaced after a redo, held, or the reviewer's own: a
		// conflict, if it exists.
		if _, err = db.submissionDoc(ctx, id); err == nil {
			err = shequn.ErrConflict
		}
	}
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("hold submission %d for %d: %w", id, reviewer, notFound(err))
	}
	return s.submission(), nil
}

// Release ends reviewer's hold of a submission; it is a no-op when
// reviewer does not hold it.
func (db *DB) Release(ctx context.Context, id, reviewer int64) error {
	_, err := db.update(ctx, db.submissions, bson.M{"_id": id, "held_by": reviewer},
		bson.M{"$set": bson.M{"held_by": 0}, "$unset": bson.M{"held_until": ""}})
	if err != nil {
		return fmt.Errorf("release submission %d held by %d: %w", id, reviewer, err)
	}
	return nil
}

// ApplyReview grades a submission and moves its counted score in the
// ledger (see ledger.go for how the two converge without a transaction):
// a reviewed submission counts its score in the rows of r.Keys, a pending
// or redo one counts nothing. The hold is cleared and the feedback is to
// be sent (again). ErrConflict when another reviewer's hold has not ended
// at r.At, when the submission is superseded or a redo replaced by a newer
// version, or when it is the reviewer's own work; ErrNotFound when there
// is none. The review itself was checked by the assignments service.
func (db *DB) ApplyReview(ctx context.Context, r assignments.Review) (assignments.Submission, error) {
	s, err := db.recordReview(ctx, r)
	if err == nil {
		err = db.finishReview(ctx, s)
	}
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("apply review of submission %d by %d: %w", r.SubmissionID, r.Reviewer, err)
	}
	return s.submission(), nil
}

// recordReview makes the review's one write to the submission, which
// decides it, and returns the submission as it is then, its ledger change
// pending.
func (db *DB) recordReview(ctx context.Context, r assignments.Review) (submissionDoc, error) {
	for range retries {
		cur, err := db.submissionDoc(ctx, r.SubmissionID)
		if err != nil {
			return submissionDoc{}, notFound(err)
		}
		if !cur.Latest || cur.heldAt(r.At, r.Reviewer) || cur.UserID == r.Reviewer {
			return submissionDoc{}, shequn.ErrConflict
		}
		// The ledger change of the previous review, if unfinished, goes
		// first: the update below needs it done.
		if err := db.finishReviews(ctx, cur.UserID, cur.Course); err != nil {
			return submissionDoc{}, err
		}
		var clear keysDoc
		if old, _ := cur.counted(); old > 0 {
			clear = cur.Keys
		}
		filter := holdFree(r.Reviewer, r.At)
		filter["_id"], filter["rev"], filter["latest"], filter["pending"] = cur.ID, cur.Rev, true, bson.M{"$ne": true}
		var out submissionDoc
		err = db.modify(ctx, db.submissions, filter, bson.M{
			"$set": bson.M{"state": r.State(), "grade": r.Grade, "score": r.Score, "comment": r.Comment,
				"reviewed_by": r.Reviewer, "reviewed_at": ms(r.At),
				"keys":    keysDoc{Week: r.Keys.Week, Month: r.Keys.Month, All: r.Keys.All},
				"held_by": 0, "rev": cur.Rev + 1, "pending": true, "clear_keys": clear},
			"$unset": bson.M{"held_until": "", "feedback_sent_at": ""},
		}, &out, nil)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // changed meanwhile: held, replaced or reviewed by someone else
		}
		return out, err
	}
	return submissionDoc{}, errRace
}

// reviewDoc is the log of one review, for the reviews per reviewer of
// Queue. Its _id is "submission/rev", so logging a review again after a
// crash adds nothing.
type reviewDoc struct {
	ID           string    `bson:"_id"`
	SubmissionID int64     `bson:"submission_id"`
	Course       string    `bson:"course"`
	Reviewer     int64     `bson:"reviewer"`
	At           time.Time `bson:"at"`
	Grade        string    `bson:"grade"`
	Score        int       `bson:"score"`
}

// UnsentFeedback returns up to limit reviewed or redo submissions whose
// review the student has not been sent, oldest review first.
func (db *DB) UnsentFeedback(ctx context.Context, limit int) ([]assignments.Submission, error) {
	if limit <= 0 {
		return nil, nil
	}
	ss, err := db.submissionList(ctx, bson.M{
		"state":            bson.M{"$in": bson.A{assignments.StateReviewed, assignments.StateRedo}},
		"feedback_sent_at": nil,
	}, options.Find().SetSort(order("reviewed_at", "_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("unsent feedback: %w", err)
	}
	return ss, nil
}

// MarkFeedbackSent records that the review made at reviewedAt was sent; it
// changes nothing when the submission was reviewed again since, so that
// the newer review is sent too. ErrNotFound when there is no such
// submission.
func (db *DB) MarkFeedbackSent(ctx context.Context, id int64, reviewedAt, at time.Time) error {
	matched, err := db.update(ctx, db.submissions,
		bson.M{"_id": id, "reviewed_at": ms(reviewedAt), "feedback_sent_at": nil},
		bson.M{"$set": bson.M{"feedback_sent_at": ms(at)}})
	if err == nil && !matched {
		_, err = db.submissionDoc(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("mark feedback of submission %d sent: %w", id, notFound(err))
	}
	return nil
}

// Queue counts the pending submissions of the courses (nil: every course)
// with the oldest one's time, and the reviews of their submissions made at
// or after since, per reviewer. Unlike the SQLite adapter's, its three
// reads are not one snapshot: a review made between them may show in one
// and not the other.
func (db *DB) Queue(ctx context.Context, courses []string, since time.Time) (assignments.QueueStats, error) {
	q, err := db.queue(ctx, courses, since)
	if err != nil {
		return assignments.QueueStats{}, fmt.Errorf("queue of %v: %w", courses, err)
	}
	return q, nil
}

func (db *DB) queue(ctx context.Context, courses []string, since time.Time) (assignments.QueueStats, error) {
	q := assignments.QueueStats{ReviewsBy: map[int64]int{}}
	if courses != nil && len(courses) == 0 {
		return q, nil
	}
	pending := inCourses(bson.M{"state": assignments.StatePending}, courses)
	n, err := db.submissions.CountDocuments(ctx, pending)
	if err != nil {
		return q, err
	}
	q.Pending = int(n)
	var oldest submissionDoc
	err = findOne(ctx, db.submissions, pending, &oldest, options.FindOne().SetSort(order("submitted_at", "_id")))
	switch {
	case err == nil:
		q.OldestPending = oldest.SubmittedAt.UTC()
	case !errors.Is(err, mongo.ErrNoDocuments):
		return q, err
	}
	cur, err := db.reviews.Aggregate(ctx, bson.A{
		bson.M{"$match": inCourses(bson.M{"at": bson.M{"$gte": ms(since)}}, courses)},
		bson.M{"$group": bson.M{"_id": "$reviewer", "n": bson.M{"$sum": 1}}},
	})
	if err != nil {
		return q, err
	}
	var by []struct {
		Reviewer int64 `bson:"_id"`
		N        int   `bson:"n"`
	}
	if err := cur.All(ctx, &by); err != nil {
		return q, err
	}
	for _, b := range by {
		q.ReviewsBy[b.Reviewer] = b.N
	}
	return q, nil
}
