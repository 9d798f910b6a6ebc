package assignments

import "github.com/shequn/shequn/membership"

// ErrScoreTooHigh is returned for a score above the assignment's maximum.
var ErrScoreTooHigh = membership.Errorf(membership.CodeInvalid, "score above the assignment's maximum")

// Choose completes a reviewer's choice out of a maximum score: a grade
// alone (score < 0) gets the grade's default score, a score alone (g
// empty) the grade it earns; redo scores nothing. It returns
// ErrScoreTooHigh for a score above max and CodeInvalid for an unknown
// grade. Transports show what it returns before the review is made.
func Choose(g Grade, score, max int) (Grade, int, error) {
	if g == "" {
		if score < 0 {
			return "", 0, membership.Errorf(membership.CodeInvalid, "neither a grade nor a score")
		}
		g = GradeFor(score, max)
	}
	if !g.Valid() {
		return "", 0, membership.Errorf(membership.CodeInvalid, "unknown grade %q", g)
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
