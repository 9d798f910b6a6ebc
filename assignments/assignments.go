// Package assignments owns homework: assignments a teacher publishes,
// submissions students make to the bot, reviews with grades and scores, and
// the score ledger that ranks students per week, month and all time. Strong
// submitters are later promoted into the core group, so scores must be
// trustworthy: every grade is applied to the ledger exactly once, and a
// corrected grade corrects it.
package assignments

import (
	"context"
	"fmt"
	"time"
)

// Assignment is a piece of homework of a course.
type Assignment struct {
	ID          int64
	Course      string
	Title       string
	Description string
	Due         time.Time // zero: no due date
	MaxScore    int
	CreatedBy   int64
	CreatedAt   time.Time
	AnnouncedAt time.Time // posted and pinned in every student group of the course
}

// ContentKind is what a submission consists of.
type ContentKind string

// Content kinds.
const (
	ContentText     ContentKind = "text"
	ContentLink     ContentKind = "link"
	ContentPhoto    ContentKind = "photo"
	ContentDocument ContentKind = "document"
)

// Content is the work itself. Files stay on the platform: only their ids
// are kept, nothing is downloaded.
type Content struct {
	Kind    ContentKind
	Text    string   // the text, the link, or the caption of files
	FileIDs []string // photo or document ids on the platform
}

// State is where a submission stands.
type State string

// Submission states. A student's newest version is the current one; a
// version replaced before review is superseded and kept as history.
const (
	StatePending    State = "pending"
	StateReviewed   State = "reviewed"
	StateRedo       State = "redo"
	StateSuperseded State = "superseded"
)

// Grade is a reviewer's verdict.
type Grade string

// Grades. Redo reopens the work: the student submits again and nothing
// counts until then.
const (
	GradeExcellent Grade = "excellent"
	GradeGood      Grade = "good"
	GradePass      Grade = "pass"
	GradeRedo      Grade = "redo"
)

// Valid reports whether g is a grade.
func (g Grade) Valid() bool {
	switch g {
	case GradeExcellent, GradeGood, GradePass, GradeRedo:
		return true
	}
	return false
}

// Submission is one version of a student's work on an assignment.
type Submission struct {
	ID           int64
	AssignmentID int64
	Course       string
	UserID       int64
	Version      int // 1 for the first, +1 for each resubmission
	Content      Content
	SubmittedAt  time.Time
	Late         bool
	PenaltyPct   int // percentage taken off the score for lateness
	State        State

	HeldBy    int64     // the reviewer looking at it; zero when nobody
	HeldUntil time.Time // the hold ends then, so a reviewer who walks away does not block it

	Grade      Grade
	Score      int // what counts in the ledger, after any late penalty
	Comment    string
	ReviewedBy int64
	ReviewedAt time.Time
	// FeedbackSentAt records that the student got the review by DM.
	FeedbackSentAt time.Time
}

// Period is a span the ledger ranks over.
type Period string

// Periods.
const (
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
	PeriodAll   Period = "all"
)

// Valid reports whether p is a period.
func (p Period) Valid() bool { return p == PeriodWeek || p == PeriodMonth || p == PeriodAll }

// PeriodKeys names the week, month and all-time ledger rows a submission
// made at t counts in, in the community's time zone: "2026-W48",
// "2026-11" and "all".
type PeriodKeys struct{ Week, Month, All string }

// KeysAt returns the period keys of t in loc.
func KeysAt(t time.Time, loc *time.Location) PeriodKeys {
	t = t.In(loc)
	y, w := t.ISOWeek()
	return PeriodKeys{Week: weekKey(y, w), Month: t.Format("2006-01"), All: "all"}
}

// Key returns the key of period p.
func (k PeriodKeys) Key(p Period) string {
	switch p {
	case PeriodWeek:
		return k.Week
	case PeriodMonth:
		return k.Month
	}
	return k.All
}

func weekKey(y, w int) string { return fmt.Sprintf("%04d-W%02d", y, w) }

// Standing is a student's place in a course for one period.
type Standing struct {
	Course  string
	UserID  int64
	Period  Period
	Key     string
	Points  int
	FirstAt time.Time // the earliest graded submission counted; earlier wins a tie
	Rank    int       // 1 is first
}

// Review is a reviewer's grade of a submission.
type Review struct {
	SubmissionID int64
	Reviewer     int64
	Grade        Grade
	Score        int // after the late penalty; 0 for redo
	Comment      string
	At           time.Time
	Keys         PeriodKeys // of the submission's time, where its points count
}

// QueueStats describe the review queue of some courses.
type QueueStats struct {
	Pending       int
	OldestPending time.Time // zero when none is pending
	// ReviewsBy counts reviews per reviewer since the time asked for.
	ReviewsBy map[int64]int
}

// Store keeps assignments, submissions and the ledger. Every method is
// atomic on its own. A nil courses slice means every course.
type Store interface {
	// CreateAssignment stores a with a new id. It keeps every due date
	// CheckDue accepts exactly (to the millisecond); a date the store
	// cannot keep is refused with CodeInvalid, never stored as another.
	CreateAssignment(ctx context.Context, a Assignment) (Assignment, error)
	// Assignment returns one assignment, or shequn.ErrNotFound.
	Assignment(ctx context.Context, id int64) (Assignment, error)
	// Assignments lists the assignments of the courses due at or after
	// since (or without a due date), earliest due first.
	Assignments(ctx context.Context, courses []string, since time.Time) ([]Assignment, error)
	// Unannounced returns assignments not yet announced, oldest first.
	Unannounced(ctx context.Context, limit int) ([]Assignment, error)
	MarkAnnounced(ctx context.Context, id int64, at time.Time) error

	// Submit stores s as the student's newest version of the assignment
	// (Version, State and ID are set by the store): a pending version
	// becomes superseded; a version under review by someone else, or
	// reviewed with a grade other than redo, makes it fail with
	// shequn.ErrConflict.
	Submit(ctx context.Context, s Submission) (Submission, error)
	// Submission returns one version, or shequn.ErrNotFound.
	Submission(ctx context.Context, id int64) (Submission, error)
	// Submissions returns the user's current versions (not superseded),
	// newest first.
	Submissions(ctx context.Context, userID int64) ([]Submission, error)
	// Versions returns every version of the user's work on an assignment,
	// oldest first.
	Versions(ctx context.Context, assignmentID, userID int64) ([]Submission, error)

	// Hold gives reviewer the pending submission of the courses waiting
	// longest that nobody else holds (a hold ended before now is free),
	// holding it until until. A reviewer who holds one gets it again.
	// shequn.ErrNotFound when nothing waits.
	Hold(ctx context.Context, reviewer int64, courses []string, now, until time.Time) (Submission, error)
	// HoldSubmission holds one given submission for reviewer (for a grade
	// given by id); shequn.ErrConflict when another reviewer holds it.
	HoldSubmission(ctx context.Context, id, reviewer int64, now, until time.Time) (Submission, error)
	// Release ends reviewer's hold of a submission.
	Release(ctx context.Context, id, reviewer int64) error
	// ApplyReview grades a submission and changes the ledger in the same
	// step: a first grade adds its score to the week, month and all-time
	// rows of r.Keys; a corrected grade adds the difference; redo takes a
	// counted score back out and reopens the work. A submission held by
	// someone else (hold not ended at r.At) or superseded fails with
	// shequn.ErrConflict.
	ApplyReview(ctx context.Context, r Review) (Submission, error)
	// UnsentFeedback returns reviewed or redo submissions whose review the
	// student has not been sent, oldest review first.
	UnsentFeedback(ctx context.Context, limit int) ([]Submission, error)
	MarkFeedbackSent(ctx context.Context, id int64, reviewedAt, at time.Time) error

	// Standing returns the user's standing with its rank, or
	// shequn.ErrNotFound when they have no points in the period.
	Standing(ctx context.Context, course string, userID int64, period Period, key string) (Standing, error)
	// Top returns the first n standings, best first; ties go to the
	// earlier FirstAt, then the lower user id.
	Top(ctx context.Context, course string, period Period, key string, n int) ([]Standing, error)
	// Queue describes the pending work of the courses and the reviews done
	// since the time.
	Queue(ctx context.Context, courses []string, since time.Time) (QueueStats, error)
}
