package groups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shequn/shequn"
)

// JoinRequest answers a request to join a chat. Only a user whose seat
// points to that group is let in; everyone else is declined. A chat the
// community does not run is left alone (reported as not handled).
func (s *Service) JoinRequest(ctx context.Context, chatID, userID int64) (approved, handled bool, err error) {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if errors.Is(err, shequn.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, true, fmt.Errorf("find group: %w", err)
	}
	if g.Kind == KindCore && s.Core != nil {
		approved, err := s.coreJoin(ctx, g, userID)
		return approved, true, err
	}
	seat, err := s.Store.SeatInGroup(ctx, g.ID, userID)
	if errors.Is(err, shequn.ErrNotFound) {
		if err := s.Platform.DeclineJoin(ctx, chatID, userID); err != nil && !errors.Is(err, ErrJoinRequestGone) {
			return false, true, fmt.Errorf("decline: %w", err)
		}
		s.Log.InfoContext(ctx, "join request declined", "group", g.ID, "user", userID)
		return false, true, nil
	}
	if err != nil {
		return false, true, fmt.Errorf("find seat: %w", err)
	}
	// Recorded before approving: if the process dies after the approval,
	// the reconciler sees the asked-but-not-arrived seat and finishes it.
	if _, err := s.Store.MarkSeat(ctx, seat.Course, userID, MarkJoinAsked, s.Now()); err != nil {
		return false, true, fmt.Errorf("mark join asked: %w", err)
	}
	err = s.Platform.ApproveJoin(ctx, chatID, userID)
	if errors.Is(err, ErrJoinRequestGone) {
		// Withdrawn, or handled by another instance: the reconciler looks.
		return false, true, nil
	}
	var ge *GroupError
	if errors.As(err, &ge) {
		s.recordProblem(ctx, &g, ge.Problem)
	}
	if err != nil {
		return false, true, fmt.Errorf("approve: %w", err)
	}
	return true, true, s.arrived(ctx, g, seat)
}

// MemberJoined records that a user is in a chat, as seen in a service
// message or a member update. Users without a seat there (staff added by
// hand) are not the community's business.
func (s *Service) MemberJoined(ctx context.Context, chatID, userID int64) error {
	g, seat, err := s.seatInChat(ctx, chatID, userID)
	if g.Kind == KindCore && s.Core != nil && err == nil {
		return s.coreArrived(ctx, g, userID)
	}
	if err != nil || seat == nil {
		return err
	}
	return s.arrived(ctx, g, *seat)
}

// MemberLeft records that a seated member left their group on their own;
// they keep the seat and /me gives them the way back.
func (s *Service) MemberLeft(ctx context.Context, chatID, userID int64) error {
	g, seat, err := s.seatInChat(ctx, chatID, userID)
	if g.Kind == KindCore && s.Core != nil && err == nil {
		return s.coreLeft(ctx, g, userID)
	}
	if err != nil || seat == nil {
		return err
	}
	if _, err := s.Store.MarkSeat(ctx, seat.Course, userID, MarkLeft, s.Now()); err != nil {
		return fmt.Errorf("mark left: %w", err)
	}
	return nil
}

func (s *Service) seatInChat(ctx context.Context, chatID, userID int64) (Group, *Seat, error) {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if errors.Is(err, shequn.ErrNotFound) {
		return Group{}, nil, nil
	}
	if err != nil {
		return Group{}, nil, fmt.Errorf("find group: %w", err)
	}
	seat, err := s.Store.SeatInGroup(ctx, g.ID, userID)
	if errors.Is(err, shequn.ErrNotFound) {
		return g, nil, nil
	}
	if err != nil {
		return g, nil, fmt.Errorf("find seat: %w", err)
	}
	return g, &seat, nil
}

// arrived records the arrival once; the reconciler greets arrivals in the
// group, several in one line.
func (s *Service) arrived(ctx context.Context, g Group, seat Seat) error {
	first, err := s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkJoined, s.Now())
	if err != nil {
		return fmt.Errorf("mark joined: %w", err)
	}
	if first {
		s.Log.InfoContext(ctx, "member arrived", "group", g.ID, "user", seat.UserID, "course", seat.Course, "number", seat.Number)
		s.wake()
	}
	return nil
}

// welcome greets seats that arrived in one group, in one line, and records
// each as greeted.
func (s *Service) welcome(ctx context.Context, g Group, seats []Seat, now time.Time) error {
	n := ArrivalNotice{Course: g.Course}
	for _, seat := range seats {
		a := Arrival{Number: seat.Number}
		if p, err := s.Profiles.Profile(ctx, seat.UserID); err == nil {
			a.FirstName = p.FirstName
		}
		n.Arrivals = append(n.Arrivals, a)
	}
	if _, err := s.Notifier.Post(ctx, g.ChatID, n); err != nil {
		return fmt.Errorf("greet arrivals: %w", err)
	}
	for _, seat := range seats {
		if _, err := s.Store.MarkSeat(ctx, seat.Course, seat.UserID, MarkWelcomed, now); err != nil {
			return fmt.Errorf("mark welcomed: %w", err)
		}
	}
	return nil
}

// WayIn is what a member needs to find their group: the group, and the
// link when they are not in it.
type WayIn struct {
	Seat  Seat
	Group Group // zero while waiting or released
	Link  string
}

// WayBack returns the member's seat in the course, with the group's join
// link when the member is seated but not in the group (never joined, or
// left). It returns shequn.ErrNotFound when the member has no seat.
func (s *Service) WayBack(ctx context.Context, course string, userID int64) (WayIn, error) {
	seat, err := s.Store.Seat(ctx, course, userID)
	if err != nil {
		return WayIn{}, err
	}
	w := WayIn{Seat: seat}
	if seat.State != SeatSeated {
		return w, nil
	}
	g, err := s.Store.Group(ctx, seat.GroupID)
	if err != nil {
		return w, fmt.Errorf("find group: %w", err)
	}
	w.Group = g
	if !seat.JoinedAt.IsZero() {
		if in, err := s.Platform.IsMember(ctx, g.ChatID, userID); err == nil && in {
			return w, nil
		}
		// Left without the bot seeing it: record it so the arrival is
		// greeted again when they come back.
		if _, err := s.Store.MarkSeat(ctx, course, userID, MarkLeft, s.Now()); err != nil {
			return w, fmt.Errorf("mark left: %w", err)
		}
	}
	w.Link, err = s.joinLink(ctx, &g)
	if err != nil {
		return w, err
	}
	return w, nil
}

// linkCheckEvery is how often a group's stored join link is checked
// before it is handed out: an administrator may revoke it, or give it an
// expiry, in the app at any time, and Telegram does not say so.
const linkCheckEvery = time.Minute

// joinLink returns the group's join link, making one the first time and
// a new one when the stored link was revoked or expired.
func (s *Service) joinLink(ctx context.Context, g *Group) (string, error) {
	name := fmt.Sprintf("shequn %s %d", g.Course, g.Ordinal)
	if g.JoinLink != "" {
		works, err := s.linkWorks(ctx, *g, name)
		if err != nil {
			return "", fmt.Errorf("check join link: %w", err)
		}
		if works {
			return g.JoinLink, nil
		}
		s.Log.InfoContext(ctx, "join link revoked or expired: replacing it", "group", g.ID)
	}
	link, err := s.Platform.CreateJoinLink(ctx, g.ChatID, name)
	if err != nil {
		return "", fmt.Errorf("create join link: %w", err)
	}
	if err := s.Store.SetJoinLink(ctx, g.ID, link); err != nil {
		return "", fmt.Errorf("store join link: %w", err)
	}
	g.JoinLink = link
	s.linkChecked(g.ID, s.Now())
	return link, nil
}

// linkWorks checks the group's stored link, at most once per
// linkCheckEvery.
func (s *Service) linkWorks(ctx context.Context, g Group, name string) (bool, error) {
	now := s.Now()
	s.linkMu.Lock()
	last, ok := s.linksChecked[g.ID]
	s.linkMu.Unlock()
	if ok && now.Sub(last) < linkCheckEvery {
		return true, nil
	}
	works, err := s.Platform.JoinLinkWorks(ctx, g.ChatID, g.JoinLink, name)
	if err != nil {
		return false, err
	}
	if works {
		s.linkChecked(g.ID, now)
	}
	return works, nil
}

func (s *Service) linkChecked(groupID int64, at time.Time) {
	s.linkMu.Lock()
	defer s.linkMu.Unlock()
	if s.linksChecked == nil {
		s.linksChecked = map[int64]time.Time{}
	}
	s.linksChecked[groupID] = at
}
