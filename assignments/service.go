package assignments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
)

// LatePolicy says what happens to work submitted after the due date.
type LatePolicy string

// Late policies.
const (
	LateAccept  LatePolicy = "accept"  // taken, marked late
	LatePenalty LatePolicy = "penalty" // taken, marked late, score reduced by PenaltyPct
	LateRefuse  LatePolicy = "refuse"  // not taken
)

// Announcer posts and pins a notice in every student group of a course,
// each step once per group (groups.Service does). done reports whether
// every group that can take it has it; the rest is retried on a later pass.
type Announcer interface {
	Announce(ctx context.Context, course, key string, n shequn.Notice, now time.Time) (done bool, err error)
}

// Service applies the rules of homework.
type Service struct {
	Store    Store
	Members  membership.Store
	Roles    membership.RoleStore
	Groups   Announcer
	Notifier shequn.Teller
	Owners   []int64
	Courses  map[string]membership.Course
	Location *time.Location
	Late     LatePolicy
	// LatePenaltyPct is taken off late work's score under LatePenalty.
	LatePenaltyPct int
	// HoldFor is how long a reviewer keeps a submission; 30 minutes when
	// zero.
	HoldFor time.Duration
	Now     func() time.Time
	Log     *slog.Logger
	// Wake asks the reconciler for a pass soon (an assignment to
	// announce, feedback to deliver); nil when nobody listens.
	Wake func()

	backoff jobs.Backoff // feedback DMs failing for a passing reason
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Errors the transport answers with a specific text.
var (
	ErrNotEnrolled = shequn.Errorf(shequn.CodeForbidden, "not enrolled in the course")
	ErrNotReviewer = shequn.Errorf(shequn.CodeForbidden, "not a teacher or assistant of the course")
	ErrTooLate     = shequn.Errorf(shequn.CodeConflict, "the due date has passed")
	ErrReviewed    = shequn.Errorf(shequn.CodeConflict, "the work is reviewed already")
	ErrHeld        = shequn.Errorf(shequn.CodeConflict, "another reviewer is looking at it")
	ErrNoWork      = shequn.Errorf(shequn.CodeNotFound, "nothing waits for review")
	// ErrOwnWork refuses a reviewer their own submission: a teacher or
	// assistant who is also an enrolled student never grades themselves.
	ErrOwnWork = shequn.Errorf(shequn.CodeForbidden, "nobody reviews their own work")
)

// Limits of what people may enter.
const (
	MaxTitle       = 100
	MaxDescription = 2000
	// MaxText is what one Telegram message holds, in UTF-16 code units:
	// whatever a student or a reviewer can send fits.
	MaxText       = 4096
	MaxFiles      = 10
	MaxScoreLimit = 1000
)

// MaxDueYears is how far ahead a due date may be. A course runs for months,
// not decades: a date further out is a typo (2300 for 2030), and every
// store keeps such dates exactly.
const MaxDueYears = 5

// Errors of due dates, answered with their own texts.
var (
	ErrDuePast   = shequn.Errorf(shequn.CodeInvalid, "the due date must be in the future")
	ErrDueTooFar = shequn.Errorf(shequn.CodeInvalid, "the due date is more than %d years ahead", MaxDueYears)
)

// LatestDue is the latest due date accepted at now.
func LatestDue(now time.Time) time.Time { return now.AddDate(MaxDueYears, 0, 0) }

// CheckDue applies the rule of due dates: none (zero), or later than now
// and at most MaxDueYears ahead.
func CheckDue(due, now time.Time) error {
	switch {
	case due.IsZero():
		return nil
	case !due.After(now):
		return ErrDuePast
	case due.After(LatestDue(now)):
		return ErrDueTooFar
	}
	return nil
}

// ReviewScope returns the courses a user reviews (all of them when all is
// true), and whether they review at all. Owners review every course.
func (s *Service) ReviewScope(ctx context.Context, userID int64) (courses []string, all, ok bool, err error) {
	if slices.Contains(s.Owners, userID) {
		return nil, true, true, nil
	}
	gs, err := s.Roles.Grants(ctx, userID)
	if err != nil {
		return nil, false, false, fmt.Errorf("read roles: %w", err)
	}
	if len(gs) == 0 {
		return nil, false, false, nil
	}
	courses, all = membership.StaffCourses(gs)
	return courses, all, true, nil
}

// CanReview reports whether the user reviews the course.
func (s *Service) CanReview(ctx context.Context, userID int64, course string) (bool, error) {
	courses, all, ok, err := s.ReviewScope(ctx, userID)
	return ok && (all || slices.Contains(courses, course)), err
}

func (s *Service) requireReviewer(ctx context.Context, userID int64, course string) error {
	ok, err := s.CanReview(ctx, userID, course)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotReviewer
	}
	return nil
}

// Create publishes an assignment; it is announced in the course's groups
// by the next Reconcile.
func (s *Service) Create(ctx context.Context, by int64, a Assignment) (Assignment, error) {
	if _, ok := s.Courses[a.Course]; !ok {
		return Assignment{}, shequn.Errorf(shequn.CodeNotFound, "unknown course %q", a.Course)
	}
	if err := s.requireReviewer(ctx, by, a.Course); err != nil {
		return Assignment{}, err
	}
	a.Title, a.Description = strings.TrimSpace(a.Title), strings.TrimSpace(a.Description)
	if err := CheckTitle(a.Title); err != nil {
		return Assignment{}, err
	}
	if utf8.RuneCountInString(a.Description) > MaxDescription {
		return Assignment{}, shequn.Errorf(shequn.CodeInvalid, "description must have at most %d characters", MaxDescription)
	}
	if err := CheckMaxScore(a.MaxScore); err != nil {
		return Assignment{}, err
	}
	if err := CheckDue(a.Due, s.Now()); err != nil {
		return Assignment{}, err
	}
	a.CreatedBy, a.CreatedAt, a.AnnouncedAt = by, s.Now(), time.Time{}
	a, err := s.Store.CreateAssignment(ctx, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("create assignment: %w", err)
	}
	s.Log.InfoContext(ctx, "assignment created", "assignment", a.ID, "course", a.Course, "by", by)
	s.wake() // announced within seconds, not at the next tick
	return a, nil
}

// Submit stores a student's work on an assignment as their newest version.
func (s *Service) Submit(ctx context.Context, userID, assignmentID int64, c Content) (Submission, error) {
	a, err := s.Store.Assignment(ctx, assignmentID)
	if err != nil {
		return Submission{}, fmt.Errorf("find assignment %d: %w", assignmentID, err)
	}
	en, err := s.Members.Enrollment(ctx, a.Course, userID)
	if errors.Is(err, shequn.ErrNotFound) || err == nil && !en.Active() {
		return Submission{}, ErrNotEnrolled
	}
	if err != nil {
		return Submission{}, fmt.Errorf("read enrollment: %w", err)
	}
	if err := validContent(c); err != nil {
		return Submission{}, err
	}
	now := s.Now()
	sub := Submission{AssignmentID: a.ID, Course: a.Course, UserID: userID, Content: c, SubmittedAt: now}
	if !a.Due.IsZero() && now.After(a.Due) {
		switch s.Late {
		case LateRefuse:
			return Submission{}, ErrTooLate
		case LatePenalty:
			sub.Late, sub.PenaltyPct = true, s.LatePenaltyPct
		default:
			sub.Late = true
		}
	}
	sub, err = s.Store.Submit(ctx, sub)
	if errors.Is(err, shequn.ErrConflict) {
		return Submission{}, ErrReviewed
	}
	if err != nil {
		return Submission{}, fmt.Errorf("store submission: %w", err)
	}
	return sub, nil
}

// utf16Len measures text the way Telegram does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func validContent(c Content) error {
	switch c.Kind {
	case ContentText, ContentLink:
		if strings.TrimSpace(c.Text) == "" {
			return shequn.Errorf(shequn.CodeInvalid, "empty submission")
		}
	case ContentPhoto, ContentDocument:
		if len(c.FileIDs) == 0 || len(c.FileIDs) > MaxFiles {
			return shequn.Errorf(shequn.CodeInvalid, "a submission holds 1 to %d files", MaxFiles)
		}
	default:
		return shequn.Errorf(shequn.CodeInvalid, "unknown content kind %q", c.Kind)
	}
	if utf16Len(c.Text) > MaxText {
		return shequn.Errorf(shequn.CodeInvalid, "text longer than %d UTF-16 units", MaxText)
	}
	return nil
}

func (s *Service) holdFor() time.Duration {
	if s.HoldFor > 0 {
		return s.HoldFor
	}
	return 30 * time.Minute
}

// Next holds the longest-waiting submission of the reviewer's courses for
// them, never their own, and returns it with its assignment.
func (s *Service) Next(ctx context.Context, reviewer int64) (Submission, Assignment, error) {
	courses, all, ok, err := s.ReviewScope(ctx, reviewer)
	if err != nil {
		return Submission{}, Assignment{}, err
	}
	if !ok {
		return Submission{}, Assignment{}, ErrNotReviewer
	}
	if all {
		courses = nil
	}
	now := s.Now()
	sub, err := s.Store.Hold(ctx, reviewer, courses, now, now.Add(s.holdFor()))
	if errors.Is(err, shequn.ErrNotFound) {
		return Submission{}, Assignment{}, ErrNoWork
	}
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("hold next submission: %w", err)
	}
	a, err := s.Store.Assignment(ctx, sub.AssignmentID)
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("find assignment: %w", err)
	}
	return sub, a, nil
}

// sendFeedback tells the student their review and reports whether it
// reached them. A student who blocked the bot is not asked again: the
// review waits in /mywork.
func (s *Service) sendFeedback(ctx context.Context, sub Submission, a Assignment) (bool, error) {
	err := s.Notifier.Tell(ctx, sub.UserID, FeedbackNotice{Submission: sub, Assignment: a})
	if err != nil && !errors.Is(err, shequn.ErrUnreachable) {
		return false, err
	}
	if merr := s.Store.MarkFeedbackSent(ctx, sub.ID, sub.ReviewedAt, s.Now()); merr != nil {
		return err == nil, merr
	}
	return err == nil, nil
}

// Release gives a held submission back to the queue.
func (s *Service) Release(ctx context.Context, reviewer, submissionID int64) error {
	return s.Store.Release(ctx, submissionID, reviewer)
}
