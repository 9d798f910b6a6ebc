package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// A courses parameter is bound as a JSON array (see coursesArg) and read
// with json_each; NULL means every course.
var (
	qCreateAssignment = stmt(`INSERT INTO assignments
		(course, title, description, due_at, max_score, created_by, created_at, announced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + assignmentCols)
	qAssignment  = stmt(`SELECT ` + assignmentCols + ` FROM assignments WHERE id = ?`)
	qAssignments = stmt(`SELECT ` + assignmentCols + ` FROM assignments
		WHERE (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))
		AND (due_at IS NULL OR due_at >= ?2)
		ORDER BY due_at IS NULL, due_at, id`)
	qUnannounced = stmt(`SELECT ` + assignmentCols + ` FROM assignments
		WHERE announced_at IS NULL ORDER BY created_at, id LIMIT ?`)
	qMarkAnnounced = stmt(`UPDATE assignments SET announced_at = ? WHERE id = ?`)
)

const assignmentCols = `id, course, title, description, due_at, max_score, created_by, created_at, announced_at`

func scanAssignment(s scanner) (assignments.Assignment, error) {
	var a assignments.Assignment
	err := s.Scan(&a.ID, &a.Course, &a.Title, &a.Description, tcol(&a.Due), &a.MaxScore, &a.CreatedBy,
		tcol(&a.CreatedAt), tcol(&a.AnnouncedAt))
	return a, err
}

// coursesArg is the stored form of a courses filter: NULL for nil (every
// course), else a JSON array, so that one prepared statement takes any
// number of courses.
func coursesArg(courses []string) any {
	if courses == nil {
		return nil
	}
	b, _ := json.Marshal(courses) // a []string always marshals
	return string(b)
}

// inCourses reports whether course passes a courses filter.
func inCourses(course string, courses []string) bool {
	return courses == nil || slices.Contains(courses, course)
}

// CreateAssignment stores a and returns it with its id.
func (db *DB) CreateAssignment(ctx context.Context, a assignments.Assignment) (assignments.Assignment, error) {
	if !storable(a.Due) {
		return assignments.Assignment{}, shequn.Errorf(shequn.CodeInvalid, "due date %s is outside the years 1678 to 2261 this store keeps", a.Due.Format(time.DateOnly))
	}
	var out assignments.Assignment
	err := db.write(ctx, func(t *tx) error {
		var err error
		out, err = scanAssignment(t.queryRow(qCreateAssignment, a.Course, a.Title, a.Description, ts(a.Due),
			a.MaxScore, a.CreatedBy, ts(a.CreatedAt), ts(a.AnnouncedAt)))
		return err
	})
	if err != nil {
		return assignments.Assignment{}, fmt.Errorf("create assignment in %s: %w", a.Course, err)
	}
	return out, nil
}

// Assignment returns one assignment, or ErrNotFound.
func (db *DB) Assignment(ctx context.Context, id int64) (assignments.Assignment, error) {
	a, err := scanAssignment(db.queryRow(ctx, qAssignment, id))
	if err != nil {
		return assignments.Assignment{}, fmt.Errorf("assignment %d: %w", id, notFound(err))
	}
	return a, nil
}

// Assignments lists the assignments of the courses (nil: every course) due
// at or after since or without a due date, earliest due first and those
// without a due date last.
func (db *DB) Assignments(ctx context.Context, courses []string, since time.Time) ([]assignments.Assignment, error) {
	rows, err := db.query(ctx, qAssignments, coursesArg(courses), mark(since)) // a zero since (0) takes every due date
	as, err := collect(rows, err, scanAssignment)
	if err != nil {
		return nil, fmt.Errorf("list assignments of %v: %w", courses, err)
	}
	return as, nil
}

// Unannounced returns up to limit assignments not yet announced, oldest
// first.
func (db *DB) Unannounced(ctx context.Context, limit int) ([]assignments.Assignment, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, qUnannounced, limit)
	as, err := collect(rows, err, scanAssignment)
	if err != nil {
		return nil, fmt.Errorf("unannounced assignments: %w", err)
	}
	return as, nil
}

// MarkAnnounced records that the assignment was posted in its groups.
// ErrNotFound when there is no such assignment.
func (db *DB) MarkAnnounced(ctx context.Context, id int64, at time.Time) error {
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qMarkAnnounced, ts(at), id)
		if err == nil && n == 0 {
			return shequn.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mark assignment %d announced: %w", id, err)
	}
	return nil
}

var (
	qAssignmentCourse = stmt(`SELECT course FROM assignments WHERE id = ?`)
	qLatestVersion    = stmt(`SELECT ` + submissionCols + ` FROM submissions
		WHERE assignment_id = ? AND user_id = ? AND latest = 1`)
	qSupersede = stmt(`UPDATE submissions SET state = 'superseded', latest = 0, held_by = 0, held_until = NULL
		WHERE id = ?`)
	qNotLatest        = stmt(`UPDATE submissions SET latest = 0 WHERE id = ?`)
	qInsertSubmission = stmt(`INSERT INTO submissions
		(assignment_id, course, user_id, version, kind, text, file_ids, submitted_at, late, penalty_pct, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING ` + submissionCols)
	qSubmission  = stmt(`SELECT ` + submissionCols + ` FROM submissions WHERE id = ?`)
	qSubmissions = stmt(`SELECT ` + submissionCols + ` FROM submissions
		WHERE user_id = ? AND latest = 1 ORDER BY submitted_at DESC, id DESC`)
	qVersions = stmt(`SELECT ` + submissionCols + ` FROM submissions
		WHERE assignment_id = ? AND user_id = ? ORDER BY version`)
)

const submissionCols = `id, assignment_id, course, user_id, version, kind, text, file_ids, submitted_at, late,
	penalty_pct, state, held_by, held_until, grade, score, comment, reviewed_by, reviewed_at, feedback_sent_at,
	latest, key_week, key_month, key_all`

// submission is a stored version with what the store keeps beside it.
type submission struct {
	assignments.Submission
	latest bool                   // the newest version of the student's work
	keys   assignments.PeriodKeys // the ledger rows its counted score is in
}

// heldAt reports whether someone other than reviewer holds s at t.
func (s submission) heldAt(t time.Time, reviewer int64) bool {
	return s.HeldBy != 0 && s.HeldBy != reviewer && s.HeldUntil.After(t)
}

func scanSubmission(s scanner) (submission, error) {
	var (
		sub   submission
		files string
	)
	err := s.Scan(&sub.ID, &sub.AssignmentID, &sub.Course, &sub.UserID, &sub.Version, &sub.Content.Kind,
		&sub.Content.Text, &files, tcol(&sub.SubmittedAt), &sub.Late, &sub.PenaltyPct, &sub.State, &sub.HeldBy,
		tcol(&sub.HeldUntil), &sub.Grade, &sub.Score, &sub.Comment, &sub.ReviewedBy, tcol(&sub.ReviewedAt),
		tcol(&sub.FeedbackSentAt), &sub.latest, &sub.keys.Week, &sub.keys.Month, &sub.keys.All)
	if err != nil {
		return submission{}, err
	}
	if err := json.Unmarshal([]byte(files), &sub.Content.FileIDs); err != nil {
		return submission{}, fmt.Errorf("file ids of submission %d: %w", sub.ID, err)
	}
	if len(sub.Content.FileIDs) == 0 {
		sub.Content.FileIDs = nil
	}
	return sub, nil
}

// scanPublic scans a submission as callers see it.
func scanPublic(s scanner) (assignments.Submission, error) {
	sub, err := scanSubmission(s)
	return sub.Submission, err
}

// Submit stores s as the student's newest version of the assignment, in
// the assignment's course: a pending version becomes superseded, a redo
// one stays as history; a version held by a reviewer whose hold has not
// ended at s.SubmittedAt, or reviewed with a grade other than redo, makes
// it fail with ErrConflict. ErrNotFound when there is no such assignment.
func (db *DB) Submit(ctx context.Context, s assignments.Submission) (assignments.Submission, error) {
	files, err := json.Marshal(s.Content.FileIDs)
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("submit to assignment %d: %w", s.AssignmentID, err)
	}
	if s.Content.FileIDs == nil {
		files = []byte("[]")
	}
	var out submission
	err = db.write(ctx, func(t *tx) error {
		if err := t.queryRow(qAssignmentCourse, s.AssignmentID).Scan(&s.Course); err != nil {
			return notFound(err)
		}
		version := 1
		cur, err := scanSubmission(t.queryRow(qLatestVersion, s.AssignmentID, s.UserID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur.heldAt(s.SubmittedAt, 0):
			return shequn.ErrConflict
		case cur.State == assignments.StatePending:
			if _, err := t.exec(qSupersede, cur.ID); err != nil {
				return err
			}
			version = cur.Version + 1
		case cur.State == assignments.StateRedo:
			if _, err := t.exec(qNotLatest, cur.ID); err != nil {
				return err
			}
			version = cur.Version + 1
		default:
			return shequn.ErrConflict
		}
		out, err = scanSubmission(t.queryRow(qInsertSubmission, s.AssignmentID, s.Course, s.UserID, version,
			string(s.Content.Kind), s.Content.Text, string(files), mark(s.SubmittedAt), s.Late, s.PenaltyPct))
		return err
	})
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("submit to assignment %d by %d: %w", s.AssignmentID, s.UserID, err)
	}
	return out.Submission, nil
}

// Submission returns one version, or ErrNotFound.
func (db *DB) Submission(ctx context.Context, id int64) (assignments.Submission, error) {
	s, err := scanPublic(db.queryRow(ctx, qSubmission, id))
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("submission %d: %w", id, notFound(err))
	}
	return s, nil
}

// Submissions returns the user's current versions, the newest of each
// assignment, newest first.
func (db *DB) Submissions(ctx context.Context, userID int64) ([]assignments.Submission, error) {
	rows, err := db.query(ctx, qSubmissions, userID)
	ss, err := collect(rows, err, scanPublic)
	if err != nil {
		return nil, fmt.Errorf("submissions of %d: %w", userID, err)
	}
	return ss, nil
}

// Versions returns every version of the user's work on an assignment,
// oldest first.
func (db *DB) Versions(ctx context.Context, assignmentID, userID int64) ([]assignments.Submission, error) {
	rows, err := db.query(ctx, qVersions, assignmentID, userID)
	ss, err := collect(rows, err, scanPublic)
	if err != nil {
		return nil, fmt.Errorf("versions of assignment %d by %d: %w", assignmentID, userID, err)
	}
	return ss, nil
}
