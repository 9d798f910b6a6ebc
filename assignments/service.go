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

	"github.com/shequn/shequn/groups"
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

// GroupLister lists the community's groups (groups.Store does).
type GroupLister interface {
	Groups(ctx context.Context) ([]groups.Group, error)
}

// PostLog remembers which steps of a post (posted, pinned) reached each
// chat, so that an announcement resumed after a failure or a restart
// repeats nothing.
type PostLog = groups.PostLog

// GroupEffects settles effects in groups (groups.Service does): a
// failure only a person can fix becomes the group's problem, told to the
// owners; a passing one backs off on its own.
type GroupEffects interface {
	// Ready reports whether the effect named key may be tried at now.
	Ready(key string, now time.Time) bool
	// Settle records how the effect ended and reports whether it is done.
	Settle(ctx context.Context, g groups.Group, key string, err error, now time.Time) bool
}

// Service applies the rules of homework.
type Service struct {
	Store    Store
	Posts    PostLog
	Members  membership.Store
	Roles    membership.RoleStore
	Groups   GroupLister
	Notifier groups.Notifier
	Effects  GroupEffects
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

	backoff groups.Backoff // feedback DMs failing for a passing reason
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Errors the transport answers with a specific text.
var (
	ErrNotEnrolled = membership.Errorf(membership.CodeForbidden, "not enrolled in the course")
	ErrNotReviewer = membership.Errorf(membership.CodeForbidden, "not a teacher or assistant of the course")
	ErrTooLate     = membership.Errorf(membership.CodeConflict, "the due date has passed")
	ErrReviewed    = membership.Errorf(membership.CodeConflict, "the work is reviewed already")
	ErrHeld        = membership.Errorf(membership.CodeConflict, "another reviewer is looking at it")
	ErrNoWork      = membership.Errorf(membership.CodeNotFound, "nothing waits for review")
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
	ErrDuePast   = membership.Errorf(membership.CodeInvalid, "the due date must be in the future")
	ErrDueTooFar = membership.Errorf(membership.CodeInvalid, "the due date is more than %d years ahead", MaxDueYears)
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
		return Assignment{}, membership.Errorf(membership.CodeNotFound, "unknown course %q", a.Course)
	}
	if err := s.requireReviewer(ctx, by, a.Course); err != nil {
		return Assignment{}, err
	}
	a.Title, a.Description = strings.TrimSpace(a.Title), strings.TrimSpace(a.Description)
	if err := CheckTitle(a.Title); err != nil {
		return Assignment{}, err
	}
	if utf8.RuneCountInString(a.Description) > MaxDescription {
		return Assignment{}, membership.Errorf(membership.CodeInvalid, "description must have at most %d characters", MaxDescription)
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
	if errors.Is(err, membership.ErrNotFound) || err == nil && !en.Active() {
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
	if errors.Is(err, membership.ErrConflict) {
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
			return membership.Errorf(membership.CodeInvalid, "empty submission")
		}
	case ContentPhoto, ContentDocument:
		if len(c.FileIDs) == 0 || len(c.FileIDs) > MaxFiles {
			return membership.Errorf(membership.CodeInvalid, "a submission holds 1 to %d files", MaxFiles)
		}
	default:
		return membership.Errorf(membership.CodeInvalid, "unknown content kind %q", c.Kind)
	}
	if utf16Len(c.Text) > MaxText {
		return membership.Errorf(membership.CodeInvalid, "text longer than %d UTF-16 units", MaxText)
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
// them and returns it with its assignment.
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
	if errors.Is(err, membership.ErrNotFound) {
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

// Take holds one given submission for the reviewer: the state a review
// button or a /grade command acts on is checked here, on the server.
func (s *Service) Take(ctx context.Context, reviewer, submissionID int64) (Submission, Assignment, error) {
	sub, err := s.Store.Submission(ctx, submissionID)
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("find submission %d: %w", submissionID, err)
	}
	if err := s.requireReviewer(ctx, reviewer, sub.Course); err != nil {
		return Submission{}, Assignment{}, err
	}
	if sub.State == StateSuperseded {
		return Submission{}, Assignment{}, membership.Errorf(membership.CodeConflict, "a newer version replaced it")
	}
	now := s.Now()
	sub, err = s.Store.HoldSubmission(ctx, submissionID, reviewer, now, now.Add(s.holdFor()))
	if errors.Is(err, membership.ErrConflict) {
		return Submission{}, Assignment{}, ErrHeld
	}
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("hold submission: %w", err)
	}
	a, err := s.Store.Assignment(ctx, sub.AssignmentID)
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("find assignment: %w", err)
	}
	return sub, a, nil
}

// DefaultScore is the score a grade gives when none is named.
func DefaultScore(g Grade, max int) int {
	switch g {
	case GradeExcellent:
		return max
	case GradeGood:
		return max * 8 / 10
	case GradePass:
		return max * 6 / 10
	}
	return 0
}

// GradeFor is the grade a score earns.
func GradeFor(score, max int) Grade {
	switch {
	case score*100 >= max*90:
		return GradeExcellent
	case score*100 >= max*75:
		return GradeGood
	}
	return GradePass
}

// Grade reviews a submission: score < 0 means the grade's default. The
// student gets the feedback at once; Reconcile retries a failed delivery.
// The submission's FeedbackSentAt is set only when the student got it, so
// the reviewer is never told so when they did not.
func (s *Service) Grade(ctx context.Context, reviewer, submissionID int64, g Grade, score int, comment string) (Submission, error) {
	if !g.Valid() {
		return Submission{}, membership.Errorf(membership.CodeInvalid, "unknown grade %q", g)
	}
	sub, a, err := s.Take(ctx, reviewer, submissionID)
	if err != nil {
		return Submission{}, err
	}
	if g, score, err = Choose(g, score, a.MaxScore); err != nil {
		return Submission{}, err
	}
	score = score * (100 - sub.PenaltyPct) / 100
	comment = strings.TrimSpace(comment)
	if utf16Len(comment) > MaxText {
		return Submission{}, membership.Errorf(membership.CodeInvalid, "comment longer than %d UTF-16 units", MaxText)
	}
	sub, err = s.Store.ApplyReview(ctx, Review{
		SubmissionID: sub.ID, Reviewer: reviewer, Grade: g, Score: score, Comment: comment,
		At: s.Now(), Keys: KeysAt(sub.SubmittedAt, s.Location),
	})
	if errors.Is(err, membership.ErrConflict) {
		return Submission{}, ErrHeld
	}
	if err != nil {
		return Submission{}, fmt.Errorf("apply review: %w", err)
	}
	s.Log.InfoContext(ctx, "submission reviewed", "submission", sub.ID, "reviewer", reviewer, "grade", string(g), "score", score)
	delivered, err := s.sendFeedback(ctx, sub, a)
	if err != nil {
		s.Log.WarnContext(ctx, "feedback not delivered yet", "submission", sub.ID, "err", err)
		s.wake()
	}
	sub.FeedbackSentAt = time.Time{}
	if delivered {
		sub.FeedbackSentAt = s.Now()
	}
	return sub, nil
}

// sendFeedback tells the student their review and reports whether it
// reached them. A student who blocked the bot is not asked again: the
// review waits in /mywork.
func (s *Service) sendFeedback(ctx context.Context, sub Submission, a Assignment) (bool, error) {
	err := s.Notifier.Tell(ctx, sub.UserID, FeedbackNotice{Submission: sub, Assignment: a})
	if err != nil && !errors.Is(err, groups.ErrUnreachable) {
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
