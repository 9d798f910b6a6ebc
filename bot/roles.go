package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// person is the user a role command names, as resolved.
type person struct {
	ID        int64
	FirstName string
	Username  string
}

// roleCommand is a parsed /grant or /revoke. refusal, when set, is the
// answer instead: usage, an unknown, ambiguous or long-unseen name.
type roleCommand struct {
	role    membership.Role
	who     person
	course  string
	refusal string
}

// roleTarget reads "<role> @user [course]", or "<role> [course]" in reply
// to the user's message. A username must name one profile; for a grant it
// must also have been seen lately (fresh), so the role reaches the person
// the owner means.
func (f *roleDesk) roleTarget(ctx context.Context, r *Request, fresh bool) (roleCommand, error) {
	usage := roleCommand{refusal: T(r.Lang, "role.usage")}
	if len(r.Args) == 0 {
		return usage, nil
	}
	c := roleCommand{role: membership.Role(strings.ToLower(r.Args[0]))}
	if !c.role.Valid() {
		return usage, nil
	}
	args := r.Args[1:]
	switch {
	case len(args) > 0 && strings.HasPrefix(args[0], "@"):
		p, err := f.People.ByUsername(ctx, args[0], fresh)
		var nameErr *membership.NameError
		if errors.As(err, &nameErr) {
			c.refusal = f.nameRefusal(r.Lang, nameErr)
			return c, nil
		}
		if err != nil {
			return c, err
		}
		c.who, args = person{ID: p.UserID, FirstName: p.FirstName, Username: p.Username}, args[1:]
	case r.Message != nil && r.Message.ReplyToMessage != nil && r.Message.ReplyToMessage.From != nil:
		u := r.Message.ReplyToMessage.From
		c.who = person{ID: u.ID, FirstName: u.FirstName, Username: u.UserName}
	default:
		return usage, nil
	}
	if len(args) > 0 {
		c.course = strings.ToLower(args[0])
	}
	return c, nil
}

// nameRefusal says why a username cannot be trusted to name one person.
func (f *roleDesk) nameRefusal(lang Lang, e *membership.NameError) string {
	switch {
	case e.Unknown:
		return T(lang, "role.unknown_user", e.Name)
	case len(e.IDs) > 1:
		ids := make([]string, len(e.IDs))
		for i, id := range e.IDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		return T(lang, "role.ambiguous_user", e.Name, strings.Join(ids, ", "))
	}
	age := f.Now().Sub(e.LastSeen)
	return T(lang, "role.stale_user", e.Name, int(age.Hours()/24), f.date(lang, e.LastSeen), int(membership.NameSeenWithin.Hours()/24))
}

// personLabel names a person so the owner can check it is the right one:
// name, @username, id and member numbers.
func (f *roleDesk) personLabel(ctx context.Context, lang Lang, p person) (HTML, error) {
	ens, err := f.People.Enrollments(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("list enrollments: %w", err)
	}
	var numbers []string
	for _, en := range ens {
		numbers = append(numbers, f.memberNumber(en.Course, en.Number))
	}
	number := T(lang, "role.no_number")
	if len(numbers) > 0 {
		number = strings.Join(numbers, ", ")
	}
	name := p.FirstName
	if p.Username != "" {
		name = strings.TrimSpace(name + " @" + p.Username)
	}
	return HTML(T(lang, "role.person", name, shequn.UserRef(p.ID), number)), nil
}

// refreshMenu gives the user the menu of their roles now; a failure only
// leaves the old menu, so it is logged, not returned.
func (f *roleDesk) refreshMenu(ctx context.Context, userID int64) {
	if f.menuOf == nil {
		return
	}
	if err := f.menuOf(ctx, userID); err != nil {
		f.Log.WarnContext(ctx, "personal menu not updated", "user", userID, "err", err)
	}
}

func (f *roleDesk) courseScope(lang Lang, course string) string {
	if course == "" {
		return T(lang, "role.all_courses")
	}
	return f.courseTitle(course)
}

func (f *roleDesk) grant(ctx context.Context, r *Request) error {
	c, err := f.roleTarget(ctx, r, true)
	switch {
	case err != nil:
		return err
	case c.refusal != "":
		return f.reply(ctx, r, c.refusal)
	}
	if chatID, isGroup := groupScope(r, c.course); isGroup {
		return f.grantGroup(ctx, r, c, chatID)
	}
	if _, ok := f.course(c.course); c.course != "" && !ok {
		return f.reply(ctx, r, T(r.Lang, "buy.unknown", c.course))
	}
	label, err := f.personLabel(ctx, r.Lang, c.who)
	if err != nil {
		return err
	}
	g := membership.Grant{UserID: c.who.ID, Role: c.role, Course: c.course, GrantedBy: r.From.ID, GrantedAt: f.Now()}
	if err := f.People.Grant(ctx, g); err != nil {
		return fmt.Errorf("grant role: %w", err)
	}
	f.Log.InfoContext(ctx, "role granted", "user", c.who.ID, "role", string(c.role), "course", c.course, "by", r.From.ID)
	f.note(ctx, moderation.ActGrant, r.From.ID, g)
	f.wake()
	f.refreshMenu(ctx, c.who.ID)
	return f.reply(ctx, r, T(r.Lang, "role.granted", label, T(r.Lang, "role."+string(c.role)), f.courseScope(r.Lang, c.course)))
}

func (f *roleDesk) revoke(ctx context.Context, r *Request) error {
	c, err := f.roleTarget(ctx, r, false)
	switch {
	case err != nil:
		return err
	case c.refusal != "":
		return f.reply(ctx, r, c.refusal)
	}
	if chatID, isGroup := groupScope(r, c.course); isGroup {
		return f.revokeGroup(ctx, r, c, chatID)
	}
	label, err := f.personLabel(ctx, r.Lang, c.who)
	if err != nil {
		return err
	}
	had, err := f.People.Revoke(ctx, c.who.ID, c.role, c.course)
	if err != nil {
		return fmt.Errorf("revoke role: %w", err)
	}
	if !had {
		return f.reply(ctx, r, T(r.Lang, "role.not_held", label))
	}
	f.Log.InfoContext(ctx, "role revoked", "user", c.who.ID, "role", string(c.role), "course", c.course, "by", r.From.ID)
	f.note(ctx, moderation.ActRevoke, r.From.ID, membership.Grant{UserID: c.who.ID, Role: c.role, Course: c.course})
	f.wake()
	f.refreshMenu(ctx, c.who.ID)
	return f.reply(ctx, r, T(r.Lang, "role.revoked", label, T(r.Lang, "role."+string(c.role)), f.courseScope(r.Lang, c.course)))
}

// rolesTable declares granting and revoking roles.
func (f *roleDesk) rolesTable() Table {
	return Table{Commands: []Command{
		{Name: "grant", Audience: Owners, Where: Anywhere, Handle: f.grant,
			Menu: [2]string{"授予老师或助教（所有者）", "Make someone a teacher or assistant (owners)"},
			Help: [2]string{"teacher|assistant @用户 [课程] — 授予老师/助教（也可回复对方的消息）；<code>assistant @用户 group</code> 在学员群里发送，任命本群助教",
				"teacher|assistant @user [course] — make someone a teacher or assistant (or reply to their message); <code>assistant @user group</code> in a student group makes them its assistant"}},
		{Name: "revoke", Audience: Owners, Where: Anywhere, Handle: f.revoke,
			Menu: [2]string{"收回老师或助教（所有者）", "Take a teacher or assistant role back (owners)"},
			Help: [2]string{"teacher|assistant @用户 [课程] — 收回", "teacher|assistant @user [course] — take it back"}},
	}}
}
