package telegramtest

import (
	"fmt"
	"strings"
)

// ReplyText makes a user send a text message that replies to another
// message of the chat, as Telegram's "Reply" does: the update carries the
// replied message as reply_to_message. The replied message must exist in
// the chat; Telegram drops a reply to a deleted message to a plain one,
// and so does this.
func (s *Server) ReplyText(fromUserID, chatID int64, replyTo int, text string) (int, error) {
	if strings.TrimSpace(text) == "" {
		return 0, fmt.Errorf("telegramtest: empty message text")
	}
	if utf16Len(text) > maxTextLength {
		return 0, fmt.Errorf("telegramtest: a message holds at most %d UTF-16 code units", maxTextLength)
	}
	s.mu.Lock()
	c := s.chats[chatID]
	if chatID == fromUserID {
		c = s.privateChat(fromUserID)
	}
	known := c != nil && c.byID[replyTo] != nil
	s.mu.Unlock()
	if !known {
		return 0, fmt.Errorf("telegramtest: no message %d in chat %d to reply to", replyTo, chatID)
	}
	return s.userSend(fromUserID, chatID, func(m *message) {
		m.text, m.raw, m.entities, m.replyTo = text, text, commandEntities(text), replyTo
	})
}
