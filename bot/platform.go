package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/groups"
)

// Platform is Telegram as the groups package sees it.
type Platform struct {
	Sender *Sender
	BotID  func() int64
}

var _ groups.Platform = (*Platform)(nil)

// BotRights reads the bot's administrator rights in the chat.
func (p *Platform) BotRights(ctx context.Context, chatID int64) ([]groups.Right, error) {
	m, err := p.member(ctx, chatID, p.BotID())
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case "creator":
		return []groups.Right{groups.RightInvite, groups.RightRestrict, groups.RightPin, groups.RightDelete}, nil
	case "administrator":
	default:
		return nil, nil
	}
	var rights []groups.Right
	for _, x := range []struct {
		has   bool
		right groups.Right
	}{
		{m.CanInviteUsers, groups.RightInvite},
		{m.CanRestrictMembers, groups.RightRestrict},
		{m.CanPinMessages, groups.RightPin},
		{m.CanDeleteMessages, groups.RightDelete},
	} {
		if x.has {
			rights = append(rights, x.right)
		}
	}
	if len(rights) == 0 {
		// An administrator with no rights at all still is one.
		rights = []groups.Right{}
	}
	return rights, nil
}

// MuteAll takes every right to send from ordinary members.
func (p *Platform) MuteAll(ctx context.Context, chatID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.SetChatPermissionsConfig{
		ChatConfig:  tgbotapi.ChatConfig{ChatID: chatID},
		Permissions: &tgbotapi.ChatPermissions{},
	})
	if err != nil {
		return fmt.Errorf("setChatPermissions: %w", err)
	}
	return nil
}

// CreateJoinLink makes a link that creates join requests.
func (p *Platform) CreateJoinLink(ctx context.Context, chatID int64, name string) (string, error) {
	resp, err := p.Sender.Request(ctx, tgbotapi.CreateChatInviteLinkConfig{
		ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, Name: truncate(name, 32), CreatesJoinRequest: true,
	})
	if err != nil {
		return "", fmt.Errorf("createChatInviteLink: %w", err)
	}
	var link tgbotapi.ChatInviteLink
	if err := json.Unmarshal(resp.Result, &link); err != nil {
		return "", fmt.Errorf("decode invite link: %w", err)
	}
	return link.InviteLink, nil
}

// ApproveJoin approves a pending join request.
func (p *Platform) ApproveJoin(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.ApproveChatJoinRequestConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: userID})
	return joinError("approveChatJoinRequest", err)
}

// DeclineJoin declines a pending join request.
func (p *Platform) DeclineJoin(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.DeclineChatJoinRequest{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: userID})
	return joinError("declineChatJoinRequest", err)
}

func joinError(method string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apiError(err); ok && e.Code == 400 &&
		(strings.Contains(e.Message, "HIDE_REQUESTER_MISSING") || strings.Contains(e.Message, "USER_ALREADY_PARTICIPANT")) {
		return fmt.Errorf("%s: %w", method, groups.ErrJoinRequestGone)
	}
	return fmt.Errorf("%s: %w", method, err)
}

// RemoveMember bans and at once unbans the user: they leave the group and
// may come back through a new purchase.
func (p *Platform) RemoveMember(ctx context.Context, chatID, userID int64) error {
	member := tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID}
	if _, err := p.Sender.Request(ctx, tgbotapi.BanChatMemberConfig{ChatMemberConfig: member}); err != nil {
		return fmt.Errorf("banChatMember: %w", err)
	}
	if _, err := p.Sender.Request(ctx, tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member, OnlyIfBanned: true}); err != nil {
		return fmt.Errorf("unbanChatMember: %w", err)
	}
	return nil
}

// IsMember reports whether the user is in the chat.
func (p *Platform) IsMember(ctx context.Context, chatID, userID int64) (bool, error) {
	m, err := p.member(ctx, chatID, userID)
	if err != nil {
		return false, err
	}
	return present(m.Status, m.IsMember), nil
}

func (p *Platform) member(ctx context.Context, chatID, userID int64) (tgbotapi.ChatMember, error) {
	resp, err := p.Sender.Request(ctx, tgbotapi.GetChatMemberConfig{
		ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: userID},
	})
	if err != nil {
		return tgbotapi.ChatMember{}, fmt.Errorf("getChatMember: %w", err)
	}
	var m tgbotapi.ChatMember
	if err := json.Unmarshal(resp.Result, &m); err != nil {
		return m, fmt.Errorf("decode chat member: %w", err)
	}
	return m, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
