package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/moderation"
)

// ModerationPlatform is Telegram as the moderation package sees it: the
// promotions of monitors and the acts on members.
type ModerationPlatform struct {
	Sender *Sender
	Log    *slog.Logger
}

var _ moderation.Platform = (*ModerationPlatform)(nil)

// Promote makes the user an administrator with a monitor's rights and
// nothing more (never adding administrators, changing the group or
// inviting), then sets the custom title. A title Telegram refuses leaves
// the rights in place: it is logged, not returned.
func (p *ModerationPlatform) Promote(ctx context.Context, chatID, userID int64, title string) error {
	_, err := p.Sender.Request(ctx, tgbotapi.PromoteChatMemberConfig{
		ChatMemberConfig:  tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID},
		CanDeleteMessages: true, CanPinMessages: true, CanRestrictMembers: true,
	})
	if e, ok := apiError(err); ok && e.Code == 400 && strings.Contains(e.Message, "CHAT_ADMIN_REQUIRED") {
		return fmt.Errorf("promoteChatMember: %s: %w", e.Message, moderation.ErrAdmin)
	}
	if err != nil {
		return fmt.Errorf("promoteChatMember: %w", err)
	}
	// Bot API 5.5's client has no config for it: a raw call.
	_, err = p.Sender.Call(ctx, Interactive, 0, "setChatAdministratorCustomTitle", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(userID, 10), "custom_title": title,
	})
	if err != nil {
		p.Log.WarnContext(ctx, "custom title not set", "chat", chatID, "user", userID, "title", title, "err", err)
	}
	return nil
}

// Demote takes every administrator right back. Someone no longer in the
// group has none to take.
func (p *ModerationPlatform) Demote(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.PromoteChatMemberConfig{
		ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID},
	})
	if e, ok := apiError(err); ok && e.Code == 400 && (strings.Contains(e.Message, "user not found") || strings.Contains(e.Message, "USER_NOT_PARTICIPANT")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("promoteChatMember (demote): %w", err)
	}
	return nil
}

// Restrict takes every right to send until the time (Telegram's until_date).
func (p *ModerationPlatform) Restrict(ctx context.Context, chatID, userID int64, until time.Time) error {
	_, err := p.Sender.Request(ctx, tgbotapi.RestrictChatMemberConfig{
		ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID},
		UntilDate:        until.Unix(), Permissions: &tgbotapi.ChatPermissions{},
	})
	return memberError("restrictChatMember", err)
}

// Unrestrict gives the member every right back, so the group's own
// permissions (muted, or open during a Q&A window) apply to them again.
func (p *ModerationPlatform) Unrestrict(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.RestrictChatMemberConfig{
		ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID},
		Permissions: &tgbotapi.ChatPermissions{CanSendMessages: true, CanSendMediaMessages: true, CanSendPolls: true,
			CanSendOtherMessages: true, CanAddWebPagePreviews: true, CanChangeInfo: true, CanInviteUsers: true, CanPinMessages: true},
	})
	return memberError("restrictChatMember", err)
}

// Remove bans the user; unless block, it unbans at once, so they may come
// back through the way in /me gives.
func (p *ModerationPlatform) Remove(ctx context.Context, chatID, userID int64, block bool) error {
	member := tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID}
	if _, err := p.Sender.Request(ctx, tgbotapi.BanChatMemberConfig{ChatMemberConfig: member}); err != nil {
		return memberError("banChatMember", err)
	}
	if block {
		return nil
	}
	_, err := p.Sender.Request(ctx, tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member, OnlyIfBanned: true})
	return memberError("unbanChatMember", err)
}

// memberError names Telegram's refusal to act on an administrator as
// moderation.ErrAdmin.
func memberError(method string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apiError(err); ok && e.Code == 400 && strings.Contains(e.Message, "is an administrator") {
		return fmt.Errorf("%s: %s: %w", method, e.Message, moderation.ErrAdmin)
	}
	return fmt.Errorf("%s: %w", method, err)
}
