package assignments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// The rules of a review live here, once: which grade and score a choice
// gives, what a valid review is, and which submission may be reviewed. The
// stores keep only the conditions they must check atomically (the
// submission is the newest version and nobody else holds it).

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

// ErrScoreTooHigh is returned for a score above the assignment's maximum.
var ErrScoreTooHigh = shequn.Errorf(shequn.CodeInvalid, "score above the assignment's maximum")

// Choose completes a reviewer's choice out of a maximum score: a grade
// alone (score < 0) gets the grade's default score, a score alone (g
// empty) the grade it earns; redo scores nothing. It returns
// ErrScoreTooHigh for a score above max and CodeInvalid for an unknown
// grade. Transports show what it returns before the review is made.
func Choose(g Grade, score, max int) (Grade, int, error) {
	if g == "" {
		if score < 0 {
			return "", 0, shequn.Errorf(shequn.CodeInvalid, "neither a grade nor a score")
		}
		g = GradeFor(score, max)
	}
	if !g.Valid() {
		return "", 0, shequn.Errorf(shequn.CodeInvalid, "unknown grade %q", g)
	}
	if score < 0 {
		score = DefaultScore(g, max)
	}
	if score > max {
		return "", 0, ErrScoreTooHigh
	}
	if g == GradeRedo {
		score = 0
	}
	return g, score, nil
}

// State is the state a submission is in after the review: redo reopens the
// work, any other grade counts it as reviewed.
func (r Review) State() State {
	if r.Grade == GradeRedo {
		return StateRedo
	}
	return StateReviewed
}

// check applies the rule of a valid review before it reaches the store: a
// known grade, a score from 0 (redo scores nothing) and, for a score that
// counts, the periods it counts in.
func (r Review) check() error {
	switch {
	case !r.Grade.Valid():
		return shequn.Errorf(shequn.CodeInvalid, "unknown grade %q", r.Grade)
	case r.Score < 0, r.Grade == GradeRedo && r.Score != 0:
		return shequn.Errorf(shequn.CodeInvalid, "score %d for grade %q", r.Score, r.Grade)
	case r.Score > 0 && (r.Keys.Week == "" || r.Keys.Month == "" || r.Keys.All == ""):
		return shequn.Errorf(shequn.CodeInvalid, "score %d without period keys %+v", r.Score, r.Keys)
	case utf16Len(r.Comment) > MaxText:
		return shequn.Errorf(shequn.CodeInvalid, "comment longer than %d UTF-16 units", MaxText)
	}
	return nil
}

// reviewable returns a submission the reviewer may review, with its
// assignment: the state a review button or a /grade command acts on is
// checked here, on the server. It writes nothing.
func (s *Service) reviewable(ctx context.Context, reviewer, submissionID int64) (Submission, Assignment, error) {
	sub, err := s.Store.Submission(ctx, submissionID)
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("find submission %d: %w", submissionID, err)
	}
	if err := s.requireReviewer(ctx, reviewer, sub.Course); err != nil {
		return Submission{}, Assignment{}, err
	}
	if sub.UserID == reviewer {
		return Submission{}, Assignment{}, ErrOwnWork
	}
	if sub.State == StateSuperseded {
		return Submission{}, Assignment{}, shequn.Errorf(shequn.CodeConflict, "a newer version replaced it")
	}
	a, err := s.Store.Assignment(ctx, sub.AssignmentID)
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("find assignment: %w", err)
	}
	return sub, a, nil
}

// Take holds one given submission for the reviewer while they choose a
// grade (a review button, /grade), so that nobody else reviews it
// meanwhile. ErrHeld when another reviewer holds it.
func (s *Service) Take(ctx context.Context, reviewer, submissionID int64) (Submission, Assignment, error) {
	sub, a, err := s.reviewable(ctx, reviewer, submissionID)
	if err != nil {
		return Submission{}, Assignment{}, err
	}
	now := s.Now()
	sub, err = s.Store.HoldSubmission(ctx, sub.ID, reviewer, now, now.Add(s.holdFor()))
	if errors.Is(err, shequn.ErrConflict) {
		return Submission{}, Assignment{}, ErrHeld
	}
	if err != nil {
		return Submission{}, Assignment{}, fmt.Errorf("hold submission: %w", err)
	}
	return sub, a, nil
}

// Grade reviews a submission: g and score as Choose takes them. It takes
// no hold of its own: the hold taken when the reviewer opened the work
// (Next, Take) is the review's one hold, and the store checks atomically
// that nobody else holds it. The student gets the feedback at once;
// Reconcile retries a failed delivery. The submission's FeedbackSentAt is
// set only when the student got it, so the reviewer is never told so when
// they did not.
func (s *Service) Grade(ctx context.Context, reviewer, submissionID int64, g Grade, score int, comment string) (Submission, error) {
	sub, a, err := s.reviewable(ctx, reviewer, submissionID)
	if err != nil {
		return Submission{}, err
	}
	if g, score, err = Choose(g, score, a.MaxScore); err != nil {
		return Submission{}, err
	}
	r := Review{
		SubmissionID: sub.ID, Reviewer: reviewer, Grade: g, Score: score * (100 - sub.PenaltyPct) / 100,
		Comment: strings.TrimSpace(comment), At: s.Now(), Keys: KeysAt(sub.SubmittedAt, s.Location),
	}
	if err := r.check(); err != nil {
		return Submission{}, err
	}
	sub, err = s.Store.ApplyReview(ctx, r)
	if errors.Is(err, shequn.ErrConflict) {
		return Submission{}, ErrHeld
	}
	if err != nil {
		return Submission{}, fmt.Errorf("apply review: %w", err)
	}
	s.Log.InfoContext(ctx, "submission reviewed", "submission", sub.ID, "reviewer", reviewer, "grade", string(g), "score", r.Score)
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
