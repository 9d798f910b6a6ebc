package groups

import (
	"context"
	"fmt"

	"github.com/shequn/shequn"
)

// SeatedGroup returns the group the member has a seat in for the course,
// without asking the platform whether they are in it (a check-in from a
// private chat needs the group, not the way in); shequn.ErrNotFound when
// they are waiting, released or never seated.
func (s *Service) SeatedGroup(ctx context.Context, course string, userID int64) (Group, error) {
	seat, err := s.Store.Seat(ctx, course, userID)
	if err != nil {
		return Group{}, err
	}
	if seat.State != SeatSeated {
		return Group{}, fmt.Errorf("seat in %s is %s: %w", course, seat.State, shequn.ErrNotFound)
	}
	g, err := s.Store.Group(ctx, seat.GroupID)
	if err != nil {
		return Group{}, fmt.Errorf("group of the seat in %s: %w", course, err)
	}
	return g, nil
}
