package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// Refusals. Each is the caller's doing and has its own answer in the bot.
var (
	// ErrNotStudentGroup: the chat is not one of the community's student
	// groups.
	ErrNotStudentGroup = shequn.Errorf(shequn.CodeInvalid, "not a student group")
	// ErrRank: the actor's rank does not allow the act.
	ErrRank = shequn.Errorf(shequn.CodeForbidden, "rank too low")
	// ErrAbove: the target stands at or above the actor in the pyramid.
	ErrAbove = shequn.Errorf(shequn.CodeForbidden, "target at or above the actor")
	// ErrNoSeat: a monitor must be a student seated in the group.
	ErrNoSeat = shequn.Errorf(shequn.CodeInvalid, "no seat in the group")
	// ErrIsStaff: the person holds a staff role there already.
	ErrIsStaff = shequn.Errorf(shequn.CodeConflict, "staff already")
	// ErrAdmin: the platform refuses to act on an administrator of the
	// chat that the bot did not make one (added by hand, or the creator).
	ErrAdmin = shequn.Errorf(shequn.CodeConflict, "an administrator of the chat")
	// ErrDuration: a mute must last between MinMute and MaxMute.
	ErrDuration = shequn.Errorf(shequn.CodeInvalid, "mute duration out of range")
	// ErrOwnerOnly: the platform lets only the group's owner make
	// administrators (QQ), and the bot's account is not the owner: the
	// owner must make the monitor an administrator by hand.
	ErrOwnerOnly = shequn.Errorf(shequn.CodeForbidden, "only the group's owner makes administrators")
)

// Service applies the pyramid's rules.
type Service struct {
	Store    Store
	Roles    Roles
	Groups   Groups
	Platform Platform
	Owners   []int64
	Policy   Policy
	Now      func() time.Time
	Log      *slog.Logger
}

// studentGroup returns the chat's student group, or ErrNotStudentGroup.
func (s *Service) studentGroup(ctx context.Context, chatID int64) (groups.Group, error) {
	g, err := s.Groups.GroupByChat(ctx, chatID)
	switch {
	case errors.Is(err, shequn.ErrNotFound):
		return g, ErrNotStudentGroup
	case err != nil:
		return g, fmt.Errorf("find group of chat %d: %w", chatID, err)
	case g.Kind != groups.KindStudent:
		return g, ErrNotStudentGroup
	}
	return g, nil
}

// RankIn is the user's place in the group's pyramid: the highest of their
// owner flag, course roles for the group's course (or every course) and
// group roles.
func (s *Service) RankIn(ctx context.Context, g groups.Group, userID int64) (Rank, error) {
	if slices.Contains(s.Owners, userID) {
		return Owner, nil
	}
	gs, err := s.Roles.Grants(ctx, userID)
	if err != nil {
		return Student, fmt.Errorf("grants of %d: %w", userID, err)
	}
	rank := Student
	for _, gr := range gs {
		if gr.Course != "" && gr.Course != g.Course {
			continue
		}
		switch gr.Role {
		case membership.RoleTeacher:
			rank = max(rank, Teacher)
		case membership.RoleAssistant:
			rank = max(rank, Assistant)
		}
	}
	as, err := s.Store.Appointments(ctx, userID)
	if err != nil {
		return Student, fmt.Errorf("appointments of %d: %w", userID, err)
	}
	for _, a := range as {
		switch {
		case a.ChatID != g.ChatID:
		case a.Role == RoleAssistant:
			rank = max(rank, Assistant)
		case a.Role == RoleMonitor:
			rank = max(rank, Monitor)
		}
	}
	return rank, nil
}

// AppointMonitor makes a student seated in the group its monitor: stored,
// then promoted on the platform with the title. A promotion the platform
// refuses takes the appointment back and returns the platform's error.
// Only teachers and owners appoint.
func (s *Service) AppointMonitor(ctx context.Context, by, chatID, userID int64, title string) error {
	g, err := s.studentGroup(ctx, chatID)
	if err != nil {
		return err
	}
	if err := s.atLeast(ctx, g, by, Teacher); err != nil {
		return err
	}
	if rank, err := s.RankIn(ctx, g, userID); err != nil || rank != Student {
		return cmpErr(err, ErrIsStaff)
	}
	if _, err := s.Groups.SeatInGroup(ctx, g.ID, userID); errors.Is(err, shequn.ErrNotFound) {
		return ErrNoSeat
	} else if err != nil {
		return fmt.Errorf("seat of %d in group %d: %w", userID, g.ID, err)
	}
	now := s.Now()
	if _, err := s.Store.Appoint(ctx, Appointment{ChatID: chatID, UserID: userID, Role: RoleMonitor, By: by, At: now}); err != nil {
		return fmt.Errorf("appoint monitor: %w", err)
	}
	if err := s.Platform.Promote(ctx, chatID, userID, title); err != nil {
		if _, derr := s.Store.Dismiss(context.WithoutCancel(ctx), chatID, userID, RoleMonitor); derr != nil {
			s.Log.ErrorContext(ctx, "monitor not promoted and not dismissed", "chat", chatID, "user", userID, "err", derr)
		}
		return fmt.Errorf("promote monitor: %w", err)
	}
	return s.record(ctx, Entry{At: now, Actor: by, Target: userID, Action: ActAppoint, ChatID: chatID, Detail: string(RoleMonitor)})
}

// DismissMonitor takes the role and the platform's rights back; it reports
// false when the user was not the group's monitor.
func (s *Service) DismissMonitor(ctx context.Context, by, chatID, userID int64) (bool, error) {
	g, err := s.studentGroup(ctx, chatID)
	if err != nil {
		return false, err
	}
	if err := s.atLeast(ctx, g, by, Teacher); err != nil {
		return false, err
	}
	had, err := s.Store.Dismiss(ctx, chatID, userID, RoleMonitor)
	if err != nil || !had {
		return false, cmpErr(err, nil)
	}
	if err := s.Platform.Demote(ctx, chatID, userID); err != nil {
		return true, fmt.Errorf("demote monitor: %w", err)
	}
	return true, s.record(ctx, Entry{At: s.Now(), Actor: by, Target: userID, Action: ActDismiss, ChatID: chatID, Detail: string(RoleMonitor)})
}

// MemberLeft ends the monitor role of someone who left the group (or was
// removed): a monitor sits in their group, and Telegram took their rights
// with them.
func (s *Service) MemberLeft(ctx context.Context, chatID, userID int64) error {
	had, err := s.Store.Dismiss(ctx, chatID, userID, RoleMonitor)
	if err != nil || !had {
		return cmpErr(err, nil)
	}
	return s.record(ctx, Entry{At: s.Now(), Target: userID, Action: ActDismiss, ChatID: chatID, Detail: string(RoleMonitor)})
}

// AssignAssistant makes the user an assistant of one student group (the
// owner's /grant assistant … group); false when they were already.
func (s *Service) AssignAssistant(ctx context.Context, by, chatID, userID int64) (bool, error) {
	if _, err := s.studentGroup(ctx, chatID); err != nil {
		return false, err
	}
	now := s.Now()
	added, err := s.Store.Appoint(ctx, Appointment{ChatID: chatID, UserID: userID, Role: RoleAssistant, By: by, At: now})
	if err != nil || !added {
		return false, cmpErr(err, nil)
	}
	return true, s.record(ctx, Entry{At: now, Actor: by, Target: userID, Action: ActAppoint, ChatID: chatID, Detail: string(RoleAssistant)})
}

// UnassignAssistant takes a group's assistant role back, with the
// administrator rights PromoteAssistant gave; false when the user did not
// hold it.
func (s *Service) UnassignAssistant(ctx context.Context, by, chatID, userID int64) (bool, error) {
	had, err := s.Store.Dismiss(ctx, chatID, userID, RoleAssistant)
	if err != nil || !had {
		return false, cmpErr(err, nil)
	}
	if err := s.Platform.Demote(ctx, chatID, userID); err != nil {
		return true, fmt.Errorf("demote assistant: %w", err)
	}
	return true, s.record(ctx, Entry{At: s.Now(), Actor: by, Target: userID, Action: ActDismiss, ChatID: chatID, Detail: string(RoleAssistant)})
}

// PromoteAssistant makes a group's assistant one of its administrators
// with a monitor's rights and the title, so they can speak and act in the
// muted group. It fails while they are not in the group; the role stands
// either way.
func (s *Service) PromoteAssistant(ctx context.Context, chatID, userID int64, title string) error {
	return s.Platform.Promote(ctx, chatID, userID, title)
}

// GroupOf returns the student group of a chat, or ErrNotStudentGroup.
func (s *Service) GroupOf(ctx context.Context, chatID int64) (groups.Group, error) {
	return s.studentGroup(ctx, chatID)
}

// SeatGroup returns the chat of the student group a member of the course
// is seated in; shequn.ErrNotFound when they hold no seat there.
func (s *Service) SeatGroup(ctx context.Context, course string, userID int64) (int64, error) {
	seat, err := s.Groups.Seat(ctx, course, userID)
	if err == nil && seat.State != groups.SeatSeated {
		err = shequn.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("seat of %d in %s: %w", userID, course, err)
	}
	g, err := s.Groups.Group(ctx, seat.GroupID)
	if err != nil {
		return 0, fmt.Errorf("group %d: %w", seat.GroupID, err)
	}
	return g.ChatID, nil
}

// UserByNumber finds the holder of a member number of the course.
func (s *Service) UserByNumber(ctx context.Context, course string, number int) (int64, error) {
	return s.Store.UserByNumber(ctx, course, number)
}

// Note records a course role's grant or revoke (made by membership) in
// the audit log.
func (s *Service) Note(ctx context.Context, action Action, by int64, g membership.Grant) error {
	detail := string(g.Role)
	if g.Course != "" {
		detail += " " + g.Course
	}
	return s.record(ctx, Entry{At: s.Now(), Actor: by, Target: g.UserID, Action: action, Detail: detail})
}

// Audit is what the user did and underwent, newest first.
func (s *Service) Audit(ctx context.Context, userID int64, limit int) ([]Entry, error) {
	es, err := s.Store.Audit(ctx, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit of %d: %w", userID, err)
	}
	return es, nil
}

func (s *Service) record(ctx context.Context, e Entry) error {
	if _, err := s.Store.Record(ctx, e); err != nil {
		return fmt.Errorf("audit %s of %d: %w", e.Action, e.Target, err)
	}
	return nil
}

// atLeast refuses an actor below the rank.
func (s *Service) atLeast(ctx context.Context, g groups.Group, userID int64, want Rank) error {
	rank, err := s.RankIn(ctx, g, userID)
	if err != nil {
		return err
	}
	if rank < want {
		return ErrRank
	}
	return nil
}

// cmpErr returns err when set, else the refusal (nil for none).
func cmpErr(err, refusal error) error {
	if err != nil {
		return err
	}
	return refusal
}

// leakKey names the one report of a person found without a seat.
func leakKey(userID int64) string { return "intruder/" + strconv.FormatInt(userID, 10) }
