package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/groups"
)

// Platform is Telegram as the groups package sees it.
type Platform struct {
	Sender *Sender
	BotID  func() int64
	Now    func() time.Time // the clock a link's expiry is read on; time.Now when nil
}

var _ groups.Platform = (*Platform)(nil)

// BotRights reads the bot's administrator rights in the chat.
func (p *Platform) BotRights(ctx context.Context, chatID int64) ([]groups.Right, error) {
	m, err := p.member(ctx, chatID, p.BotID())
	if err != nil {
		return nil, groupError(chatID, "", err)
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

// MuteAll takes every right to send from ordinary members. A group muted
// already (Telegram answers CHAT_NOT_MODIFIED) is done.
func (p *Platform) MuteAll(ctx context.Context, chatID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.SetChatPermissionsConfig{
		ChatConfig:  tgbotapi.ChatConfig{ChatID: chatID},
		Permissions: &tgbotapi.ChatPermissions{},
	})
	if notModified(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("setChatPermissions: %w", groupError(chatID, groups.RightRestrict, err))
	}
	return nil
}

// notModified reports Telegram's answer that a change was there already
// ("CHAT_NOT_MODIFIED", "message is not modified"): the step is done.
func notModified(err error) bool {
	e, ok := apiError(err)
	return ok && e.Code == 400 && (strings.Contains(e.Message, "NOT_MODIFIED") || strings.Contains(e.Message, "not modified"))
}

// groupError turns Telegram's answers that only a person can fix into a
// *groups.GroupError naming the problem: a right the call needs (right;
// empty when the call needs none, so a refusal means the bot is not an
// administrator), the bot removed (403), the chat gone. Other errors are
// returned as they are and retried later.
func groupError(chatID int64, right groups.Right, err error) error {
	e, ok := apiError(err)
	if !ok {
		return err
	}
	var problem groups.Problem
	switch {
	case e.Code == 403:
		problem = groups.ProblemRemoved
	case e.Code != 400:
		return err
	case strings.Contains(e.Message, "chat not found"):
		problem = groups.ProblemChatGone
	case strings.Contains(e.Message, "not enough rights"), strings.Contains(e.Message, "CHAT_ADMIN_REQUIRED"),
		strings.Contains(e.Message, "need administrator rights"):
		problem = groups.ProblemRemoved
		if right != "" {
			problem = groups.MissingRight(right)
		}
	default:
		return err
	}
	return &groups.GroupError{ChatID: chatID, Problem: problem, Err: err}
}

// CreateJoinLink makes a link that creates join requests.
func (p *Platform) CreateJoinLink(ctx context.Context, chatID int64, name string) (string, error) {
	resp, err := p.Sender.Request(ctx, tgbotapi.CreateChatInviteLinkConfig{
		ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, Name: truncate(name, 32), CreatesJoinRequest: true,
	})
	if err != nil {
		return "", fmt.Errorf("createChatInviteLink: %w", groupError(chatID, groups.RightInvite, err))
	}
	var link tgbotapi.ChatInviteLink
	if err := json.Unmarshal(resp.Result, &link); err != nil {
		return "", fmt.Errorf("decode invite link: %w", err)
	}
	return link.InviteLink, nil
}

// JoinLinkWorks edits the link to what the bot made it (its name, join
// requests): Telegram answers with the link, saying whether it is revoked
// or expired, or refuses a link that is gone. The Bot API has no call that
// only reads a link.
func (p *Platform) JoinLinkWorks(ctx context.Context, chatID int64, link, name string) (bool, error) {
	resp, err := p.Sender.Call(ctx, Bulk, 0, "editChatInviteLink", tgbotapi.Params{
		"chat_id": fmt.Sprint(chatID), "invite_link": link, "name": truncate(name, 32), "creates_join_request": "true",
	})
	if e, ok := apiError(err); ok && e.Code == 400 && !strings.Contains(e.Message, "not enough rights") && !strings.Contains(e.Message, "chat not found") {
		return false, nil // INVITE_HASH_EXPIRED and the like: the link is gone
	}
	if err != nil {
		return false, fmt.Errorf("editChatInviteLink: %w", groupError(chatID, groups.RightInvite, err))
	}
	var l tgbotapi.ChatInviteLink
	if err := json.Unmarshal(resp.Result, &l); err != nil {
		return false, fmt.Errorf("decode invite link: %w", err)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	expired := l.ExpireDate != 0 && !time.Unix(int64(l.ExpireDate), 0).After(now())
	return !l.IsRevoked && !expired, nil
}

// ApproveJoin approves a pending join request.
func (p *Platform) ApproveJoin(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.ApproveChatJoinRequestConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: userID})
	return joinError("approveChatJoinRequest", chatID, err)
}

// DeclineJoin declines a pending join request.
func (p *Platform) DeclineJoin(ctx context.Context, chatID, userID int64) error {
	_, err := p.Sender.Request(ctx, tgbotapi.DeclineChatJoinRequest{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: userID})
	return joinError("declineChatJoinRequest", chatID, err)
}

func joinError(method string, chatID int64, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apiError(err); ok && e.Code == 400 &&
		(strings.Contains(e.Message, "HIDE_REQUESTER_MISSING") || strings.Contains(e.Message, "USER_ALREADY_PARTICIPANT")) {
		return fmt.Errorf("%s: %w", method, groups.ErrJoinRequestGone)
	}
	return fmt.Errorf("%s: %w", method, groupError(chatID, groups.RightInvite, err))
}

// RemoveMember bans and at once unbans the user: they leave the group and
// may come back through a new purchase. An administrator the bot promoted
// (a monitor) is demoted first, since Telegram bans no administrator.
func (p *Platform) RemoveMember(ctx context.Context, chatID, userID int64) error {
	member := tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID}
	_, err := p.Sender.Request(ctx, tgbotapi.BanChatMemberConfig{ChatMemberConfig: member})
	if e, ok := apiError(err); ok && e.Code == 400 && strings.Contains(e.Message, "is an administrator") {
		if _, derr := p.Sender.Request(ctx, tgbotapi.PromoteChatMemberConfig{ChatMemberConfig: member}); derr == nil {
			_, err = p.Sender.Request(ctx, tgbotapi.BanChatMemberConfig{ChatMemberConfig: member})
		}
	}
	if err != nil {
		return fmt.Errorf("banChatMember: %w", groupError(chatID, groups.RightRestrict, err))
	}
	if _, err := p.Sender.Request(ctx, tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member, OnlyIfBanned: true}); err != nil {
		return fmt.Errorf("unbanChatMember: %w", groupError(chatID, groups.RightRestrict, err))
	}
	return nil
}

// LiftBan unbans the user only if banned, so that someone taken out may
// come back; it leaves anyone else as they are.
func (p *Platform) LiftBan(ctx context.Context, chatID, userID int64) error {
	member := tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: userID}
	if _, err := p.Sender.Request(ctx, tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member, OnlyIfBanned: true}); err != nil {
		return fmt.Errorf("unbanChatMember: %w", groupError(chatID, groups.RightRestrict, err))
	}
	return nil
}

// IsMember reports whether the user is in the chat.
func (p *Platform) IsMember(ctx context.Context, chatID, userID int64) (bool, error) {
	m, err := p.member(ctx, chatID, userID)
	if err != nil {
		return false, groupError(chatID, "", err)
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
