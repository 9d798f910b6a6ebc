package groups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// Chain is a sign-up list in the core group (接龙): a title posted with a
// button, members joining in order, the message edited to show the list.
type Chain struct {
	ID        int64
	Scope     string
	Title     string
	By        int64
	CreatedAt time.Time
	ChatID    int64 // where the chain's message is, once posted
	MessageID int
	Members   []ChainMember // in the order they joined
}

// ChainMember is one name on a chain.
type ChainMember struct {
	UserID int64
	At     time.Time
}

// ChainStore keeps the sign-up chains. Methods return shequn.ErrNotFound
// as documented and wrap any other failure.
type ChainStore interface {
	// AddChain stores a chain with the next id and returns it.
	AddChain(ctx context.Context, c Chain) (Chain, error)
	// Chain returns a chain with its members, or ErrNotFound.
	Chain(ctx context.Context, id int64) (Chain, error)
	// JoinChain adds the user at the end of the chain, once, and returns
	// the chain and whether they were added. ErrNotFound when there is no
	// such chain.
	JoinChain(ctx context.Context, id, userID int64, at time.Time) (Chain, bool, error)
	// SetChainMessage records where the chain's message was posted.
	SetChainMessage(ctx context.Context, id, chatID int64, messageID int) error
}

// NewChain starts a chain with a title.
func (s *Service) NewChain(ctx context.Context, by int64, scope, title string) (Chain, error) {
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > 200 {
		return Chain{}, shequn.Errorf(shequn.CodeInvalid, "a chain needs a title of at most 200 characters")
	}
	c, err := s.Chains.AddChain(ctx, Chain{Scope: scope, Title: title, By: by, CreatedAt: s.Now()})
	if err != nil {
		return Chain{}, fmt.Errorf("add chain: %w", err)
	}
	return c, nil
}

// JoinChain puts a core member on the chain (once) and returns it, for the
// transport to edit the message; added is false when they were on it.
// Only members of the scope's core group join: CodeForbidden otherwise.
func (s *Service) JoinChain(ctx context.Context, chainID, userID int64) (c Chain, added bool, err error) {
	c, err = s.Chains.Chain(ctx, chainID)
	if err != nil {
		return Chain{}, false, fmt.Errorf("chain: %w", err)
	}
	seat, err := s.Core.CoreSeat(ctx, c.Scope, userID)
	if err != nil && !errors.Is(err, shequn.ErrNotFound) {
		return Chain{}, false, fmt.Errorf("core record: %w", err)
	}
	if err != nil || seat.State != CoreMember {
		return c, false, shequn.Errorf(shequn.CodeForbidden, "only core members join a chain")
	}
	c, added, err = s.Chains.JoinChain(ctx, chainID, userID, s.Now())
	if err != nil {
		return Chain{}, false, fmt.Errorf("join chain: %w", err)
	}
	return c, added, nil
}
