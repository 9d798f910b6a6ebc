package telegramtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// inviteLink is an invite link of a supergroup.
type inviteLink struct {
	link        string
	hash        string
	chatID      int64
	name        string
	creator     int64
	joinRequest bool
	primary     bool
	revoked     bool
	expire      int64 // unix time, 0 = never
	limit       int   // 0 = unlimited
	joined      int
}

// joinRequest is a pending request to join a supergroup.
type joinRequest struct {
	userID int64
	link   *inviteLink
	date   time.Time
}

// joinRequestWindow is how long after a join request the bot may message the
// requesting user without the user having started the bot.
const joinRequestWindow = 5 * time.Minute

func (s *Server) newLink(c *chat, creator int64) *inviteLink {
	var hash string
	for hash == "" || s.links[hash] != nil {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		hash = base64.RawURLEncoding.EncodeToString(b)
	}
	l := &inviteLink{link: "https://t.me/+" + hash, hash: hash, chatID: c.id, creator: creator}
	s.links[hash] = l
	c.links = append(c.links, l)
	return l
}

// linkHash extracts the hash from an invite link in any of its spellings.
func linkHash(link string) string {
	l := strings.TrimSpace(link)
	l = strings.TrimPrefix(strings.TrimPrefix(l, "https://"), "http://")
	for _, host := range []string{"t.me/", "telegram.me/", "telegram.dog/"} {
		l = strings.TrimPrefix(l, host)
	}
	l = strings.TrimPrefix(strings.TrimPrefix(l, "+"), "joinchat/")
	return l
}

func (s *Server) pendingCount(c *chat, l *inviteLink) int {
	n := 0
	for _, r := range c.requests {
		if r.link == l {
			n++
		}
	}
	return n
}

// wireLink returns the ChatInviteLink object of a link.
func (s *Server) wireLink(l *inviteLink) map[string]any {
	out := map[string]any{
		"invite_link":          l.link,
		"creator":              s.user(l.creator),
		"creates_join_request": l.joinRequest,
		"is_primary":           l.primary,
		"is_revoked":           l.revoked,
	}
	if l.name != "" {
		out["name"] = l.name
	}
	if l.expire != 0 {
		out["expire_date"] = l.expire
	}
	if l.limit != 0 {
		out["member_limit"] = l.limit
	}
	if c := s.chats[l.chatID]; c != nil && l.joinRequest {
		out["pending_join_request_count"] = s.pendingCount(c, l)
	}
	return out
}

// inviteGroup resolves the chat of an invite-link method and checks the
// bot's can_invite_users right.
func (s *Server) inviteGroup(p params) (*chat, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	if !s.botRights(c).CanInviteUsers {
		return nil, badRequest("not enough rights to manage chat invite link")
	}
	return c, nil
}

// linkSettings validates and applies name, expire_date, member_limit and
// creates_join_request to a link.
func (s *Server) linkSettings(p params, l *inviteLink) *apiError {
	expire, aerr := p.int64("expire_date")
	if aerr != nil {
		return aerr
	}
	limit, aerr := p.int("member_limit")
	if aerr != nil {
		return aerr
	}
	joinReq := p.bool("creates_join_request")
	switch {
	case utf8.RuneCountInString(p["name"]) > 32:
		return badRequest("invite link name is too long")
	case expire != 0 && expire <= s.now().Unix():
		return badRequest("EXPIRE_DATE_INVALID")
	case limit < 0 || limit > 99999:
		return badRequest("USAGE_LIMIT_INVALID")
	case limit != 0 && joinReq:
		return badRequest("member limit can't be specified for links requiring administrator approval")
	}
	l.name, l.expire, l.limit, l.joinRequest = p["name"], expire, limit, joinReq
	return nil
}

func (s *Server) apiCreateChatInviteLink(p params) (any, *apiError) {
	c, aerr := s.inviteGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	var tmp inviteLink
	if aerr := s.linkSettings(p, &tmp); aerr != nil {
		return nil, aerr
	}
	l := s.newLink(c, s.bot.ID)
	l.name, l.expire, l.limit, l.joinRequest = tmp.name, tmp.expire, tmp.limit, tmp.joinRequest
	s.emit("invite_link", c.id, s.bot.ID, l.link)
	return s.wireLink(l), nil
}

// botLink finds a non-revoked, non-primary link of the chat created by the
// bot.
func (s *Server) botLink(c *chat, link string) (*inviteLink, *apiError) {
	l := s.links[linkHash(link)]
	if l == nil || l.chatID != c.id || l.creator != s.bot.ID {
		return nil, badRequest("INVITE_HASH_EXPIRED")
	}
	return l, nil
}

func (s *Server) apiEditChatInviteLink(p params) (any, *apiError) {
	c, aerr := s.inviteGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	l, aerr := s.botLink(c, p["invite_link"])
	if aerr != nil {
		return nil, aerr
	}
	if l.revoked {
		return nil, badRequest("INVITE_HASH_EXPIRED")
	}
	if l.primary {
		return nil, badRequest("can't edit primary invite link")
	}
	if aerr := s.linkSettings(p, l); aerr != nil {
		return nil, aerr
	}
	return s.wireLink(l), nil
}

func (s *Server) apiRevokeChatInviteLink(p params) (any, *apiError) {
	c, aerr := s.inviteGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	l, aerr := s.botLink(c, p["invite_link"])
	if aerr != nil {
		return nil, aerr
	}
	if !l.revoked {
		l.revoked = true
		if l.primary {
			l.primary = false
			nl := s.newLink(c, s.bot.ID)
			nl.primary = true
		}
	}
	return s.wireLink(l), nil
}

func (s *Server) apiExportChatInviteLink(p params) (any, *apiError) {
	c, aerr := s.inviteGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	for _, l := range c.links {
		if l.primary && l.creator == s.bot.ID {
			l.primary, l.revoked = false, true
		}
	}
	l := s.newLink(c, s.bot.ID)
	l.primary = true
	return l.link, nil
}

// joinRequestGroup resolves the chat and user of approve/decline.
func (s *Server) joinRequestGroup(p params) (*chat, *joinRequest, *apiError) {
	c, aerr := s.apiGroup(p)
	if aerr != nil {
		return nil, nil, aerr
	}
	uid, aerr := s.apiTarget(p)
	if aerr != nil {
		return nil, nil, aerr
	}
	if !s.botRights(c).CanInviteUsers {
		return nil, nil, badRequest("CHAT_ADMIN_REQUIRED")
	}
	for _, r := range c.requests {
		if r.userID == uid {
			return c, r, nil
		}
	}
	return nil, nil, badRequest("HIDE_REQUESTER_MISSING")
}

func (s *Server) apiApproveChatJoinRequest(p params) (any, *apiError) {
	c, r, aerr := s.joinRequestGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	if s.memberOf(c, r.userID).in() {
		s.removeRequest(c, r.userID)
		return nil, badRequest("USER_ALREADY_PARTICIPANT")
	}
	s.emit("approve", c.id, r.userID, s.user(r.userID).FirstName)
	s.join(c, r.userID, s.bot.ID, r.link, true)
	return true, nil
}

func (s *Server) apiDeclineChatJoinRequest(p params) (any, *apiError) {
	c, r, aerr := s.joinRequestGroup(p)
	if aerr != nil {
		return nil, aerr
	}
	s.removeRequest(c, r.userID)
	s.emit("decline", c.id, r.userID, s.user(r.userID).FirstName)
	return true, nil
}

func (s *Server) removeRequest(c *chat, userID int64) {
	out := c.requests[:0]
	for _, r := range c.requests {
		if r.userID != userID {
			out = append(out, r)
		}
	}
	c.requests = out
}

// hasFreshJoinRequest reports whether the user sent a join request that is
// still pending and younger than five minutes, which lets the bot message
// them.
func (s *Server) hasFreshJoinRequest(userID int64) bool {
	for _, c := range s.chats {
		for _, r := range c.requests {
			if r.userID == userID && s.now().Sub(r.date) < joinRequestWindow {
				return true
			}
		}
	}
	return false
}

// RequestJoin makes a user follow an invite link. Unknown, revoked or expired
// links and banned users fail. A link with creates_join_request creates a
// pending join request and queues a chat_join_request update (when the bot is
// an administrator with can_invite_users); any other link joins the user at
// once (counting toward member_limit), queueing a chat_member update and a
// new_chat_members service message.
func (s *Server) RequestJoin(userID int64, inviteLink string) error {
	s.mu.Lock()
	defer s.unlock()
	st := s.users[userID]
	if st == nil {
		return fmt.Errorf("%w %d", ErrUnknownUser, userID)
	}
	l := s.links[linkHash(inviteLink)]
	if l == nil || l.revoked {
		return fmt.Errorf("%w: %s", ErrInvalidLink, inviteLink)
	}
	if l.expire != 0 && l.expire <= s.now().Unix() {
		return fmt.Errorf("%w: %s", ErrLinkExpired, inviteLink)
	}
	c := s.chats[l.chatID]
	m := s.memberOf(c, userID)
	switch {
	case m.status == "kicked":
		return fmt.Errorf("%w: user %d in chat %d", ErrBanned, userID, c.id)
	case m.in():
		return fmt.Errorf("%w: user %d in chat %d", ErrAlreadyMember, userID, c.id)
	}
	if !l.joinRequest {
		if l.limit != 0 && l.joined >= l.limit {
			return fmt.Errorf("%w: %s", ErrLinkLimit, inviteLink)
		}
		l.joined++
		s.join(c, userID, userID, l, false)
		return nil
	}
	for _, r := range c.requests {
		if r.userID == userID {
			return fmt.Errorf("%w: user %d in chat %d", ErrRequestPending, userID, c.id)
		}
	}
	r := &joinRequest{userID: userID, link: l, date: s.now()}
	c.requests = append(c.requests, r)
	if s.botRights(c).CanInviteUsers {
		s.enqueue("chat_join_request", map[string]any{
			"chat":         s.wireChat(c),
			"from":         st.user,
			"user_chat_id": userID,
			"date":         r.date.Unix(),
			"invite_link":  s.wireLink(l),
		})
	}
	s.emit("join_request", c.id, userID, st.user.FirstName)
	return nil
}

// InviteLinks returns the invite links of a supergroup in creation order.
func (s *Server) InviteLinks(chatID int64) []InviteLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []InviteLink
	for _, l := range c.links {
		out = append(out, InviteLink{
			Link: l.link, ChatID: l.chatID, Name: l.name, Creator: s.user(l.creator),
			CreatesJoinRequest: l.joinRequest, IsPrimary: l.primary, IsRevoked: l.revoked,
			ExpireDate: unixTime(l.expire), MemberLimit: l.limit, JoinedCount: l.joined,
			PendingJoinRequestCount: s.pendingCount(c, l),
		})
	}
	return out
}

// PendingJoinRequests returns the ids of users with a pending join request to
// the supergroup, oldest first.
func (s *Server) PendingJoinRequests(chatID int64) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []int64
	for _, r := range c.requests {
		out = append(out, r.userID)
	}
	return out
}

// RevokeInviteLink revokes an invite link as an administrator does in the
// app: joining by it fails from then on, and the bot is not told.
// Revoking the primary link makes a new primary one, as Telegram does.
func (s *Server) RevokeInviteLink(link string) error {
	s.mu.Lock()
	defer s.unlock()
	l := s.links[linkHash(link)]
	if l == nil {
		return fmt.Errorf("%w: %s", ErrInvalidLink, link)
	}
	if l.revoked {
		return nil
	}
	l.revoked = true
	if l.primary {
		l.primary = false
		c := s.chats[l.chatID]
		nl := s.newLink(c, c.creator())
		nl.primary = true
	}
	return nil
}
