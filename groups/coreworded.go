package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// A core group on a platform without join links (QQ) is entered like a
// student group there: the invited ask to join with the words of their
// invitation (QQ's 验证信息), and anyone else is refused with the reason.
// The core group lives on the platform it was registered on; a person
// whose account is on the other platform could never ask to join it, so
// they are not queued for it (see CorePlatformMismatch).

// Reasons a worded join request to the core group is refused.
const (
	// ReasonNotInvited: the requester holds no valid invitation.
	ReasonNotInvited DeclineReason = "core_not_invited"
	// ReasonNoCoreCode: the invited whose request names neither their
	// core join code nor their member number.
	ReasonNoCoreCode DeclineReason = "core_no_code"
)

// CoreJoinCode is the invited person's code for the core group of the
// scope: six digits, other than their student group's code, so that the
// code of a student group never opens the core group.
func CoreJoinCode(scope string, userID int64) string {
	return JoinCode("core/"+scope, userID)
}

// ErrCoreOtherPlatform refuses to queue a person for a core group on
// another platform than their account's: they could never ask to join.
var ErrCoreOtherPlatform = &shequn.Error{Code: shequn.CodeConflict, Message: "the core group is on another platform than the person's account"}

// coreJoinSaying answers a worded join request to the core group: the
// invited naming their core code or a member number of theirs are let in
// (as coreJoin), others refused with the reason.
func (s *Service) coreJoinSaying(ctx context.Context, g Group, userID int64, words string) (bool, error) {
	c, err := s.Core.CoreSeat(ctx, g.Course, userID)
	if err != nil && !errors.Is(err, shequn.ErrNotFound) {
		return false, fmt.Errorf("core record: %w", err)
	}
	invited := err == nil && c.State == CoreInvited && s.Now().Before(c.ExpiresAt)
	reason := ReasonNotInvited
	if invited {
		named, err := s.namesCoreCode(ctx, g.Course, userID, words)
		if err != nil {
			return false, err
		}
		if named {
			return s.coreJoin(ctx, g, userID)
		}
		reason = ReasonNoCoreCode
	}
	if err := s.declineWith(ctx, g.ChatID, userID, reason); err != nil && !errors.Is(err, ErrJoinRequestGone) {
		return false, fmt.Errorf("decline: %w", err)
	}
	s.Log.InfoContext(ctx, "core join request declined", "group", g.ID, "user", userID, "reason", string(reason))
	return false, nil
}

// namesCoreCode reports whether words name the user's core code or the
// member number of one of their seats in the scope's courses.
func (s *Service) namesCoreCode(ctx context.Context, scope string, userID int64, words string) (bool, error) {
	w := strings.ToUpper(strings.Join(strings.Fields(words), " "))
	if strings.Contains(w, CoreJoinCode(scope, userID)) {
		return true, nil
	}
	seats, err := s.Store.Seats(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("seats of %d: %w", userID, err)
	}
	for _, seat := range seats {
		if seat.State != SeatReleased && s.CoreRules.Scope(seat.Course) == scope && s.namesNumber(seat, w) {
			return true, nil
		}
	}
	return false, nil
}

// CorePlatformMismatch reports whether the scope's core group is on
// another platform than the user's account; false while it has none.
func (s *Service) CorePlatformMismatch(ctx context.Context, scope string, userID int64) (bool, error) {
	g, ok, err := s.coreGroupOf(ctx, scope)
	if err != nil || !ok {
		return false, err
	}
	return shequn.IsQQ(g.ChatID) != shequn.IsQQ(userID), nil
}

func (s *Service) coreGroupOf(ctx context.Context, scope string) (Group, bool, error) {
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return Group{}, false, fmt.Errorf("list groups: %w", err)
	}
	i := slices.IndexFunc(gs, func(g Group) bool { return g.Kind == KindCore && g.Course == scope })
	if i < 0 {
		return Group{}, false, nil
	}
	return gs[i], true, nil
}

// coreMemberNumber is the member number a core member (or the invited,
// arriving) wears on their card in the core group: their number in the
// first course of the scope they hold a seat in.
func (s *Service) coreMemberNumber(ctx context.Context, g Group, userID int64) (string, bool, error) {
	c, err := s.Core.CoreSeat(ctx, g.Course, userID)
	if errors.Is(err, shequn.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("core record of %d: %w", userID, err)
	}
	if c.State != CoreInvited && c.State != CoreMember { // invited: the card may be set before the arrival is recorded
		return "", false, nil
	}
	seats, err := s.Store.Seats(ctx, userID)
	if err != nil {
		return "", false, fmt.Errorf("seats of %d: %w", userID, err)
	}
	slices.SortFunc(seats, func(a, b Seat) int { return strings.Compare(a.Course, b.Course) })
	for _, seat := range seats {
		if seat.State == SeatReleased || s.CoreRules.Scope(seat.Course) != g.Course {
			continue
		}
		if c, found := s.Courses[seat.Course]; found {
			return c.MemberNumber(seat.Number), true, nil
		}
		return membership.FormatNumber(strings.ToUpper(seat.Course), seat.Number), true, nil
	}
	return "", false, nil
}
