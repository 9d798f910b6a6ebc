package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// groupScope reads the scope of "/grant assistant @user group" (sent in
// the group) or "… -100123" (the group's id): the chat, and whether the
// scope names a group rather than a course.
func groupScope(r *Request, scope string) (int64, bool) {
	if scope == "group" {
		if r.Private {
			return 0, true
		}
		return r.ChatID, true
	}
	id, err := strconv.ParseInt(scope, 10, 64)
	return id, err == nil && id < 0
}

// grantGroup makes someone an assistant of one student group, and one of
// its administrators with a monitor's rights when they are in it.
func (f *roleDesk) grantGroup(ctx context.Context, r *Request, c roleCommand, chatID int64) error {
	if f.Pyramid == nil || c.role != membership.RoleAssistant || chatID == 0 {
		return f.reply(ctx, r, T(r.Lang, "pyr.group_usage"))
	}
	label, err := f.personLabel(ctx, r.Lang, c.who)
	if err != nil {
		return err
	}
	added, err := f.Pyramid.AssignAssistant(ctx, r.From.ID, chatID, c.who.ID)
	if errors.Is(err, moderation.ErrNotStudentGroup) {
		return f.reply(ctx, r, T(r.Lang, "pyr.not_student_grp"))
	}
	if err != nil {
		return fmt.Errorf("assign group assistant: %w", err)
	}
	g, err := f.Pyramid.GroupOf(ctx, chatID)
	if err != nil {
		return err
	}
	// Granting again promotes one who was not in the group the first time.
	text := T(r.Lang, "pyr.assistant.had", label, groupName(r.Lang, g))
	if added {
		f.Log.InfoContext(ctx, "group assistant appointed", "chat", chatID, "user", c.who.ID, "by", r.From.ID)
		text = T(r.Lang, "pyr.assistant.done", label, groupName(r.Lang, g))
	}
	if err := f.Pyramid.PromoteAssistant(ctx, chatID, c.who.ID, T(f.GroupLang, "pyr.title.assistant")); err != nil {
		f.Log.InfoContext(ctx, "group assistant not promoted", "chat", chatID, "user", c.who.ID, "err", err)
		text += "\n" + T(r.Lang, "pyr.assistant.not_admin")
	}
	return f.reply(ctx, r, text)
}

// revokeGroup takes a group's assistant role back, with its rights.
func (f *roleDesk) revokeGroup(ctx context.Context, r *Request, c roleCommand, chatID int64) error {
	if f.Pyramid == nil || c.role != membership.RoleAssistant || chatID == 0 {
		return f.reply(ctx, r, T(r.Lang, "pyr.group_usage"))
	}
	label, err := f.personLabel(ctx, r.Lang, c.who)
	if err != nil {
		return err
	}
	g, err := f.Pyramid.GroupOf(ctx, chatID)
	if errors.Is(err, moderation.ErrNotStudentGroup) {
		return f.reply(ctx, r, T(r.Lang, "pyr.not_student_grp"))
	}
	if err != nil {
		return err
	}
	had, err := f.Pyramid.UnassignAssistant(ctx, r.From.ID, chatID, c.who.ID)
	if err != nil {
		return fmt.Errorf("unassign group assistant: %w", err)
	}
	if !had {
		return f.reply(ctx, r, T(r.Lang, "pyr.assistant.none", label, groupName(r.Lang, g)))
	}
	return f.reply(ctx, r, T(r.Lang, "pyr.assistant.gone", label, groupName(r.Lang, g)))
}

// note records a course role's grant or revoke in the audit log; the role
// is changed already, so a failure is logged, not returned.
func (f *roleDesk) note(ctx context.Context, action moderation.Action, by int64, g membership.Grant) {
	if f.Pyramid == nil {
		return
	}
	if err := f.Pyramid.Note(ctx, action, by, g); err != nil {
		f.Log.ErrorContext(ctx, "audit entry lost", "action", string(action), "user", g.UserID, "err", err)
	}
}
