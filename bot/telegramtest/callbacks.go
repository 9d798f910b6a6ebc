package telegramtest

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// callbackQuery is a callback query created by Click.
type callbackQuery struct {
	id       string
	userID   int64
	chatID   int64
	msgID    int
	data     string
	answered bool
	answer   CallbackAnswer
}

// Click makes a user press the inline button carrying data on a message. The
// message must exist in the chat (the user's private chat when chatID ==
// fromUserID, else a supergroup the user is in) and carry an inline button
// with that callback_data. A callback_query update is queued; the query id is
// returned.
func (s *Server) Click(fromUserID, chatID int64, messageID int, data string) (callbackQueryID string, err error) {
	s.mu.Lock()
	defer s.unlock()
	st := s.users[fromUserID]
	if st == nil {
		return "", fmt.Errorf("%w %d", ErrUnknownUser, fromUserID)
	}
	c := s.chats[chatID]
	switch {
	case c == nil || (!c.isGroup() && chatID != fromUserID):
		return "", fmt.Errorf("%w %d", ErrUnknownChat, chatID)
	case c.isGroup() && !s.memberOf(c, fromUserID).in():
		return "", fmt.Errorf("%w: user %d in chat %d", ErrNotMember, fromUserID, chatID)
	}
	m := c.byID[messageID]
	if m == nil || m.deleted {
		return "", fmt.Errorf("%w: message %d in chat %d", ErrMessageNotFound, messageID, chatID)
	}
	found := false
	for _, row := range m.markup {
		for _, b := range row {
			found = found || (b.CallbackData != "" && b.CallbackData == data)
		}
	}
	if !found {
		return "", fmt.Errorf("%w: %q on message %d in chat %d", ErrNoButton, data, messageID, chatID)
	}
	s.callbackSeq++
	id := strconv.FormatInt(4382000000000000000+s.callbackSeq, 10)
	s.callbacks[id] = &callbackQuery{id: id, userID: fromUserID, chatID: chatID, msgID: messageID, data: data}
	s.enqueue("callback_query", map[string]any{
		"id":            id,
		"from":          st.user,
		"message":       s.wireMessage(c, m),
		"chat_instance": strconv.FormatInt(-chatID*7919+17, 10),
		"data":          data,
	})
	s.emit("callback", chatID, fromUserID, data)
	return id, nil
}

func (s *Server) apiAnswerCallbackQuery(p params) (any, *apiError) {
	q := s.callbacks[p["callback_query_id"]]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(p["text"]) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered = true
	q.answer = CallbackAnswer{Text: p["text"], ShowAlert: p.bool("show_alert"), URL: p["url"]}
	s.emit("callback_answer", q.chatID, q.userID, q.answer.Text)
	return true, nil
}

// AnsweredCallback returns the text the bot answered to a callback query; ok
// is false if the query was not answered (yet).
func (s *Server) AnsweredCallback(id string) (text string, ok bool) {
	a, ok := s.CallbackAnswerOf(id)
	return a.Text, ok
}

// CallbackAnswerOf returns the full answer to a callback query; ok is false if
// the query was not answered (yet).
func (s *Server) CallbackAnswerOf(id string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.callbacks[id]
	if q == nil || !q.answered {
		return CallbackAnswer{}, false
	}
	return q.answer, true
}
