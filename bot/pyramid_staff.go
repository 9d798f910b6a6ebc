package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// staff shows who answers for a student group: in the group, that group;
// privately "/staff <course> <number>" or "/staff <group id>".
func (f *pyramidDesk) staff(ctx context.Context, r *Request) error {
	chatID, ok := r.ChatID, !r.Private
	if r.Private {
		chatID, ok = f.namedGroup(ctx, r.Args)
	}
	if !ok {
		return f.reply(ctx, r, T(r.Lang, "pyr.staff.usage"))
	}
	st, err := f.Mod.StaffOf(ctx, chatID)
	if errors.Is(err, moderation.ErrNotStudentGroup) {
		return f.reply(ctx, r, T(r.Lang, "pyr.staff.usage"))
	}
	if err != nil {
		return fmt.Errorf("staff of %d: %w", chatID, err)
	}
	lines := []string{T(r.Lang, "pyr.staff.header", groupName(r.Lang, st.Group), f.courseTitle(st.Group.Course))}
	list := func(ids []int64) string {
		if len(ids) == 0 {
			return T(r.Lang, "pyr.staff.none")
		}
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = f.personOf(ctx, id).label()
		}
		return strings.Join(names, T(r.Lang, "pyr.separator"))
	}
	lines = append(lines, T(r.Lang, "pyr.staff.teachers", list(st.Teachers)), T(r.Lang, "pyr.staff.assistants", list(st.Assistants)),
		T(r.Lang, "pyr.staff.monitors", list(st.Monitors)), T(r.Lang, "pyr.staff.owners", list(st.Owners)))
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// namedGroup reads a student group named in a private chat: a course and
// the group's number, or the chat's id.
func (f *pyramidDesk) namedGroup(ctx context.Context, args []string) (int64, bool) {
	switch len(args) {
	case 1:
		id, err := strconv.ParseInt(args[0], 10, 64)
		return id, err == nil && id < 0
	case 2:
		n, err := strconv.Atoi(args[1])
		if err != nil {
			return 0, false
		}
		all, err := f.Groups.Groups(ctx)
		if err != nil {
			f.Log.WarnContext(ctx, "groups not listed", "err", err)
			return 0, false
		}
		for _, g := range all {
			if g.Kind == groups.KindStudent && strings.EqualFold(g.Course, args[0]) && g.Ordinal == n {
				return g.ChatID, true
			}
		}
	}
	return 0, false
}

// actionText names an audit entry's action.
func actionText(lang Lang, a moderation.Action) string {
	switch a {
	case moderation.ActGrant:
		return T(lang, "pyr.act.grant")
	case moderation.ActRevoke:
		return T(lang, "pyr.act.revoke")
	case moderation.ActAppoint:
		return T(lang, "pyr.act.appoint")
	case moderation.ActDismiss:
		return T(lang, "pyr.act.dismiss")
	case moderation.ActWarn:
		return T(lang, "pyr.act.warn")
	case moderation.ActMute:
		return T(lang, "pyr.act.mute")
	case moderation.ActUnmute:
		return T(lang, "pyr.act.unmute")
	case moderation.ActKick:
		return T(lang, "pyr.act.kick")
	case moderation.ActIntruder:
		return T(lang, "pyr.act.intruder")
	}
	return string(a)
}

// auditLimit is how many entries /audit shows.
const auditLimit = 30

// audit shows what a person did and underwent: grants, appointments,
// warnings, mutes, kicks, newest first.
func (f *pyramidDesk) audit(ctx context.Context, r *Request) error {
	p, refusal, err := f.auditTarget(ctx, r)
	if err != nil || refusal != "" {
		return cmpReply(ctx, f.core, r, refusal, err)
	}
	es, err := f.Mod.Audit(ctx, p.ID, auditLimit)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return f.reply(ctx, r, T(r.Lang, "pyr.audit.none", p.label()))
	}
	lines := []string{T(r.Lang, "pyr.audit.head", p.label(), len(es))}
	for _, e := range es {
		actor := T(r.Lang, "pyr.audit.bot")
		if e.Actor != 0 {
			actor = f.personOf(ctx, e.Actor).label()
		}
		var extra []string
		if e.ChatID != 0 {
			extra = append(extra, f.chatName(ctx, r.Lang, e.ChatID))
		}
		for _, s := range []string{e.Detail, e.Reason} {
			if s != "" {
				extra = append(extra, s)
			}
		}
		tail := ""
		if len(extra) > 0 {
			tail = " · " + strings.Join(extra, " · ")
		}
		lines = append(lines, T(r.Lang, "pyr.audit.line", f.date(r.Lang, e.At), actor, actionText(r.Lang, e.Action),
			f.personOf(ctx, e.Target).label(), tail))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// auditTarget reads whom /audit asks about: @user, a member number, or
// the author of the message it replies to.
func (f *pyramidDesk) auditTarget(ctx context.Context, r *Request) (person, string, error) {
	if len(r.Args) > 0 && strings.HasPrefix(r.Args[0], "@") {
		pr, err := f.People.ByUsername(ctx, r.Args[0], false)
		var nameErr *membership.NameError
		if errors.As(err, &nameErr) {
			return person{}, T(r.Lang, "role.unknown_user", r.Args[0]), nil
		}
		if err != nil {
			return person{}, "", err
		}
		return person{ID: pr.UserID, FirstName: pr.FirstName, Username: pr.Username}, "", nil
	}
	if len(r.Args) == 0 && (r.Message == nil || r.Message.ReplyToMessage == nil) {
		return person{}, T(r.Lang, "pyr.audit.usage"), nil
	}
	t, err := f.memberTarget(ctx, r)
	if t.refusal != "" {
		t.refusal = T(r.Lang, "pyr.audit.usage")
	}
	return t.person, t.refusal, err
}

// chatName names a group of an audit entry: 学员3群, or its id when it is
// no student group any more.
func (f *pyramidDesk) chatName(ctx context.Context, lang Lang, chatID int64) string {
	g, err := f.Mod.GroupOf(ctx, chatID)
	if err != nil {
		return strconv.FormatInt(chatID, 10)
	}
	return groupName(lang, g)
}
