package telegramtest

import (
	"slices"
)

// Member returns the status of a user in a chat: creator, administrator,
// member, restricted, left or kicked. ok is false when the chat is unknown or
// the user has never been in it (status is then "left").
func (s *Server) Member(chatID, userID int64) (status string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || !c.isGroup() {
		return "left", false
	}
	_, known := c.members[userID]
	return s.memberOf(c, userID).status, known
}

// IsMember reports whether the user currently belongs to the supergroup
// (restricted members included).
func (s *Server) IsMember(chatID, userID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	return c != nil && c.isGroup() && s.memberOf(c, userID).in()
}

// Members returns the ids of the users (and the bot) currently in the
// supergroup, in order of first appearance.
func (s *Server) Members(chatID int64) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var ids []int64
	for _, id := range c.order {
		if s.memberOf(c, id).in() {
			ids = append(ids, id)
		}
	}
	return ids
}

// Permissions returns the default member permissions of the supergroup.
func (s *Server) Permissions(chatID int64) ChatPermissions {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return c.perms
	}
	return ChatPermissions{}
}

// MemberPermissions returns what the user may currently do in the supergroup
// (chat defaults combined with personal restrictions; everything for
// administrators). ok is false if the user is not in the chat.
func (s *Server) MemberPermissions(chatID, userID int64) (ChatPermissions, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || !c.isGroup() {
		return ChatPermissions{}, false
	}
	m := s.memberOf(c, userID)
	return s.effectivePerms(c, m), m.in()
}

// AdminRightsOf returns the administrator rights of a user (or the bot) in the
// supergroup; ok is false if it is not an administrator.
func (s *Server) AdminRightsOf(chatID, userID int64) (AdminRights, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return AdminRights{}, false
	}
	m := s.memberOf(c, userID)
	switch m.status {
	case "creator":
		return FullAdminRights(), true
	case "administrator":
		return m.rights, true
	}
	return AdminRights{}, false
}

// wireChat returns the Chat object of a chat as embedded in messages and
// updates.
func (s *Server) wireChat(c *chat) map[string]any {
	if !c.isGroup() {
		u := s.user(c.id)
		m := map[string]any{"id": c.id, "type": "private", "first_name": u.FirstName}
		if u.LastName != "" {
			m["last_name"] = u.LastName
		}
		if u.Username != "" {
			m["username"] = u.Username
		}
		return m
	}
	return map[string]any{"id": c.id, "type": "supergroup", "title": c.title}
}

// memberJSON returns the ChatMember object of a user.
func (s *Server) memberJSON(c *chat, userID int64, m *member) map[string]any {
	out := map[string]any{"user": s.user(userID), "status": m.status}
	switch m.status {
	case "creator":
		out["is_anonymous"] = false
	case "administrator":
		r := m.rights
		out["can_be_edited"] = m.promotedBy == s.bot.ID
		if m.title != "" {
			out["custom_title"] = m.title
		}
		out["is_anonymous"] = false
		out["can_manage_chat"] = r.CanManageChat
		out["can_delete_messages"] = r.CanDeleteMessages
		out["can_manage_video_chats"] = r.CanManageVideoChats
		out["can_manage_voice_chats"] = r.CanManageVideoChats
		out["can_restrict_members"] = r.CanRestrictMembers
		out["can_promote_members"] = r.CanPromoteMembers
		out["can_change_info"] = r.CanChangeInfo
		out["can_invite_users"] = r.CanInviteUsers
		out["can_pin_messages"] = r.CanPinMessages
	case "restricted":
		p := m.perms
		out["is_member"] = m.isMember
		out["until_date"] = m.until
		out["can_send_messages"] = p.CanSendMessages
		out["can_send_media_messages"] = p.CanSendMediaMessages
		out["can_send_polls"] = p.CanSendPolls
		out["can_send_other_messages"] = p.CanSendOtherMessages
		out["can_add_web_page_previews"] = p.CanAddWebPagePreviews
		out["can_change_info"] = p.CanChangeInfo
		out["can_invite_users"] = p.CanInviteUsers
		out["can_pin_messages"] = p.CanPinMessages
		out["can_manage_topics"] = p.CanManageTopics
	case "kicked":
		out["until_date"] = m.until
	}
	return out
}

// sortedAdmins returns the creator and administrators of a chat, creator
// first.
func (s *Server) sortedAdmins(c *chat) []int64 {
	var ids []int64
	for _, id := range c.order {
		if st := s.memberOf(c, id).status; st == "creator" || st == "administrator" {
			ids = append(ids, id)
		}
	}
	slices.SortStableFunc(ids, func(a, b int64) int {
		ca, cb := c.members[a].status == "creator", c.members[b].status == "creator"
		switch {
		case ca && !cb:
			return -1
		case cb && !ca:
			return 1
		}
		return 0
	})
	return ids
}
