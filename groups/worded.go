package groups

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// Platforms without join links (QQ) gate their groups on the words a
// join request carries (QQ's 验证信息): the buyer names their join code or
// member number. The seat stays the real gate, since the request comes
// from the requester's own account: the words only make sure a paying
// member asks on purpose and tell a stranger why they were refused.

// DeclineReason says why a worded join request was refused.
type DeclineReason string

// Reasons a worded join request is refused.
const (
	// ReasonNotMember: the requester has no seat in this group.
	ReasonNotMember DeclineReason = "not_member"
	// ReasonNoCode: a seated member whose request names neither their
	// join code nor their member number.
	ReasonNoCode DeclineReason = "no_code"
)

// ReasonedDecliner is a Platform that can tell a refused requester why.
type ReasonedDecliner interface {
	DeclineJoinWith(ctx context.Context, chatID, userID int64, reason DeclineReason) error
}

// JoinCode is a buyer's personal join code in a course: six digits that
// stay the same for the buyer, so a QQ buyer can write them as the join
// request's words.
func JoinCode(course string, userID int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "shequn join code/%s/%d", course, userID))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(sum[:8])%1_000_000)
}

// Names reports whether words name the seat's join code or member number
// (PPT-00042, PPT00042, ppt-42 or 42 alone are all the number).
func (s *Service) Names(seat Seat, words string) bool {
	w := strings.ToUpper(strings.Join(strings.Fields(words), " "))
	return strings.Contains(w, JoinCode(seat.Course, seat.UserID)) || s.namesNumber(seat, w)
}

// namesNumber reports whether words (upper case) name the seat's member
// number.
func (s *Service) namesNumber(seat Seat, w string) bool {
	prefix := strings.ToUpper(seat.Course)
	if c, ok := s.Courses[seat.Course]; ok {
		prefix = c.Prefix
	}
	for _, field := range strings.FieldsFunc(w, func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == ':' || r == '：' }) {
		n := strings.TrimPrefix(strings.TrimPrefix(field, prefix), "-")
		n = strings.TrimLeft(n, "0")
		if n != "" && n == fmt.Sprint(seat.Number) {
			return true
		}
	}
	return false
}

// JoinRequestSaying answers a join request that carries words: the
// requester must hold a seat in the group and name their join code or
// member number; anyone else is refused with the reason. A chat the
// community does not run is left alone (handled false).
func (s *Service) JoinRequestSaying(ctx context.Context, chatID, userID int64, words string) (approved, handled bool, err error) {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if errors.Is(err, shequn.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, true, fmt.Errorf("find group: %w", err)
	}
	if g.Kind == KindCore && s.Core != nil {
		approved, err := s.coreJoinSaying(ctx, g, userID, words)
		return approved, true, err
	}
	seat, err := s.Store.SeatInGroup(ctx, g.ID, userID)
	reason := ReasonNoCode
	switch {
	case errors.Is(err, shequn.ErrNotFound):
		reason = ReasonNotMember
	case err != nil:
		return false, true, fmt.Errorf("find seat: %w", err)
	case s.Names(seat, words):
		return s.JoinRequest(ctx, chatID, userID)
	}
	if err := s.declineWith(ctx, chatID, userID, reason); err != nil && !errors.Is(err, ErrJoinRequestGone) {
		return false, true, fmt.Errorf("decline: %w", err)
	}
	s.Log.InfoContext(ctx, "worded join request declined", "group", g.ID, "user", userID, "reason", string(reason))
	return false, true, nil
}

func (s *Service) declineWith(ctx context.Context, chatID, userID int64, reason DeclineReason) error {
	if d, ok := s.Platform.(ReasonedDecliner); ok {
		return d.DeclineJoinWith(ctx, chatID, userID, reason)
	}
	return s.Platform.DeclineJoin(ctx, chatID, userID)
}

// MemberNumber is the member number of a seated member of the chat, as
// shown (PPT-00042), for platforms that write it on the member's card;
// ok is false for someone without a seat there.
func (s *Service) MemberNumber(ctx context.Context, chatID, userID int64) (number string, ok bool, err error) {
	g, seat, err := s.seatInChat(ctx, chatID, userID)
	if err == nil && seat == nil && g.Kind == KindCore && s.Core != nil {
		return s.coreMemberNumber(ctx, g, userID)
	}
	if err != nil || seat == nil {
		return "", false, err
	}
	if c, found := s.Courses[seat.Course]; found {
		return c.MemberNumber(seat.Number), true, nil
	}
	return membership.FormatNumber(strings.ToUpper(seat.Course), seat.Number), true, nil
}

// ErrOtherPlatform refuses a student group on another platform than the
// course's other groups: a course's groups live on one platform (Telegram
// or QQ), so that its buyers get one kind of way in and fill its groups
// in order.
var ErrOtherPlatform = &shequn.Error{Code: shequn.CodeConflict, Message: "the course's groups are on another platform"}

func (s *Service) checkPlatform(ctx context.Context, r *RegisterRequest) error {
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	for _, g := range gs {
		if g.Kind == KindStudent && g.Course == r.Course && g.ChatID != r.ChatID && shequn.IsQQ(g.ChatID) != shequn.IsQQ(r.ChatID) {
			return ErrOtherPlatform
		}
	}
	return nil
}

// OnOtherPlatform reports whether the course's student groups are on
// another platform than the user's: a purchase is tied to the account
// that paid, and only that account can ask to join, so such a buyer could
// never get in.
func (s *Service) OnOtherPlatform(ctx context.Context, course string, userID int64) (bool, error) {
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return false, fmt.Errorf("list groups: %w", err)
	}
	for _, g := range gs {
		if g.Kind == KindStudent && g.Course == course {
			return shequn.IsQQ(g.ChatID) != shequn.IsQQ(userID), nil
		}
	}
	return false, nil
}
