package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// Act is one moderation act in a student group.
type Act struct {
	By     int64
	ChatID int64
	Target int64
	Action Action        // ActWarn, ActMute, ActUnmute or ActKick
	Reason string        // optional
	For    time.Duration // a mute's length; zero means the policy's
	Block  bool          // a kick that keeps them out
}

// Outcome is what an act did.
type Outcome struct {
	// Warnings counts the target's warnings in force after a warning
	// (the one that muted included).
	Warnings int
	// MutedUntil is set when the act muted the target.
	MutedUntil time.Time
}

// Moderate carries out an act of a monitor, assistant, teacher or owner on
// someone below them in the group's pyramid, and records it. A warning
// that reaches the policy's count mutes for the policy's time.
func (s *Service) Moderate(ctx context.Context, a Act) (Outcome, error) {
	g, err := s.studentGroup(ctx, a.ChatID)
	if err != nil {
		return Outcome{}, err
	}
	by, err := s.RankIn(ctx, g, a.By)
	if err != nil {
		return Outcome{}, err
	}
	if by < Monitor {
		return Outcome{}, ErrRank
	}
	target, err := s.RankIn(ctx, g, a.Target)
	if err != nil {
		return Outcome{}, err
	}
	if target >= by {
		return Outcome{}, ErrAbove
	}
	now := s.Now()
	e := Entry{At: now, Actor: a.By, Target: a.Target, Action: a.Action, ChatID: a.ChatID, Reason: a.Reason}
	switch a.Action {
	case ActWarn:
		return s.warn(ctx, e)
	case ActMute:
		d := a.For
		if d == 0 {
			d = s.Policy.MuteFor
		}
		if d < MinMute || d > MaxMute {
			return Outcome{}, ErrDuration
		}
		return s.mute(ctx, e, now.Add(d))
	case ActUnmute:
		if err := s.Platform.Unrestrict(ctx, a.ChatID, a.Target); err != nil {
			return Outcome{}, fmt.Errorf("unmute: %w", err)
		}
	case ActKick:
		if err := s.Platform.Remove(ctx, a.ChatID, a.Target, a.Block); err != nil {
			return Outcome{}, fmt.Errorf("kick: %w", err)
		}
		if a.Block {
			e.Detail = "block"
		}
	default:
		return Outcome{}, shequn.Errorf(shequn.CodeInvalid, "unknown act %q", a.Action)
	}
	return Outcome{}, s.record(ctx, e)
}

// warn records the warning and mutes when the warnings in force reach the
// policy's count. Warnings count for WarningsExpire, and not past a mute
// they caused.
func (s *Service) warn(ctx context.Context, e Entry) (Outcome, error) {
	if err := s.record(ctx, e); err != nil {
		return Outcome{}, err
	}
	n, err := s.warnings(ctx, e.ChatID, e.Target, e.At)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Warnings: n}
	if s.Policy.WarningsToMute <= 0 || n < s.Policy.WarningsToMute {
		return out, nil
	}
	mute := Entry{At: e.At, Actor: e.Actor, Target: e.Target, Action: ActMute, ChatID: e.ChatID, Detail: DetailWarnings, Reason: e.Reason}
	m, err := s.mute(ctx, mute, e.At.Add(s.Policy.MuteFor))
	out.MutedUntil = m.MutedUntil
	return out, err
}

// warnings counts the target's warnings in the chat that are in force at
// now.
func (s *Service) warnings(ctx context.Context, chatID, target int64, now time.Time) (int, error) {
	es, err := s.Store.EntriesOn(ctx, target, now.Add(-s.Policy.WarningsExpire))
	if err != nil {
		return 0, fmt.Errorf("entries on %d: %w", target, err)
	}
	// The warnings after the last mute they caused count, whatever order
	// the store gives entries of one instant in.
	var reset time.Time
	for _, e := range es {
		if e.ChatID == chatID && e.Action == ActMute && e.Detail == DetailWarnings && e.At.After(reset) {
			reset = e.At
		}
	}
	n := 0
	for _, e := range es {
		if e.ChatID == chatID && e.Action == ActWarn && e.At.After(reset) && !e.At.After(now) {
			n++
		}
	}
	return n, nil
}

func (s *Service) mute(ctx context.Context, e Entry, until time.Time) (Outcome, error) {
	if err := s.Platform.Restrict(ctx, e.ChatID, e.Target, until); err != nil {
		return Outcome{}, fmt.Errorf("mute: %w", err)
	}
	if e.Detail == "" {
		e.Detail = until.UTC().Format(time.RFC3339)
	}
	return Outcome{MutedUntil: until}, s.record(ctx, e)
}

// Staff is who answers for a student group.
type Staff struct {
	Group      groups.Group
	Owners     []int64
	Teachers   []int64 // of the group's course or every course
	Assistants []int64 // of the course, or of this group
	Monitors   []int64
}

// StaffOf lists who answers for the group, each person once, under their
// highest role.
func (s *Service) StaffOf(ctx context.Context, chatID int64) (Staff, error) {
	g, err := s.studentGroup(ctx, chatID)
	if err != nil {
		return Staff{}, err
	}
	st := Staff{Group: g, Owners: slices.Clone(s.Owners)}
	grants, err := s.Roles.Staff(ctx)
	if err != nil {
		return st, fmt.Errorf("list staff: %w", err)
	}
	for _, gr := range grants {
		if gr.Course != "" && gr.Course != g.Course {
			continue
		}
		if gr.Role == membership.RoleTeacher {
			st.Teachers = append(st.Teachers, gr.UserID)
		} else {
			st.Assistants = append(st.Assistants, gr.UserID)
		}
	}
	as, err := s.Store.GroupStaff(ctx, chatID)
	if err != nil {
		return st, fmt.Errorf("staff of chat %d: %w", chatID, err)
	}
	for _, a := range as {
		if a.Role == RoleMonitor {
			st.Monitors = append(st.Monitors, a.UserID)
		} else {
			st.Assistants = append(st.Assistants, a.UserID)
		}
	}
	seen := map[int64]bool{}
	for _, list := range []*[]int64{&st.Owners, &st.Teachers, &st.Assistants, &st.Monitors} {
		*list = slices.DeleteFunc(*list, func(id int64) bool {
			dup := seen[id]
			seen[id] = true
			return dup
		})
	}
	return st, nil
}

// Intruder handles a person found in a chat: in a student group, someone
// without a seat there who is not staff (a leaked way in) is removed. It
// reports true the first time a person is removed, so the owners are told
// once per person; other chats and people are left alone.
func (s *Service) Intruder(ctx context.Context, chatID, userID int64) (bool, error) {
	g, err := s.studentGroup(ctx, chatID)
	if errors.Is(err, ErrNotStudentGroup) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = s.Groups.SeatInGroup(ctx, g.ID, userID)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, shequn.ErrNotFound):
		return false, fmt.Errorf("seat of %d in group %d: %w", userID, g.ID, err)
	}
	if rank, err := s.RankIn(ctx, g, userID); err != nil || rank > Student {
		return false, err
	}
	err = s.Platform.Remove(ctx, chatID, userID, false)
	if errors.Is(err, ErrAdmin) {
		return false, nil // an administrator of the chat, added by hand
	}
	if err != nil {
		return false, fmt.Errorf("remove intruder: %w", err)
	}
	first, err := s.Store.Record(ctx, Entry{Key: leakKey(userID), At: s.Now(), Target: userID, Action: ActIntruder, ChatID: chatID})
	if err != nil {
		return false, fmt.Errorf("audit intruder %d: %w", userID, err)
	}
	s.Log.InfoContext(ctx, "intruder removed", "chat", chatID, "user", userID, "first", first)
	return first, nil
}
