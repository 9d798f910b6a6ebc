package telegramtest

import (
	"encoding/json"
	"time"
)

// apiChat resolves chat_id to a chat the bot can access.
func (s *Server) apiChat(p params) (*chat, *apiError) {
	id, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	c := s.chats[id]
	if c == nil {
		return nil, errChatNotFound
	}
	if c.isGroup() {
		switch s.memberOf(c, s.bot.ID).status {
		case "left":
			return nil, forbidden("bot is not a member of the supergroup chat")
		case "kicked":
			return nil, forbidden("bot was kicked from the supergroup chat")
		}
	}
	return c, nil
}

// apiGroup resolves chat_id to a supergroup the bot is in.
func (s *Server) apiGroup(p params) (*chat, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	if !c.isGroup() {
		return nil, badRequest("method is available for supergroup and channel chats only")
	}
	return c, nil
}

// botRights returns the bot's administrator rights in a chat.
func (s *Server) botRights(c *chat) AdminRights {
	m := s.memberOf(c, s.bot.ID)
	if m.status == "administrator" {
		return m.rights
	}
	return AdminRights{}
}

// apiTarget resolves user_id to a known user.
func (s *Server) apiTarget(p params) (int64, *apiError) {
	uid, aerr := p.userID()
	if aerr != nil {
		return 0, aerr
	}
	if s.users[uid] == nil && uid != s.bot.ID {
		return 0, errUserNotFound
	}
	return uid, nil
}

// apiGroupMember resolves chat_id to a group and user_id to a known user:
// what every call on one member of a group starts with.
func (s *Server) apiGroupMember(p params) (*chat, int64, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, 0, aerr
	}
	uid, aerr := s.apiTarget(p)
	if aerr != nil {
		return nil, 0, aerr
	}
	return c, uid, nil
}

// untilDate converts an until_date parameter: bans and restrictions for less
// than 30 seconds or more than 366 days are forever (0).
func (s *Server) untilDate(p params) (int64, *apiError) {
	u, aerr := p.int64("until_date")
	if aerr != nil {
		return 0, aerr
	}
	now := s.now().Unix()
	if u-now < 30 || u-now > 366*24*3600 {
		return 0, nil
	}
	return u, nil
}

// parsePermissions decodes a ChatPermissions JSON object. Unless independent
// is set, dependent permissions imply the ones they need, as documented.
func parsePermissions(raw string, independent bool) (ChatPermissions, *apiError) {
	if raw == "" {
		return ChatPermissions{}, badRequest("permissions must be non-empty")
	}
	var m map[string]bool
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return ChatPermissions{}, badRequest("can't parse permissions JSON object")
	}
	p := ChatPermissions{
		CanSendMessages:      m["can_send_messages"],
		CanSendMediaMessages: m["can_send_media_messages"] || m["can_send_audios"] || m["can_send_documents"] || m["can_send_photos"] || m["can_send_videos"] || m["can_send_video_notes"] || m["can_send_voice_notes"],
		CanSendPolls:         m["can_send_polls"], CanSendOtherMessages: m["can_send_other_messages"],
		CanAddWebPagePreviews: m["can_add_web_page_previews"], CanChangeInfo: m["can_change_info"],
		CanInviteUsers: m["can_invite_users"], CanPinMessages: m["can_pin_messages"],
		CanManageTopics: m["can_manage_topics"],
	}
	if !independent {
		if p.CanAddWebPagePreviews || p.CanSendOtherMessages {
			p.CanSendMediaMessages = true
		}
		if p.CanSendMediaMessages || p.CanSendPolls {
			p.CanSendMessages = true
		}
	}
	return p, nil
}

func allGranted(p ChatPermissions) bool {
	p.CanManageTopics = true
	return p == AllPermissions()
}

func (s *Server) apiGetChat(p params) (any, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	out := s.wireChat(c)
	if !c.isGroup() {
		return out, nil
	}
	perms := c.perms
	out["permissions"] = perms
	if s.botRights(c).CanInviteUsers {
		for _, l := range c.links {
			if l.primary && !l.revoked {
				out["invite_link"] = l.link
			}
		}
	}
	for i := len(c.messages) - 1; i >= 0; i-- {
		if m := c.messages[i]; m.pinned && !m.deleted {
			out["pinned_message"] = s.wireMessage(c, m)
			break
		}
	}
	return out, nil
}

func (s *Server) apiGetChatMember(p params) (any, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	uid, aerr := s.apiTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	if !c.isGroup() {
		if uid != c.id && uid != s.bot.ID {
			return nil, errUserNotFound
		}
		return map[string]any{"user": s.user(uid), "status": "member"}, nil
	}
	return s.memberJSON(c, uid, s.memberOf(c, uid)), nil
}

func (s *Server) apiGetChatAdministrators(p params) (any, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	out := []map[string]any{}
	for _, id := range s.sortedAdmins(c) {
		out = append(out, s.memberJSON(c, id, s.memberOf(c, id)))
	}
	return out, nil
}

func (s *Server) apiGetChatMemberCount(p params) (any, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	if !c.isGroup() {
		return 2, nil
	}
	n := 0
	for _, id := range c.order {
		if s.memberOf(c, id).in() {
			n++
		}
	}
	return n, nil
}

func (s *Server) apiLeaveChat(p params) (any, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	s.setMember(c, s.bot.ID, member{status: "left"}, s.bot.ID, nil, false)
	s.addService(c, s.bot.ID, func(m *message) { m.leftMember = s.bot.ID })
	s.emit("bot_removed", c.id, s.bot.ID, "left")
	return true, nil
}

func (s *Server) apiBanChatMember(p params) (any, *apiError) {
	c, uid, aerr := s.apiGroupMember(p)
	if aerr != nil {
		return nil, aerr
	}
	if !s.botRights(c).CanRestrictMembers {
		return nil, badRequest("not enough rights to restrict/unrestrict chat member")
	}
	until, aerr := s.untilDate(p)
	if aerr != nil {
		return nil, aerr
	}
	m := s.memberOf(c, uid)
	switch {
	case uid == s.bot.ID:
		return nil, badRequest("can't remove self")
	case m.status == "creator" || m.status == "administrator":
		return nil, badRequest("user is an administrator of the chat")
	}
	wasIn := m.in()
	s.removeRequest(c, uid)
	s.setMember(c, uid, member{status: "kicked", until: until}, s.bot.ID, nil, false)
	if wasIn {
		s.addService(c, s.bot.ID, func(msg *message) { msg.leftMember = uid })
	}
	if p.bool("revoke_messages") {
		for _, msg := range c.messages {
			if msg.from == uid {
				msg.deleted = true
			}
		}
	}
	s.emit("ban", c.id, uid, s.user(uid).FirstName)
	return true, nil
}

func (s *Server) apiUnbanChatMember(p params) (any, *apiError) {
	c, uid, aerr := s.apiGroupMember(p)
	if aerr != nil {
		return nil, aerr
	}
	if !s.botRights(c).CanRestrictMembers {
		return nil, badRequest("not enough rights to restrict/unrestrict chat member")
	}
	m := s.memberOf(c, uid)
	switch {
	case m.status == "kicked":
		s.setMember(c, uid, member{status: "left"}, s.bot.ID, nil, false)
		s.emit("unban", c.id, uid, s.user(uid).FirstName)
	case p.bool("only_if_banned"):
		// Nothing to do: the user is not banned.
	case m.status == "creator" || m.status == "administrator":
		return nil, badRequest("user is an administrator of the chat")
	case m.status == "member" || m.status == "restricted":
		wasIn := m.in()
		s.setMember(c, uid, member{status: "left"}, s.bot.ID, nil, false)
		if wasIn {
			s.addService(c, s.bot.ID, func(msg *message) { msg.leftMember = uid })
		}
		s.emit("unban", c.id, uid, s.user(uid).FirstName)
	}
	return true, nil
}

func (s *Server) apiRestrictChatMember(p params) (any, *apiError) {
	c, uid, aerr := s.apiGroupMember(p)
	if aerr != nil {
		return nil, aerr
	}
	if !s.botRights(c).CanRestrictMembers {
		return nil, badRequest("not enough rights to restrict/unrestrict chat member")
	}
	perms, aerr := parsePermissions(p["permissions"], p.bool("use_independent_chat_permissions"))
	if aerr != nil {
		return nil, aerr
	}
	until, aerr := s.untilDate(p)
	if aerr != nil {
		return nil, aerr
	}
	m := s.memberOf(c, uid)
	switch {
	case uid == s.bot.ID:
		return nil, badRequest("can't restrict self")
	case m.status == "creator" || m.status == "administrator":
		return nil, badRequest("user is an administrator of the chat")
	}
	var nm member
	switch {
	case allGranted(perms) && m.status == "restricted" && m.isMember:
		nm = member{status: "member"}
	case allGranted(perms) && m.status == "restricted":
		nm = member{status: "left"}
	case allGranted(perms):
		return true, nil
	default:
		nm = member{status: "restricted", perms: perms, isMember: m.in(), until: until}
	}
	if m.status == "kicked" {
		return true, nil
	}
	s.setMember(c, uid, nm, s.bot.ID, nil, false)
	s.emit("restrict", c.id, uid, s.user(uid).FirstName)
	return true, nil
}

func (s *Server) apiSetChatPermissions(p params) (any, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	if !s.botRights(c).CanRestrictMembers {
		return nil, badRequest("not enough rights to change chat permissions")
	}
	perms, aerr := parsePermissions(p["permissions"], p.bool("use_independent_chat_permissions"))
	if aerr != nil {
		return nil, aerr
	}
	if perms == c.perms {
		return nil, badRequest("CHAT_NOT_MODIFIED")
	}
	c.perms = perms
	text := "unmuted"
	if !perms.CanSendMessages {
		text = "muted"
	}
	s.emit("permissions", c.id, s.bot.ID, text)
	return true, nil
}

// unixTime converts a stored unix time to time.Time (zero for 0).
func unixTime(u int64) time.Time {
	if u == 0 {
		return time.Time{}
	}
	return time.Unix(u, 0)
}
