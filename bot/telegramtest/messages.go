package telegramtest

import (
	"slices"
	"time"
)

// maxTextLength is the longest message text in UTF-16 code units.
const maxTextLength = 4096

// message is one stored message.
type message struct {
	id         int
	chatID     int64
	from       int64
	date       time.Time
	text       string
	raw        string
	parseMode  string
	entities   []MessageEntity
	markup     [][]Button
	replyTo    int
	pinned     bool
	deleted    bool
	edited     bool
	editDate   time.Time
	newMembers []int64
	leftMember int64
	pinnedMsg  int
	caption    string // with photo or document
	photo      string // file id of the largest size
	document   string // file id
	fileName   string
	mediaGroup string // media_group_id of an album's items
}

func (m *message) isService() bool {
	return len(m.newMembers) > 0 || m.leftMember != 0 || m.pinnedMsg != 0
}

// newMessage stores a new message in a chat.
func (s *Server) newMessage(c *chat, from int64) *message {
	c.nextMsg++
	m := &message{id: c.nextMsg, chatID: c.id, from: from, date: s.now()}
	c.messages = append(c.messages, m)
	c.byID[m.id] = m
	return m
}

// addService posts a service message and delivers it to the bot when the bot
// is in the chat and did not cause it.
func (s *Server) addService(c *chat, from int64, fill func(*message)) {
	m := s.newMessage(c, from)
	fill(m)
	if from != s.bot.ID && s.memberOf(c, s.bot.ID).in() {
		s.enqueue("message", s.wireMessage(c, m))
	}
}

// wireMessage returns the Message object of a stored message.
func (s *Server) wireMessage(c *chat, m *message) map[string]any {
	out := map[string]any{
		"message_id": m.id,
		"from":       s.user(m.from),
		"date":       m.date.Unix(),
		"chat":       s.wireChat(c),
	}
	if m.text != "" {
		out["text"] = m.text
	}
	s.wireMedia(m, out)
	if len(m.entities) > 0 {
		out["entities"] = m.entities
	}
	if m.edited {
		out["edit_date"] = m.editDate.Unix()
	}
	if m.markup != nil {
		out["reply_markup"] = wireMarkup(m.markup)
	}
	if m.replyTo != 0 {
		if r := c.byID[m.replyTo]; r != nil && !r.deleted {
			rm := s.wireMessage(c, r)
			delete(rm, "reply_to_message")
			out["reply_to_message"] = rm
		}
	}
	if len(m.newMembers) > 0 {
		users := []User{}
		for _, id := range m.newMembers {
			users = append(users, s.user(id))
		}
		out["new_chat_members"] = users
	}
	if m.leftMember != 0 {
		out["left_chat_member"] = s.user(m.leftMember)
	}
	if m.pinnedMsg != 0 {
		if r := c.byID[m.pinnedMsg]; r != nil {
			rm := s.wireMessage(c, r)
			delete(rm, "reply_to_message")
			out["pinned_message"] = rm
		}
	}
	return out
}

// privateTarget checks that the bot may write to the private chat with a user.
func (s *Server) privateTarget(userID int64) (*chat, *apiError) {
	if userID == s.bot.ID {
		return nil, forbidden("bot can't send messages to bots")
	}
	st := s.users[userID]
	if st == nil {
		return nil, errChatNotFound
	}
	if st.user.IsBot {
		return nil, forbidden("bot can't send messages to bots")
	}
	if st.blocked {
		return nil, forbidden("bot was blocked by the user")
	}
	if !st.started && !s.hasFreshJoinRequest(userID) {
		return nil, forbidden("bot can't initiate conversation with a user")
	}
	return s.privateChat(userID), nil
}

// sendTarget resolves chat_id for a method that posts into the chat.
func (s *Server) sendTarget(p params) (*chat, *apiError) {
	id, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	if id > 0 {
		return s.privateTarget(id)
	}
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	m := s.memberOf(c, s.bot.ID)
	if !s.effectivePerms(c, m).CanSendMessages {
		return nil, badRequest("not enough rights to send text messages to the chat")
	}
	return c, nil
}

func (s *Server) apiSendMessage(p params) (any, *apiError) {
	text, ents, aerr := formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	c, aerr := s.sendTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	replyTo, aerr := p.int("reply_to_message_id")
	if aerr != nil {
		return nil, aerr
	}
	allowNoReply := p.bool("allow_sending_without_reply")
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if ok, _ := p.json("reply_parameters", &rp); ok {
		replyTo, allowNoReply = rp.MessageID, rp.AllowSendingWithoutReply
	}
	if replyTo != 0 {
		if r := c.byID[replyTo]; r == nil || r.deleted {
			if !allowNoReply {
				return nil, badRequest("message to be replied not found")
			}
			replyTo = 0
		}
	}
	if aerr := s.checkRate(c.id); aerr != nil {
		return nil, aerr
	}
	m := s.newMessage(c, s.bot.ID)
	m.text, m.raw, m.parseMode, m.entities, m.markup, m.replyTo = text, p["text"], p["parse_mode"], s.fillMentions(ents), markup, replyTo
	s.emit("bot_message", c.id, s.bot.ID, text)
	return s.wireMessage(c, m), nil
}

func (s *Server) apiSendChatAction(p params) (any, *apiError) {
	if _, aerr := s.sendTarget(p); aerr != nil {
		return nil, aerr
	}
	return true, nil
}

// editTarget resolves chat_id and message_id of a message the bot may edit.
func (s *Server) editTarget(p params) (*chat, *message, *apiError) {
	if p.has("inline_message_id") {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	id, aerr := p.chatID()
	if aerr != nil {
		return nil, nil, aerr
	}
	var c *chat
	if id > 0 {
		if st := s.users[id]; st != nil && st.blocked {
			return nil, nil, forbidden("bot was blocked by the user")
		}
		if c = s.chats[id]; c == nil {
			return nil, nil, errChatNotFound
		}
	} else if c, aerr = s.apiChat(p); aerr != nil {
		return nil, nil, aerr
	}
	mid, aerr := p.messageID()
	if aerr != nil {
		return nil, nil, aerr
	}
	m := c.byID[mid]
	if m == nil || m.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if m.from != s.bot.ID || m.isService() {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

const errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) apiEditMessageText(p params) (any, *apiError) {
	text, ents, aerr := formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil && aerr.desc == "Bad Request: message is too long" {
		// An edit reports the length in tdlib's words.
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	c, m, aerr := s.editTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	if text == m.text && entitiesEqual(ents, m.entities) && markupEqual(markup, m.markup) {
		return nil, badRequest(errNotModified)
	}
	m.text, m.raw, m.parseMode, m.entities, m.markup = text, p["text"], p["parse_mode"], s.fillMentions(ents), markup
	m.edited, m.editDate = true, s.now()
	s.emit("bot_edit", c.id, s.bot.ID, text)
	return s.wireMessage(c, m), nil
}

func (s *Server) apiEditMessageReplyMarkup(p params) (any, *apiError) {
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	c, m, aerr := s.editTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	if markupEqual(markup, m.markup) {
		return nil, badRequest(errNotModified)
	}
	m.markup = markup
	m.edited, m.editDate = true, s.now()
	s.emit("bot_edit", c.id, s.bot.ID, m.text)
	return s.wireMessage(c, m), nil
}

func markupEqual(a, b [][]Button) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

func (s *Server) apiDeleteMessage(p params) (any, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	mid, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	m := c.byID[mid]
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	fresh := s.now().Sub(m.date) < 48*time.Hour
	allowed := fresh
	if c.isGroup() {
		allowed = (m.from == s.bot.ID && fresh) || s.botRights(c).CanDeleteMessages
	}
	if !allowed {
		return nil, badRequest("message can't be deleted")
	}
	m.deleted = true
	s.emit("bot_delete", c.id, s.bot.ID, m.text)
	return true, nil
}

// pinTarget resolves the chat of a pin method and checks the bot's rights.
func (s *Server) pinTarget(p params) (*chat, *apiError) {
	c, aerr := s.apiChat(p)
	if aerr != nil {
		return nil, aerr
	}
	if c.isGroup() && !s.botRights(c).CanPinMessages {
		return nil, badRequest("not enough rights to manage pinned messages in the chat")
	}
	return c, nil
}

func (s *Server) apiPinChatMessage(p params) (any, *apiError) {
	c, aerr := s.pinTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	mid, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	m := c.byID[mid]
	if m == nil || m.deleted || m.isService() {
		return nil, badRequest("message to pin not found")
	}
	m.pinned = true
	s.addService(c, s.bot.ID, func(sm *message) { sm.pinnedMsg = mid })
	s.emit("bot_pin", c.id, s.bot.ID, m.text)
	return true, nil
}

func (s *Server) apiUnpinChatMessage(p params) (any, *apiError) {
	c, aerr := s.pinTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	mid, aerr := p.int("message_id")
	if aerr != nil {
		return nil, aerr
	}
	if mid == 0 {
		for i := len(c.messages) - 1; i >= 0; i-- {
			if c.messages[i].pinned {
				c.messages[i].pinned = false
				break
			}
		}
		return true, nil
	}
	m := c.byID[mid]
	if m == nil || m.deleted {
		return nil, badRequest("message to unpin not found")
	}
	m.pinned = false
	return true, nil
}

func (s *Server) apiUnpinAllChatMessages(p params) (any, *apiError) {
	c, aerr := s.pinTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	for _, m := range c.messages {
		m.pinned = false
	}
	return true, nil
}

// fillMentions completes the users of text_mention entities.
func (s *Server) fillMentions(ents []MessageEntity) []MessageEntity {
	for i, e := range ents {
		if e.User != nil {
			ents[i].User = s.userPtr(e.User.ID)
		}
	}
	return ents
}

// entitiesEqual compares entity lists, users by id.
func entitiesEqual(a, b []MessageEntity) bool {
	return slices.EqualFunc(a, b, func(x, y MessageEntity) bool {
		xu, yu := x.User, y.User
		x.User, y.User = nil, nil
		return x == y && (xu == nil) == (yu == nil) && (xu == nil || xu.ID == yu.ID)
	})
}
