package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/shequn/shequn"
)

// The core group's reads and small acts the bot's core desk needs. They go
// through the service, so that the bot never reaches a store.

// CoreGroupOfChat returns the core group the chat is, or ErrNotFound when
// the chat is not a core group.
func (s *Service) CoreGroupOfChat(ctx context.Context, chatID int64) (Group, error) {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if err != nil {
		return Group{}, fmt.Errorf("find group of chat %d: %w", chatID, err)
	}
	if g.Kind != KindCore {
		return Group{}, fmt.Errorf("chat %d is not a core group: %w", chatID, shequn.ErrNotFound)
	}
	return g, nil
}

// CoreRecord returns the user's record with the scope's core group, or
// ErrNotFound when they never were a candidate.
func (s *Service) CoreRecord(ctx context.Context, scope string, userID int64) (CoreSeat, error) {
	c, err := s.Core.CoreSeat(ctx, scope, userID)
	if err != nil {
		return CoreSeat{}, fmt.Errorf("core record of %d: %w", userID, err)
	}
	return c, nil
}

// IsCoreMember reports whether the user is a member of the scope's core
// group now (a member decided out by a run is not any more).
func (s *Service) IsCoreMember(ctx context.Context, scope string, userID int64) (bool, error) {
	c, err := s.Core.CoreSeat(ctx, scope, userID)
	if errors.Is(err, shequn.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("core record of %d: %w", userID, err)
	}
	return c.State == CoreMember, nil
}

// Ledger returns the user's contribution entries of the current period,
// oldest first: each with its source, author and reason (/contrib).
func (s *Service) Ledger(ctx context.Context, scope string, userID int64) ([]Contribution, error) {
	cs, err := s.Core.Contributions(ctx, scope, userID, s.CorePeriod(s.Now()))
	if err != nil {
		return nil, fmt.Errorf("contributions of %d: %w", userID, err)
	}
	return cs, nil
}

// OpenTasks returns the scope's unfinished tasks, due first.
func (s *Service) OpenTasks(ctx context.Context, scope string) ([]Task, error) {
	ts, err := s.Tasks.Tasks(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return ts, nil
}

// ChainPosted records where a chain's message is, so that its list is
// edited in place.
func (s *Service) ChainPosted(ctx context.Context, chainID, chatID int64, messageID int) error {
	if err := s.Chains.SetChainMessage(ctx, chainID, chatID, messageID); err != nil {
		return fmt.Errorf("chain %d message: %w", chainID, err)
	}
	return nil
}

// SetCoreCapacity changes the seats of the core group the chat is. More
// seats are offered to the queue in the next pass; fewer take nobody out:
// the circle shrinks as members leave or are eliminated.
func (s *Service) SetCoreCapacity(ctx context.Context, chatID int64, capacity int) (Group, error) {
	if !ValidCapacity(capacity) {
		return Group{}, shequn.Errorf(shequn.CodeInvalid, "capacity must be between %d and %d", MinCapacity, MaxCapacity)
	}
	g, err := s.CoreGroupOfChat(ctx, chatID)
	if err != nil {
		return Group{}, err
	}
	if err := s.Store.SetGroupCapacity(ctx, g.ID, capacity); err != nil {
		return Group{}, fmt.Errorf("core capacity: %w", err)
	}
	g.Capacity = capacity
	s.wake()
	return g, nil
}
