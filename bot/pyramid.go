package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// target is the member a pyramid command names, resolved; refusal, when
// set, is the answer instead.
type target struct {
	person
	rest    []string // the arguments after the member number
	refusal string
}

// memberTarget reads whom a command names: the author of the message it
// replies to, or a member number (PPT-00012) as the first argument.
func (f *pyramidDesk) memberTarget(ctx context.Context, r *Request) (target, error) {
	if m := r.Message; m != nil && m.ReplyToMessage != nil && m.ReplyToMessage.From != nil {
		u := m.ReplyToMessage.From
		if u.IsBot {
			return target{refusal: T(r.Lang, "pyr.bot_target")}, nil
		}
		return target{person: person{ID: u.ID, FirstName: u.FirstName, Username: u.UserName}, rest: r.Args}, nil
	}
	if len(r.Args) == 0 {
		return target{refusal: T(r.Lang, "pyr.target_usage")}, nil
	}
	course, n, ok := f.parseNumber(r.Args[0])
	if !ok {
		return target{refusal: T(r.Lang, "pyr.target_usage")}, nil
	}
	id, err := f.Mod.UserByNumber(ctx, course, n)
	if errors.Is(err, shequn.ErrNotFound) {
		return target{refusal: T(r.Lang, "pyr.unknown_number", r.Args[0])}, nil
	}
	if err != nil {
		return target{}, err
	}
	t := target{person: person{ID: id}, rest: r.Args[1:]}
	if p, err := f.People.Profile(ctx, id); err == nil {
		t.FirstName, t.Username = p.FirstName, p.Username
	}
	return t, nil
}

// parseNumber reads a member number such as PPT-00012 (any case) into its
// course and sequence.
func (f *pyramidDesk) parseNumber(s string) (course string, n int, ok bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	for _, c := range f.Courses {
		if strings.EqualFold(c.Prefix, s[:i]) {
			return c.ID, n, true
		}
	}
	return "", 0, false
}

// label names a person for staff: name, @username and id (a QQ user's
// as qq:<number>, the way /grant reads it).
func (p person) label() string {
	name := p.FirstName
	if p.Username != "" {
		name = strings.TrimSpace(name + " @" + p.Username)
	}
	if name == "" {
		return shequn.UserRef(p.ID)
	}
	return fmt.Sprintf("%s (%s)", name, shequn.UserRef(p.ID))
}

// personOf looks a user's profile up, for naming them.
func (f *pyramidDesk) personOf(ctx context.Context, id int64) person {
	p := person{ID: id}
	if pr, err := f.People.Profile(ctx, id); err == nil {
		p.FirstName, p.Username = pr.FirstName, pr.Username
	}
	return p
}

// commandGroup is the chat a pyramid command acts in: the group it was
// sent in, or, in a private chat, the group the named member sits in.
func (f *pyramidDesk) commandGroup(ctx context.Context, r *Request, t target) (groups.Group, string, error) {
	chatID := r.ChatID
	if r.Private {
		chatID = 0
		for _, en := range f.enrollmentsOf(ctx, t.ID) {
			if id, err := f.Mod.SeatGroup(ctx, en.Course, t.ID); err == nil {
				chatID = id
				break
			}
		}
		if chatID == 0 {
			return groups.Group{}, T(r.Lang, "pyr.not_student_grp"), nil
		}
	}
	g, err := f.Mod.GroupOf(ctx, chatID)
	if errors.Is(err, moderation.ErrNotStudentGroup) {
		return g, T(r.Lang, "pyr.not_student_grp"), nil
	}
	return g, "", err
}

func (f *pyramidDesk) enrollmentsOf(ctx context.Context, userID int64) []membership.Enrollment {
	ens, err := f.People.Enrollments(ctx, userID)
	if err != nil {
		f.Log.WarnContext(ctx, "enrollments not read", "user", userID, "err", err)
	}
	return ens
}

// refusal is the answer to the moderation package's refusals and to
// Telegram's, or "" for an error that is not the user's.
func (f *pyramidDesk) refusal(lang Lang, err error, who person, rankText string) string {
	switch {
	case errors.Is(err, moderation.ErrNotStudentGroup):
		return T(lang, "pyr.not_student_grp")
	case errors.Is(err, moderation.ErrRank):
		return rankText
	case errors.Is(err, moderation.ErrNoSeat):
		return T(lang, "pyr.no_seat", who.label())
	case errors.Is(err, moderation.ErrAdmin):
		return T(lang, "pyr.is_admin", who.label())
	case errors.Is(err, moderation.ErrIsStaff):
		return T(lang, "pyr.is_staff", who.label())
	case errors.Is(err, moderation.ErrDuration):
		return T(lang, "pyr.mute_usage")
	case errors.Is(err, moderation.ErrOwnerOnly):
		return T(lang, "pyr.owner_only", who.label())
	}
	if e, ok := apiError(err); ok && e.Code == 400 && strings.Contains(e.Message, "not enough rights") {
		return T(lang, "pyr.no_promote_right")
	}
	return ""
}

// monitor appoints the named student the monitor of their group.
func (f *pyramidDesk) monitor(ctx context.Context, r *Request) error {
	t, err := f.memberTarget(ctx, r)
	if err != nil || t.refusal != "" {
		return cmpReply(ctx, f.core, r, t.refusal, err)
	}
	g, refusal, err := f.commandGroup(ctx, r, t)
	if err != nil || refusal != "" {
		return cmpReply(ctx, f.core, r, refusal, err)
	}
	title := T(f.GroupLang, "pyr.title.monitor")
	err = f.Mod.AppointMonitor(ctx, r.From.ID, g.ChatID, t.ID, title)
	if text := f.refusal(r.Lang, err, t.person, T(r.Lang, "pyr.rank_appoint")); text != "" {
		return f.reply(ctx, r, text)
	}
	if err != nil {
		return fmt.Errorf("appoint monitor: %w", err)
	}
	f.Log.InfoContext(ctx, "monitor appointed", "chat", g.ChatID, "user", t.ID, "by", r.From.ID)
	lang := f.langOf(ctx, t.ID)
	f.send(ctx, t.ID, T(lang, "pyr.monitor.dm", groupName(lang, g)))
	return f.reply(ctx, r, T(r.Lang, "pyr.monitor.done", t.label(), groupName(r.Lang, g)))
}

// unmonitor takes the role and its Telegram rights back.
func (f *pyramidDesk) unmonitor(ctx context.Context, r *Request) error {
	t, err := f.memberTarget(ctx, r)
	if err != nil || t.refusal != "" {
		return cmpReply(ctx, f.core, r, t.refusal, err)
	}
	g, refusal, err := f.commandGroup(ctx, r, t)
	if err != nil || refusal != "" {
		return cmpReply(ctx, f.core, r, refusal, err)
	}
	had, err := f.Mod.DismissMonitor(ctx, r.From.ID, g.ChatID, t.ID)
	if text := f.refusal(r.Lang, err, t.person, T(r.Lang, "pyr.rank_appoint")); text != "" {
		return f.reply(ctx, r, text)
	}
	switch {
	case err != nil:
		return fmt.Errorf("dismiss monitor: %w", err)
	case !had:
		return f.reply(ctx, r, T(r.Lang, "pyr.unmonitor.none", t.label(), groupName(r.Lang, g)))
	}
	f.Log.InfoContext(ctx, "monitor dismissed", "chat", g.ChatID, "user", t.ID, "by", r.From.ID)
	return f.reply(ctx, r, T(r.Lang, "pyr.unmonitor.done", t.label(), groupName(r.Lang, g)))
}

// cmpReply returns err when set, else answers with text.
func cmpReply(ctx context.Context, c *core, r *Request, text string, err error) error {
	if err != nil {
		return err
	}
	return c.reply(ctx, r, text)
}

// arrived checks a newcomer to a group for a seat (see intruder); without
// the pyramid there is nothing to check.
func (f *pyramidDesk) arrived(ctx context.Context, chatID, userID int64) error {
	if f.Mod == nil {
		return nil
	}
	return f.intruder(ctx, chatID, userID)
}

// gone ends the monitor role of someone who left a group.
func (f *pyramidDesk) gone(ctx context.Context, chatID, userID int64) error {
	if f.Mod == nil {
		return nil
	}
	if err := f.Mod.MemberLeft(ctx, chatID, userID); err != nil {
		return fmt.Errorf("monitor %d left %d: %w", userID, chatID, err)
	}
	return nil
}

// plainGroupMessage matches what a person says in a group that is not a
// command and not a member coming or going. A message sent on behalf of a
// chat (an anonymous administrator, a linked channel) names no person.
func plainGroupMessage(r *Request) bool {
	m := r.Update.Message
	return m != nil && !r.Private && r.Command == "" && r.From != nil && !r.From.IsBot &&
		m.SenderChat == nil && len(m.NewChatMembers) == 0 && m.LeftChatMember == nil
}

// pyramidTable declares monitors, /staff, /audit, moderation and the
// check of who speaks in a group.
func (f *pyramidDesk) pyramidTable() Table {
	mod := func(a moderation.Action) HandlerFunc {
		if f.Mod == nil {
			return func(context.Context, *Request) error { return nil }
		}
		return f.moderate(a)
	}
	return Table{
		Commands: []Command{
			{Name: "monitor", Audience: Staff, Where: Anywhere, Handle: f.monitor,
				Menu: [2]string{"任命班长（老师）", "Appoint a group's monitor (teachers)"},
				Help: [2]string{"— 在学员群里回复学员的消息，任命其为本群班长；或写学员编号：<code>/monitor PPT-00012</code>",
					"— reply to a student's message in their group to make them its monitor; or give a member number: <code>/monitor PPT-00012</code>"}},
			{Name: "unmonitor", Audience: Staff, Where: Anywhere, Handle: f.unmonitor,
				Menu: [2]string{"撤销班长（老师）", "Dismiss a monitor (teachers)"},
				Help: [2]string{"— 收回班长职务和管理员权限（回复对方的消息或写学员编号）", "— take a monitor's role and rights back (reply to them or give the member number)"}},
			{Name: "staff", Audience: Staff, Where: Anywhere, Handle: f.staff,
				Menu: [2]string{"本群的老师、助教和班长", "Who answers for a group"},
				Help: [2]string{"[课程 群序号] — 谁负责这个学员群：老师、助教、班长", "[course number] — who answers for a student group: teachers, assistants, monitors"}},
			{Name: "audit", Audience: Owners, Where: Anywhere, Handle: f.audit,
				Menu: [2]string{"某人的授权与管理记录（所有者）", "A person's record of roles and moderation (owners)"},
				Help: [2]string{"@用户|学员编号 — 授权、任命、警告、禁言、移出的记录", "@user|member-number — their record of roles, appointments, warnings, mutes and removals"}},
			{Name: "warn", Audience: Anyone, Where: Group, Handle: mod(moderation.ActWarn),
				Menu: [2]string{"警告（班长、助教、老师）", "Warn (monitors, assistants, teachers)"},
				Help: [2]string{"[原因] — 回复学员的消息：警告；多次警告将被禁言", "[reason] — in reply to a student's message: a warning; several mute them"}},
			{Name: "mute", Audience: Anyone, Where: Group, Handle: mod(moderation.ActMute),
				Menu: [2]string{"禁言（班长、助教、老师）", "Mute (monitors, assistants, teachers)"},
				Help: [2]string{"[时长，如 2h、3d] [原因] — 回复学员的消息：禁言", "[length such as 2h, 3d] [reason] — in reply to a student's message: mute them"}},
			{Name: "unmute", Audience: Anyone, Where: Group, Handle: mod(moderation.ActUnmute),
				Menu: [2]string{"解除禁言（班长、助教、老师）", "Unmute (monitors, assistants, teachers)"},
				Help: [2]string{"— 回复学员的消息：解除禁言", "— in reply to a student's message: let them speak again"}},
			{Name: "kick", Audience: Anyone, Where: Group, Handle: mod(moderation.ActKick),
				Menu: [2]string{"移出本群（班长、助教、老师）", "Remove from the group (monitors, assistants, teachers)"},
				Help: [2]string{"[block] [原因] — 回复学员的消息：移出本群，学员资格保留（/me 可重新入群）；加 block 则不能再加入",
					"[block] [reason] — in reply to a student's message: out of the group, the enrollment stays (/me gives the way back); with block they stay out"}},
		},
		Events: []EventRoute{{plainGroupMessage, func(ctx context.Context, r *Request) error {
			if f.Mod != nil {
				if err := f.spoke(ctx, r); err != nil {
					return err
				}
			}
			if f.heard != nil {
				return f.heard(ctx, r)
			}
			return nil
		}}},
	}
}
