package telegramtest

import (
	"fmt"
	"unicode"
)

// Administrators as Telegram keeps them: a bot promotes members with at
// most the rights it holds itself, and may afterwards change (or take
// back) the rights and the custom title only of the administrators it
// promoted; the chat's creator edits every one.

// maxCustomTitle is the longest custom title Telegram accepts, in
// characters.
const maxCustomTitle = 16

func (s *Server) apiPromoteChatMember(p params) (any, *apiError) {
	c, uid, aerr := s.apiGroupMember(p)
	if aerr != nil {
		return nil, aerr
	}
	bot := s.botRights(c)
	if !bot.CanPromoteMembers {
		return nil, badRequest("not enough rights")
	}
	r := AdminRights{
		CanManageChat: p.bool("can_manage_chat"), CanDeleteMessages: p.bool("can_delete_messages"),
		CanManageVideoChats: p.bool("can_manage_video_chats") || p.bool("can_manage_voice_chats"),
		CanRestrictMembers:  p.bool("can_restrict_members"), CanPromoteMembers: p.bool("can_promote_members"),
		CanInviteUsers: p.bool("can_invite_users"), CanPinMessages: p.bool("can_pin_messages"),
		CanChangeInfo: p.bool("can_change_info"),
	}
	if (r.CanManageChat && !bot.CanManageChat) || (r.CanDeleteMessages && !bot.CanDeleteMessages) ||
		(r.CanManageVideoChats && !bot.CanManageVideoChats) || (r.CanRestrictMembers && !bot.CanRestrictMembers) ||
		(r.CanPromoteMembers && !bot.CanPromoteMembers) || (r.CanInviteUsers && !bot.CanInviteUsers) ||
		(r.CanPinMessages && !bot.CanPinMessages) || (r.CanChangeInfo && !bot.CanChangeInfo) {
		return nil, badRequest("RIGHT_FORBIDDEN")
	}
	m := s.memberOf(c, uid)
	switch {
	case m.status == "creator":
		return nil, badRequest("not enough rights")
	case m.status == "administrator" && m.promotedBy != s.bot.ID:
		// An administrator someone else promoted is theirs to edit.
		return nil, badRequest("CHAT_ADMIN_REQUIRED")
	case !m.in():
		return nil, badRequest("user not found")
	}
	nm := member{status: "member"}
	if r != (AdminRights{}) {
		nm = member{status: "administrator", rights: r, promotedBy: s.bot.ID}
		if m.status == "administrator" {
			nm.title = m.title // new rights keep the title
		}
	}
	s.setMember(c, uid, nm, s.bot.ID, nil, false)
	s.emit("promote", c.id, uid, s.user(uid).FirstName)
	return true, nil
}

func (s *Server) apiSetChatAdministratorCustomTitle(p params) (any, *apiError) {
	c, uid, aerr := s.apiGroupMember(p)
	if aerr != nil {
		return nil, aerr
	}
	title := p["custom_title"]
	m := s.memberOf(c, uid)
	switch {
	case m.status == "creator":
		return nil, badRequest("only the owner can edit their custom title")
	case m.status != "administrator":
		return nil, badRequest("user is not an administrator")
	case m.promotedBy != s.bot.ID || !s.botRights(c).CanPromoteMembers:
		return nil, badRequest("not enough rights to change custom title of the user")
	case hasEmoji(title):
		return nil, badRequest("ADMIN_RANK_EMOJI_NOT_ALLOWED")
	case len([]rune(title)) > maxCustomTitle:
		return nil, badRequest("ADMIN_RANK_INVALID")
	}
	m.title = title
	s.emit("title", c.id, uid, title)
	return true, nil
}

// hasEmoji reports whether s holds an emoji (a pictograph or a symbol
// drawn as one): Telegram refuses them in custom titles.
func hasEmoji(s string) bool {
	for _, r := range s {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r == 0xFE0F, r == 0x200D:
			return true
		case unicode.Is(unicode.So, r) && r > 0x2000:
			return true
		}
	}
	return false
}

// PromoteByCreator makes a member an administrator with the rights, as the
// chat's creator does by hand: the bot may not edit them afterwards.
func (s *Server) PromoteByCreator(chatID, userID int64, rights AdminRights) error {
	s.mu.Lock()
	defer s.unlock()
	c, err := s.group(chatID)
	if err != nil {
		return err
	}
	if !s.memberOf(c, userID).in() {
		return fmt.Errorf("%w: user %d in chat %d", ErrNotMember, userID, chatID)
	}
	creator := c.creator()
	s.setMember(c, userID, member{status: "administrator", rights: rights, promotedBy: creator}, creator, nil, false)
	return nil
}

// CustomTitle returns an administrator's custom title ("" when none, or
// not an administrator).
func (s *Server) CustomTitle(chatID, userID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return ""
	}
	if m := s.memberOf(c, userID); m.status == "administrator" {
		return m.title
	}
	return ""
}

// SendReply posts a user's text message in reply to a message of the chat,
// as SendText does; moderation commands are given this way.
func (s *Server) SendReply(fromUserID, chatID int64, replyTo int, text string) (int, error) {
	s.mu.Lock()
	c := s.chats[chatID]
	found := c != nil && c.byID[replyTo] != nil && !c.byID[replyTo].deleted
	s.mu.Unlock()
	if !found {
		return 0, fmt.Errorf("%w: %d in chat %d", ErrMessageNotFound, replyTo, chatID)
	}
	if utf16Len(text) > maxTextLength || text == "" {
		return 0, fmt.Errorf("telegramtest: a message holds 1 to %d UTF-16 code units", maxTextLength)
	}
	return s.userSend(fromUserID, chatID, func(m *message) {
		m.text, m.raw, m.entities, m.replyTo = text, text, commandEntities(text), replyTo
	})
}
