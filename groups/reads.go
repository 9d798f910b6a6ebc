package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/shequn/shequn"
)

// The reads the bot shows. They go through the service, not the store, so
// that the bot never reaches a store.

// Groups returns every group ordered by kind, course and ordinal.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	return s.Store.Groups(ctx)
}

// Waiting counts the members waiting for a seat in the course.
func (s *Service) Waiting(ctx context.Context, course string) (int, error) {
	return s.Store.WaitlistLen(ctx, course)
}

// Registered reports whether the chat is one of the community's groups.
func (s *Service) Registered(ctx context.Context, chatID int64) (bool, error) {
	_, err := s.Store.GroupByChat(ctx, chatID)
	switch {
	case errors.Is(err, shequn.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("find group of chat %d: %w", chatID, err)
	}
	return true, nil
}
