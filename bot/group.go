package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// register makes the group one of the community's: "/register student
// <course> <capacity>" or "/register core <capacity>".
func (f *groupDesk) register(ctx context.Context, r *Request) error {
	if !InGroup(r) {
		return f.reply(ctx, r, T(r.Lang, "register.in_group"))
	}
	usage := func() error {
		ids := make([]string, len(f.Courses))
		for i, c := range f.Courses {
			ids[i] = c.ID
		}
		return f.reply(ctx, r, T(r.Lang, "register.usage", strings.Join(ids, ", ")))
	}
	req := groups.RegisterRequest{ChatID: r.ChatID, Title: r.Message.Chat.Title, By: r.From.ID}
	var capArg string
	switch {
	case len(r.Args) == 3 && strings.EqualFold(r.Args[0], "student"):
		req.Kind, req.Course, capArg = groups.KindStudent, strings.ToLower(r.Args[1]), r.Args[2]
		if _, ok := f.course(req.Course); !ok {
			return f.reply(ctx, r, T(r.Lang, "buy.unknown", r.Args[1]))
		}
	case len(r.Args) >= 1 && len(r.Args) <= 3 && strings.EqualFold(r.Args[0], "core"):
		var ok bool
		if req.Course, capArg, ok = f.coreArgs(r.Args[1:]); !ok {
			return usage()
		}
		req.Kind = groups.KindCore
		if _, known := f.course(req.Course); req.Course != "" && !known {
			return f.reply(ctx, r, T(r.Lang, "buy.unknown", req.Course))
		}
	default:
		return usage()
	}
	if capArg != "" { // the core group's default is the configured capacity
		n, err := strconv.Atoi(capArg)
		if err != nil || !groups.ValidCapacity(n) {
			return f.reply(ctx, r, T(r.Lang, "register.capacity"))
		}
		req.Capacity = n
	}
	if req.Kind == groups.KindCore && req.Capacity > 0 {
		// Registering the core group again with a number changes its seats.
		g, err := f.Groups.SetCoreCapacity(ctx, r.ChatID, req.Capacity)
		if err == nil {
			return f.reply(ctx, r, T(r.Lang, "register.core_capacity", g.Capacity))
		}
		if !errors.Is(err, shequn.ErrNotFound) {
			return err
		}
	}
	g, err := f.Groups.Register(ctx, req)
	var missing *groups.MissingRightsError
	switch {
	case errors.As(err, &missing) && missing.NotAdmin:
		return f.reply(ctx, r, T(r.Lang, "register.not_admin"))
	case errors.As(err, &missing):
		names := make([]string, len(missing.Missing))
		for i, right := range missing.Missing {
			names[i] = T(r.Lang, "right."+string(right))
		}
		return f.reply(ctx, r, T(r.Lang, "register.missing", strings.Join(names, T(r.Lang, "right.separator"))))
	case errors.Is(err, groups.ErrOtherPlatform):
		return f.reply(ctx, r, T(r.Lang, "register.other_platform", f.courseTitle(req.Course)))
	case shequn.ErrorCode(err) == shequn.CodeInvalid && req.Kind == groups.KindCore:
		return usage()
	case shequn.ErrorCode(err) == shequn.CodeConflict && req.Kind == groups.KindCore:
		return f.reply(ctx, r, T(r.Lang, "register.core_taken"))
	case shequn.ErrorCode(err) == shequn.CodeConflict:
		return f.reply(ctx, r, T(r.Lang, "register.duplicate"))
	case err != nil:
		return fmt.Errorf("register group: %w", err)
	}
	f.Log.InfoContext(ctx, "group registered", "group", g.ID, "chat", g.ChatID, "kind", string(g.Kind), "course", g.Course, "ordinal", g.Ordinal, "capacity", g.Capacity)
	if g.Kind == groups.KindCore {
		return f.reply(ctx, r, T(r.Lang, "register.ok_core", g.Capacity))
	}
	// Claim the mute and the pinned rules only once they happened.
	key := "register.ok"
	if g.SetUpAt.IsZero() {
		key = "register.pending"
	}
	return f.reply(ctx, r, T(r.Lang, key, f.courseTitle(g.Course), groupName(r.Lang, g), g.Capacity))
}

// coreArgs reads what follows "/register core": "[capacity]", or
// "<course> [capacity]" when every course has its own core group.
func (f *groupDesk) coreArgs(args []string) (course, capArg string, ok bool) {
	if f.Groups.CoreRules.PerCourse {
		if len(args) == 0 {
			return "", "", false
		}
		course, args = strings.ToLower(args[0]), args[1:]
	}
	switch len(args) {
	case 0:
		return course, "", true
	case 1:
		return course, args[0], true
	}
	return "", "", false
}

// listGroups shows every group with seats used and capacity, and who waits.
func (f *groupDesk) listGroups(ctx context.Context, r *Request) error {
	all, err := f.Groups.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	if len(all) == 0 {
		return f.reply(ctx, r, T(r.Lang, "groups.none"))
	}
	lines := []string{T(r.Lang, "groups.header", len(all))}
	for _, g := range all {
		if g.Kind == groups.KindCore {
			lines = append(lines, T(r.Lang, "groups.line_core", groupName(r.Lang, g), g.SeatsUsed, g.Capacity))
			continue
		}
		lines = append(lines, T(r.Lang, "groups.line", groupName(r.Lang, g), f.courseTitle(g.Course), g.SeatsUsed, g.Capacity))
	}
	for _, c := range f.Courses {
		n, err := f.Groups.Waiting(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("waitlist of %s: %w", c.ID, err)
		}
		if n > 0 {
			lines = append(lines, T(r.Lang, "groups.waiting", c.Title, n))
		}
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

func (f *groupDesk) joinRequest(ctx context.Context, r *Request) error {
	jr := r.Update.ChatJoinRequest
	if shequn.IsQQ(jr.Chat.ID) {
		// QQ has no join links: the request's words (验证信息) name the
		// buyer's join code or member number.
		_, _, err := f.Groups.JoinRequestSaying(ctx, jr.Chat.ID, jr.From.ID, jr.Bio)
		if err != nil {
			return fmt.Errorf("QQ join request of %d to %d: %w", jr.From.ID, jr.Chat.ID, err)
		}
		return nil
	}
	if _, _, err := f.Groups.JoinRequest(ctx, jr.Chat.ID, jr.From.ID); err != nil {
		return fmt.Errorf("join request of %d to %d: %w", jr.From.ID, jr.Chat.ID, err)
	}
	return nil
}

// memberUpdate follows members coming and going (chat_member updates).
func (f *groupDesk) memberUpdate(ctx context.Context, r *Request) error {
	cm := r.Update.ChatMember
	u := cm.NewChatMember.User
	if u == nil || u.IsBot {
		return nil
	}
	was, is := present(cm.OldChatMember.Status, cm.OldChatMember.IsMember), present(cm.NewChatMember.Status, cm.NewChatMember.IsMember)
	switch {
	case !was && is:
		if err := f.Groups.MemberJoined(ctx, cm.Chat.ID, u.ID); err != nil {
			return err
		}
		return f.checkArrival(ctx, cm.Chat.ID, u.ID)
	case was && !is:
		if err := f.Groups.MemberLeft(ctx, cm.Chat.ID, u.ID); err != nil {
			return err
		}
		return f.checkGone(ctx, cm.Chat.ID, u.ID)
	}
	return nil
}

// checkArrival hands a newcomer to the arrival check, when there is one.
func (f *groupDesk) checkArrival(ctx context.Context, chatID, userID int64) error {
	if f.arrived == nil {
		return nil
	}
	return f.arrived(ctx, chatID, userID)
}

// checkGone hands someone who left to the pyramid, when there is one.
func (f *groupDesk) checkGone(ctx context.Context, chatID, userID int64) error {
	if f.gone == nil {
		return nil
	}
	return f.gone(ctx, chatID, userID)
}

func present(status string, isMember bool) bool {
	switch status {
	case "creator", "administrator", "member":
		return true
	case "restricted":
		return isMember
	}
	return false
}

// serviceMessage follows the "joined" and "left" lines Telegram posts in
// groups, which arrive even when chat_member updates are not enabled.
func (f *groupDesk) serviceMessage(ctx context.Context, r *Request) error {
	m := r.Update.Message
	for _, u := range m.NewChatMembers {
		if u.IsBot {
			continue
		}
		if err := f.Groups.MemberJoined(ctx, m.Chat.ID, u.ID); err != nil {
			return err
		}
		if err := f.checkArrival(ctx, m.Chat.ID, u.ID); err != nil {
			return err
		}
	}
	if u := m.LeftChatMember; u != nil && !u.IsBot {
		if err := f.Groups.MemberLeft(ctx, m.Chat.ID, u.ID); err != nil {
			return err
		}
		return f.checkGone(ctx, m.Chat.ID, u.ID)
	}
	return nil
}

// botMemberUpdate greets a group that just added the bot, telling the
// owner what to do next.
func (f *groupDesk) botMemberUpdate(ctx context.Context, r *Request) error {
	cm := r.Update.MyChatMember
	if cm.Chat.IsPrivate() {
		return nil
	}
	if known, err := f.Groups.Registered(ctx, cm.Chat.ID); err == nil && known {
		// A registered group: the bot's rights changed, for better or worse.
		return f.Groups.RightsChanged(ctx, cm.Chat.ID)
	}
	if present(cm.OldChatMember.Status, cm.OldChatMember.IsMember) || !present(cm.NewChatMember.Status, cm.NewChatMember.IsMember) {
		return nil
	}
	return f.reply(ctx, r, T(r.Lang, "bot.added"))
}

// groupsTable declares registering groups and following their members.
func (f *groupDesk) groupsTable() Table {
	return Table{
		Commands: []Command{
			{Name: "register", Audience: Owners, Where: Anywhere, Handle: f.register,
				Menu: [2]string{"登记本群（所有者）", "Register this group (owners)"},
				Help: [2]string{"student &lt;课程&gt; &lt;容量&gt; — 在群里发送，登记学员群；<code>/register core [容量]</code> 登记核心群（默认 69 人）",
					"student &lt;course&gt; &lt;capacity&gt; — send it in the group to register a student group; <code>/register core [capacity]</code> for the core group (69 by default)"}},
			{Name: "groups", Audience: Owners, Where: Anywhere, Handle: f.listGroups,
				Menu: [2]string{"所有群及座位（所有者）", "All groups and seats (owners)"},
				Help: [2]string{"— 所有群及座位", "— all groups and their seats"}},
		},
		Events: []EventRoute{
			{func(r *Request) bool { return r.Update.ChatJoinRequest != nil }, f.joinRequest},
			{func(r *Request) bool { return r.Update.ChatMember != nil }, f.memberUpdate},
			{func(r *Request) bool { return r.Update.MyChatMember != nil }, f.botMemberUpdate},
			{func(r *Request) bool {
				m := r.Update.Message
				return m != nil && (len(m.NewChatMembers) > 0 || m.LeftChatMember != nil)
			}, f.serviceMessage},
		},
	}
}
