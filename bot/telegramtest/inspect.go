package telegramtest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// SendText makes a user send a text message. A private message to the bot
// has chatID == fromUserID; it marks the user as having started the bot (and
// unblocks it). Texts starting with "/" get a bot_command entity. In a
// supergroup the user must be a member allowed to send messages. The message
// update is queued when the bot can see the message (privacy mode applies).
// It returns the new message id.
func (s *Server) SendText(fromUserID, chatID int64, text string) (int, error) {
	if strings.TrimSpace(text) == "" {
		return 0, fmt.Errorf("telegramtest: empty message text")
	}
	if utf16Len(text) > maxTextLength {
		return 0, fmt.Errorf("telegramtest: a message holds at most %d UTF-16 code units; Telegram's apps split longer texts", maxTextLength)
	}
	return s.userSend(fromUserID, chatID, func(m *message) {
		m.text, m.raw, m.entities = text, text, commandEntities(text)
	})
}

// userSend posts a message from a user into a chat after the checks
// Telegram makes, queues its update when the bot sees it, and returns its id.
func (s *Server) userSend(fromUserID, chatID int64, fill func(m *message)) (int, error) {
	s.mu.Lock()
	defer s.unlock()
	st := s.users[fromUserID]
	if st == nil {
		return 0, fmt.Errorf("%w %d", ErrUnknownUser, fromUserID)
	}
	var c *chat
	switch {
	case chatID == fromUserID:
		st.started = true
		s.setBlockedLocked(st, false)
		c = s.privateChat(fromUserID)
	case chatID > 0:
		return 0, fmt.Errorf("%w %d: users can only write to the bot or to groups", ErrUnknownChat, chatID)
	default:
		var err error
		if c, err = s.group(chatID); err != nil {
			return 0, err
		}
		m := s.memberOf(c, fromUserID)
		if !m.in() {
			return 0, fmt.Errorf("%w: user %d in chat %d", ErrNotMember, fromUserID, chatID)
		}
		if !s.effectivePerms(c, m).CanSendMessages {
			return 0, fmt.Errorf("%w: user %d in chat %d", ErrCannotSend, fromUserID, chatID)
		}
	}
	m := s.newMessage(c, fromUserID)
	fill(m)
	if s.botSees(c, m) {
		s.enqueue("message", s.wireMessage(c, m))
	}
	s.emit("user_message", c.id, fromUserID, m.text+m.caption)
	return m.id, nil
}

// botSees reports whether a user's message in a chat is delivered to the bot.
func (s *Server) botSees(c *chat, m *message) bool {
	if !c.isGroup() {
		return true
	}
	bm := s.memberOf(c, s.bot.ID)
	if !bm.in() {
		return false
	}
	if !s.privacy || bm.status == "administrator" || m.isService() {
		return true
	}
	if r := c.byID[m.replyTo]; r != nil && r.from == s.bot.ID {
		return true
	}
	for _, e := range m.entities {
		if e.Type == "bot_command" && e.Offset == 0 {
			cmd := string(utf16.Decode(utf16.Encode([]rune(m.text))[:e.Length]))
			_, at, found := strings.Cut(cmd, "@")
			return !found || strings.EqualFold(at, s.bot.Username)
		}
	}
	return false
}

// commandEntities finds bot commands ("/start", "/start@shequn_bot") at the
// start of the text or after white space.
func commandEntities(text string) []MessageEntity {
	var out []MessageEntity
	units := utf16.Encode([]rune(text))
	isWord := func(u uint16) bool {
		return u == '_' || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
	}
	for i := 0; i < len(units); i++ {
		if units[i] != '/' || (i > 0 && units[i-1] != ' ' && units[i-1] != '\n' && units[i-1] != '\t') {
			continue
		}
		j := i + 1
		for j < len(units) && isWord(units[j]) {
			j++
		}
		if j == i+1 {
			continue
		}
		if j < len(units) && units[j] == '@' {
			k := j + 1
			for k < len(units) && isWord(units[k]) {
				k++
			}
			if k > j+1 {
				j = k
			}
		}
		out = append(out, MessageEntity{Type: "bot_command", Offset: i, Length: j - i})
		i = j
	}
	return out
}

// Messages returns every message of a chat (the private chat with a user has
// the user's id), bot- and user-sent, service messages included, in order.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Message, 0, len(c.messages))
	for _, m := range c.messages {
		out = append(out, s.snapshot(m))
	}
	return out
}

// BotMessages returns the non-service messages the bot sent into a chat,
// deleted ones included (see Message.Deleted).
func (s *Server) BotMessages(chatID int64) []Message {
	var out []Message
	for _, m := range s.Messages(chatID) {
		if m.From.ID == s.bot.ID && m.LeftChatMember == nil && m.NewChatMembers == nil && m.PinnedMessageID == 0 {
			out = append(out, m)
		}
	}
	return out
}

// LastBotMessage returns the latest message the bot sent into a chat.
func (s *Server) LastBotMessage(chatID int64) (Message, bool) {
	ms := s.BotMessages(chatID)
	if len(ms) == 0 {
		return Message{}, false
	}
	return ms[len(ms)-1], true
}

func (s *Server) snapshot(m *message) Message {
	out := Message{
		ID: m.id, ChatID: m.chatID, From: s.user(m.from), Text: m.text, RawText: m.raw,
		ParseMode: m.parseMode, Entities: slices.Clone(m.entities), ReplyToMessageID: m.replyTo,
		Date: m.date, Pinned: m.pinned, Deleted: m.deleted, Edited: m.edited, EditDate: m.editDate,
		PinnedMessageID: m.pinnedMsg, Caption: m.caption, PhotoFileID: m.photo,
		DocumentFileID: m.document, DocumentName: m.fileName, MediaGroupID: m.mediaGroup,
	}
	for _, row := range m.markup {
		out.ReplyMarkup = append(out.ReplyMarkup, slices.Clone(row))
	}
	for _, id := range m.newMembers {
		out.NewChatMembers = append(out.NewChatMembers, s.user(id))
	}
	if m.leftMember != 0 {
		out.LeftChatMember = s.userPtr(m.leftMember)
	}
	return out
}
