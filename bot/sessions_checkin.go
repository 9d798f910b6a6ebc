package bot

import (
	"context"
	"errors"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// checkInDesk is /checkin in a private chat: the member checks in at the
// next session from their student group of its course. A QQ student
// group is muted as a whole (全员禁言), so its members cannot answer the
// reminder's numbered choice there; they write to the bot instead.
type checkInDesk struct {
	*core
	Sessions *sessions.Service
	Groups   *groups.Service
}

func (f *checkInDesk) checkIn(ctx context.Context, r *Request) error {
	x, err := f.Sessions.Next(ctx)
	if shequn.ErrorCode(err) == shequn.CodeNotFound {
		return f.reply(ctx, r, T(r.Lang, "session.checkin_none"))
	}
	if err != nil {
		return err
	}
	chat, err := f.studentGroup(ctx, r, x.Course)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "session.checkin_no_group"))
	}
	if err != nil {
		return err
	}
	added, err := f.Sessions.CheckIn(ctx, x.ID, chat, r.From.ID)
	switch {
	case shequn.ErrorCode(err) == shequn.CodeConflict:
		return f.reply(ctx, r, Label(r.Lang, "session.over"))
	case err != nil:
		return err
	case added:
		return f.reply(ctx, r, Label(r.Lang, "session.checked_in"))
	}
	return f.reply(ctx, r, Label(r.Lang, "session.checked_dup"))
}

// studentGroup is the chat of the member's student group in the course
// (any of their courses for ""); shequn.ErrNotFound when they sit in none.
func (f *checkInDesk) studentGroup(ctx context.Context, r *Request, course string) (int64, error) {
	for _, en := range r.Who.Enrollments {
		if !en.Active() || (course != "" && en.Course != course) {
			continue
		}
		g, err := f.Groups.SeatedGroup(ctx, en.Course, r.From.ID)
		if errors.Is(err, shequn.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return g.ChatID, nil
	}
	return 0, shequn.ErrNotFound
}

// checkInTable declares /checkin.
func (f *checkInDesk) checkInTable() Table {
	return Table{Commands: []Command{
		{Name: "checkin", Audience: Students, Where: Private, Handle: f.checkIn,
			Menu: [2]string{"分享会签到", "Check in at the session"},
			Help: [2]string{"— 在下一场周五分享会签到", "— check in at the next Friday session"}},
	}}
}
