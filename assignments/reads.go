package assignments

import (
	"context"
	"time"
)

// The reads the bot shows. They go through the service, not the store, so
// that the bot never reaches a store and a rule about what may be seen
// has one place to live.

// Assignments lists the courses' assignments due at or after since (or
// without a due date), earliest due first; a zero since lists them all.
func (s *Service) Assignments(ctx context.Context, courses []string, since time.Time) ([]Assignment, error) {
	return s.Store.Assignments(ctx, courses, since)
}

// Assignment returns one assignment, or shequn.ErrNotFound.
func (s *Service) Assignment(ctx context.Context, id int64) (Assignment, error) {
	return s.Store.Assignment(ctx, id)
}

// Submissions returns the user's current versions, newest first.
func (s *Service) Submissions(ctx context.Context, userID int64) ([]Submission, error) {
	return s.Store.Submissions(ctx, userID)
}
