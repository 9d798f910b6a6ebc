package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shequn/shequn/membership"
)

// roleTarget reads "<role> @user [course]", or "<role> [course]" in reply
// to the user's message.
func (b *Bot) roleTarget(ctx context.Context, r *Request) (membership.Role, int64, string, string, error) {
	if len(r.Args) == 0 {
		return "", 0, "", "", nil
	}
	role := membership.Role(strings.ToLower(r.Args[0]))
	if !role.Valid() {
		return "", 0, "", "", nil
	}
	args := r.Args[1:]
	var userID int64
	var name string
	switch {
	case len(args) > 0 && strings.HasPrefix(args[0], "@"):
		name = args[0]
		p, err := b.Roles.ProfileByUsername(ctx, strings.TrimPrefix(args[0], "@"))
		if errors.Is(err, membership.ErrNotFound) {
			return role, 0, "", name, nil
		}
		if err != nil {
			return "", 0, "", "", fmt.Errorf("find user: %w", err)
		}
		userID, args = p.UserID, args[1:]
	case r.Message != nil && r.Message.ReplyToMessage != nil && r.Message.ReplyToMessage.From != nil:
		u := r.Message.ReplyToMessage.From
		userID, name = u.ID, u.FirstName
		if u.UserName != "" {
			name = "@" + u.UserName
		}
	default:
		return "", 0, "", "", nil
	}
	course := ""
	if len(args) > 0 {
		course = strings.ToLower(args[0])
	}
	return role, userID, course, name, nil
}

func (b *Bot) courseScope(lang Lang, course string) string {
	if course == "" {
		return T(lang, "role.all_courses")
	}
	return b.courseTitle(course)
}

func (b *Bot) grant(ctx context.Context, r *Request) error {
	role, userID, course, name, err := b.roleTarget(ctx, r)
	switch {
	case err != nil:
		return err
	case role == "":
		return b.reply(ctx, r, T(r.Lang, "role.usage"), nil)
	case userID == 0:
		return b.reply(ctx, r, T(r.Lang, "role.unknown_user", name), nil)
	}
	if _, ok := b.course(course); course != "" && !ok {
		return b.reply(ctx, r, T(r.Lang, "buy.unknown", course), nil)
	}
	if err := b.Roles.GrantRole(ctx, membership.Grant{UserID: userID, Role: role, Course: course, GrantedBy: r.From.ID, GrantedAt: b.Now()}); err != nil {
		return fmt.Errorf("grant role: %w", err)
	}
	b.Log.InfoContext(ctx, "role granted", "user", userID, "role", string(role), "course", course, "by", r.From.ID)
	b.wake()
	return b.reply(ctx, r, T(r.Lang, "role.granted", name, T(r.Lang, "role."+string(role)), b.courseScope(r.Lang, course)), nil)
}

func (b *Bot) revoke(ctx context.Context, r *Request) error {
	role, userID, course, name, err := b.roleTarget(ctx, r)
	switch {
	case err != nil:
		return err
	case role == "":
		return b.reply(ctx, r, T(r.Lang, "role.usage"), nil)
	case userID == 0:
		return b.reply(ctx, r, T(r.Lang, "role.unknown_user", name), nil)
	}
	had, err := b.Roles.RevokeRole(ctx, userID, role, course)
	if err != nil {
		return fmt.Errorf("revoke role: %w", err)
	}
	if !had {
		return b.reply(ctx, r, T(r.Lang, "role.not_held", name), nil)
	}
	b.Log.InfoContext(ctx, "role revoked", "user", userID, "role", string(role), "course", course, "by", r.From.ID)
	b.wake()
	return b.reply(ctx, r, T(r.Lang, "role.revoked", name, T(r.Lang, "role."+string(role)), b.courseScope(r.Lang, course)), nil)
}

// wake asks the reconciler for a pass soon, after a change of desired
// state.
func (b *Bot) wake() {
	if b.Wake != nil {
		b.Wake()
	}
}
