package groups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shequn/shequn"
)

// CoreInviteNotice congratulates a promoted student and gives them the way
// into the core group, with why they were chosen and until when the
// invitation holds.
type CoreInviteNotice struct {
	Scope   string
	Group   Group
	Link    string
	Reason  Reason
	Expires time.Time
}

// CoreWelcomeNotice greets a new member in the core group.
type CoreWelcomeNotice struct {
	Scope  string
	UserID int64
	Name   string // the member's first name, "" when unknown
	Reason Reason
}

// CoreEliminatedNotice tells a member, respectfully, that they left the
// core group at the period's end, with their record (rank, points, the gap
// to safety) and the way back: qualify again with new work after Back.
type CoreEliminatedNotice struct {
	Scope    string
	Group    Group
	RunID    int64
	Period   string
	Decision Decision
	Back     time.Time // from when new work can bring them back
}

// CoreWarningNotice warns a member at risk some days before the period's
// end: their rank and the points missing to be safe.
type CoreWarningNotice struct {
	Scope    string
	Period   string
	Decision Decision
}

// CoreSummaryNotice tells the core group how the period ended: who was
// invited in, how many left, the period's top contributors.
type CoreSummaryNotice struct {
	Scope   string
	Period  string
	Invited []int64
	Left    int
	Top     []int64
	Names   map[int64]string // first names of the invited and the top, when known
}

// NoticeName implements shequn.Notice.
func (CoreInviteNotice) NoticeName() string { return "core_invite" }

// NoticeName implements shequn.Notice.
func (CoreWelcomeNotice) NoticeName() string { return "core_welcome" }

// NoticeName implements shequn.Notice.
func (CoreEliminatedNotice) NoticeName() string { return "core_eliminated" }

// NoticeName implements shequn.Notice.
func (CoreWarningNotice) NoticeName() string { return "core_warning" }

// NoticeName implements shequn.Notice.
func (CoreSummaryNotice) NoticeName() string { return "core_summary" }

// coreJoin handles a join request in a core group: approved only for the
// invited, whose invitation has not expired.
func (s *Service) coreJoin(ctx context.Context, g Group, userID int64) (bool, error) {
	c, err := s.Core.CoreSeat(ctx, g.Course, userID)
	if err != nil && !errors.Is(err, shequn.ErrNotFound) {
		return false, fmt.Errorf("core record: %w", err)
	}
	if err != nil || c.State != CoreInvited || !s.Now().Before(c.ExpiresAt) {
		if err := s.Platform.DeclineJoin(ctx, g.ChatID, userID); err != nil && !errors.Is(err, ErrJoinRequestGone) {
			return false, fmt.Errorf("decline: %w", err)
		}
		s.Log.InfoContext(ctx, "core join request declined", "group", g.ID, "user", userID)
		return false, nil
	}
	err = s.Platform.ApproveJoin(ctx, g.ChatID, userID)
	if errors.Is(err, ErrJoinRequestGone) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("approve: %w", err)
	}
	return true, s.coreArrived(ctx, g, userID)
}

// coreArrived makes the invited a member (promotion counts from now).
func (s *Service) coreArrived(ctx context.Context, g Group, userID int64) error {
	now := s.Now()
	joined, err := s.Core.SetCoreState(ctx, g.Course, userID, CoreInvited, CoreMember, now)
	if err != nil {
		return fmt.Errorf("core member: %w", err)
	}
	if !joined {
		return nil
	}
	s.wake()
	return s.event(ctx, CoreEvent{Scope: g.Course, UserID: userID, At: now, Kind: EventJoined}, "joined:"+at(now))
}

// coreLeft records a member who left the core group by himself: the seat
// is free for the next candidate.
func (s *Service) coreLeft(ctx context.Context, g Group, userID int64) error {
	now := s.Now()
	left, err := s.Core.SetCoreState(ctx, g.Course, userID, CoreMember, CoreLeft, now)
	if err != nil {
		return fmt.Errorf("core left: %w", err)
	}
	if !left {
		return nil
	}
	s.wake()
	return s.event(ctx, CoreEvent{Scope: g.Course, UserID: userID, At: now, Kind: EventLeft}, "left:"+at(now))
}

// firstName is the user's first name for a notice, "" when unknown: a
// missing profile never holds up a notice.
func (s *Service) firstName(ctx context.Context, userID int64) string {
	if s.Profiles == nil {
		return ""
	}
	p, err := s.Profiles.Profile(ctx, userID)
	if err != nil {
		return ""
	}
	return p.FirstName
}
