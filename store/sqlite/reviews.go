package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// A hold is free when nobody holds the submission (held_by 0) or the hold
// ended (held_until <= now). The queue is read oldest first from the
// partial indexes of pending submissions: submissions_pending for every
// course, submissions_pending_course for some, one index probe per course;
// a reviewer's own holds from submissions_held.
var (
	qHeldBy = stmt(`SELECT ` + submissionCols + ` FROM submissions
		WHERE held_by = ?1 AND held_by <> 0 AND state = 'pending' AND held_until > ?2
		ORDER BY submitted_at, id`)
	qSetHold = stmt(`UPDATE submissions SET held_by = ?, held_until = ? WHERE id = ? RETURNING ` + submissionCols)
	// Parameters: reviewer, until, now.
	qHoldNext = stmt(`UPDATE submissions SET held_by = ?1, held_until = ?2
		WHERE id = (SELECT id FROM submissions
			WHERE state = 'pending' AND (held_by = 0 OR held_until <= ?3) AND user_id <> ?1
			ORDER BY submitted_at, id LIMIT 1)
		RETURNING ` + submissionCols)
	// Parameters: reviewer, until, now, courses.
	qHoldNextOf = stmt(`UPDATE submissions SET held_by = ?1, held_until = ?2
		WHERE id = (SELECT s.id FROM json_each(?4) AS c JOIN submissions AS s ON s.id = (
				SELECT h.id FROM submissions AS h
				WHERE h.state = 'pending' AND h.course = c.value AND (h.held_by = 0 OR h.held_until <= ?3)
					AND h.user_id <> ?1
				ORDER BY h.submitted_at, h.id LIMIT 1)
			ORDER BY s.submitted_at, s.id LIMIT 1)
		RETURNING ` + submissionCols)
	qRelease = stmt(`UPDATE submissions SET held_by = 0, held_until = NULL WHERE id = ? AND held_by = ?`)

	qReview = stmt(`UPDATE submissions SET state = ?, grade = ?, score = ?, comment = ?, reviewed_by = ?,
			reviewed_at = ?, key_week = ?, key_month = ?, key_all = ?,
			held_by = 0, held_until = NULL, feedback_sent_at = NULL
		WHERE id = ? RETURNING ` + submissionCols)
	qLogReview = stmt(`INSERT INTO reviews (submission_id, course, reviewer, at, grade, score)
		VALUES (?, ?, ?, ?, ?, ?)`)

	qUnsentFeedback = stmt(`SELECT ` + submissionCols + ` FROM submissions
		WHERE state IN ('reviewed', 'redo') AND feedback_sent_at IS NULL ORDER BY reviewed_at, id LIMIT ?`)
	qMarkFeedbackSent = stmt(`UPDATE submissions SET feedback_sent_at = ?
		WHERE id = ? AND reviewed_at = ? AND feedback_sent_at IS NULL`)
	qSubmissionExists = stmt(`SELECT 1 FROM submissions WHERE id = ?`)

	// qQueue reads the queue in one statement, so in one snapshot; the
	// reviews per reviewer come as a JSON object. Parameters: courses,
	// since.
	qQueue = stmt(`SELECT p.n, p.oldest, r.reviews_by
		FROM (SELECT COUNT(*) AS n, MIN(submitted_at) AS oldest FROM submissions
				WHERE state = 'pending' AND (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))) AS p,
			(SELECT json_group_object(reviewer, n) AS reviews_by FROM (
				SELECT reviewer, COUNT(*) AS n FROM reviews
				WHERE at >= ?2 AND (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))
				GROUP BY reviewer)) AS r`)
)

// Hold gives reviewer the pending submission of the courses (nil: every
// course) waiting longest, then by id, whose hold is free at now and which
// is not the reviewer's own work, holding it until until. A reviewer who
// holds a pending submission of the courses gets it again, held until
// until. ErrNotFound when nothing waits.
func (db *DB) Hold(ctx context.Context, reviewer int64, courses []string, now, until time.Time) (assignments.Submission, error) {
	var out assignments.Submission
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.query(qHeldBy, reviewer, mark(now))
		held, err := collect(rows, err, scanPublic)
		if err != nil {
			return err
		}
		for _, h := range held {
			if inCourses(h.Course, courses) {
				out, err = scanPublic(t.queryRow(qSetHold, reviewer, mark(until), h.ID))
				return err
			}
		}
		if courses == nil {
			out, err = scanPublic(t.queryRow(qHoldNext, reviewer, mark(until), mark(now)))
		} else {
			out, err = scanPublic(t.queryRow(qHoldNextOf, reviewer, mark(until), mark(now), coursesArg(courses)))
		}
		return notFound(err)
	})
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("hold a submission of %v for %d: %w", courses, reviewer, err)
	}
	return out, nil
}

// HoldSubmission holds one submission for reviewer until until, to grade
// it or correct its grade. ErrConflict when another reviewer's hold has not
// ended at now, when the submission is not the student's newest version,
// or when it is the reviewer's own work; ErrNotFound when there is no such
// submission.
func (db *DB) HoldSubmission(ctx context.Context, id, reviewer int64, now, until time.Time) (assignments.Submission, error) {
	var out assignments.Submission
	err := db.write(ctx, func(t *tx) error {
		cur, err := scanSubmission(t.queryRow(qSubmission, id))
		if err != nil {
			return notFound(err)
		}
		if !cur.latest || cur.State == assignments.StateSuperseded || cur.heldAt(now, reviewer) || cur.UserID == reviewer {
			return shequn.ErrConflict
		}
		out, err = scanPublic(t.queryRow(qSetHold, reviewer, mark(until), id))
		return err
	})
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("hold submission %d for %d: %w", id, reviewer, err)
	}
	return out, nil
}

// Release ends reviewer's hold of a submission; it is a no-op when
// reviewer does not hold it.
func (db *DB) Release(ctx context.Context, id, reviewer int64) error {
	err := db.write(ctx, func(t *tx) error {
		_, err := t.exec(qRelease, id, reviewer)
		return err
	})
	if err != nil {
		return fmt.Errorf("release submission %d held by %d: %w", id, reviewer, err)
	}
	return nil
}

// ApplyReview grades a submission and moves its counted score in the
// ledger in the same transaction (see moveScore): a reviewed submission
// counts its score in the rows of r.Keys, a pending or redo one counts
// nothing. The hold is cleared and the feedback is to be sent (again).
// ErrConflict when another reviewer's hold has not ended at r.At, when
// the submission is superseded or a redo replaced by a newer version, or
// when it is the reviewer's own work; ErrNotFound when there is none. The
// review itself was checked by the assignments service.
func (db *DB) ApplyReview(ctx context.Context, r assignments.Review) (assignments.Submission, error) {
	state, score := r.State(), r.Score
	var out submission
	err := db.write(ctx, func(t *tx) error {
		cur, err := scanSubmission(t.queryRow(qSubmission, r.SubmissionID))
		if err != nil {
			return notFound(err)
		}
		if !cur.latest || cur.State == assignments.StateSuperseded || cur.heldAt(r.At, r.Reviewer) || cur.UserID == r.Reviewer {
			return shequn.ErrConflict
		}
		counted := 0
		if cur.State == assignments.StateReviewed {
			counted = cur.Score
		}
		out, err = scanSubmission(t.queryRow(qReview, string(state), string(r.Grade), score, r.Comment, r.Reviewer,
			mark(r.At), r.Keys.Week, r.Keys.Month, r.Keys.All, r.SubmissionID))
		if err != nil {
			return err
		}
		if _, err := t.exec(qLogReview, cur.ID, cur.Course, r.Reviewer, mark(r.At), string(r.Grade), score); err != nil {
			return err
		}
		return moveScore(t, cur.Course, cur.UserID, cur.keys, counted, r.Keys, score)
	})
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("apply review of submission %d by %d: %w", r.SubmissionID, r.Reviewer, err)
	}
	return out.Submission, nil
}

// UnsentFeedback returns up to limit reviewed or redo submissions whose
// review the student has not been sent, oldest review first.
func (db *DB) UnsentFeedback(ctx context.Context, limit int) ([]assignments.Submission, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, qUnsentFeedback, limit)
	ss, err := collect(rows, err, scanPublic)
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
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qMarkFeedbackSent, mark(at), id, mark(reviewedAt))
		if err != nil || n == 1 {
			return err
		}
		var one int
		return notFound(t.queryRow(qSubmissionExists, id).Scan(&one))
	})
	if err != nil {
		return fmt.Errorf("mark feedback of submission %d sent: %w", id, err)
	}
	return nil
}

// Queue counts the pending submissions of the courses (nil: every course)
// with the oldest one's time, and the reviews of their submissions made at
// or after since, per reviewer.
func (db *DB) Queue(ctx context.Context, courses []string, since time.Time) (assignments.QueueStats, error) {
	q, err := db.queue(ctx, courses, since)
	if err != nil {
		return assignments.QueueStats{}, fmt.Errorf("queue of %v: %w", courses, err)
	}
	return q, nil
}

func (db *DB) queue(ctx context.Context, courses []string, since time.Time) (assignments.QueueStats, error) {
	var (
		q  assignments.QueueStats
		by sql.NullString
	)
	if err := db.queryRow(ctx, qQueue, coursesArg(courses), mark(since)).Scan(&q.Pending, tcol(&q.OldestPending), &by); err != nil {
		return q, err
	}
	var counts map[string]int
	if by.Valid {
		if err := json.Unmarshal([]byte(by.String), &counts); err != nil {
			return q, err
		}
	}
	q.ReviewsBy = make(map[int64]int, len(counts))
	for k, n := range counts {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return q, fmt.Errorf("reviewer id %q: %w", k, err)
		}
		q.ReviewsBy[id] = n
	}
	return q, nil
}
