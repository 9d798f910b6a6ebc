package telegramtest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Copying messages (copyMessage, Bot API 4.9; copyMessages, 7.0) and
// albums sent by users. A copy has the original's text or media and
// caption but no link to it; copyMessages keeps an album together. Each
// copied message counts against the flood limits.

// maxCopyMessages is the most message ids copyMessages takes.
const maxCopyMessages = 100

var errCopyNotFound = badRequest("message to copy not found")

// SendAlbum makes a user send photos as one album (a media group); it
// returns their message ids. The bot sees each as its own update with the
// same media_group_id, as Telegram delivers albums.
func (s *Server) SendAlbum(fromUserID, chatID int64, captions ...string) ([]int, error) {
	if len(captions) < 2 || len(captions) > 10 {
		return nil, fmt.Errorf("telegramtest: an album holds 2 to 10 items")
	}
	s.mu.Lock()
	s.albumSeq++
	group := strconv.FormatInt(s.albumSeq, 10) + "0000000"
	s.mu.Unlock()
	ids := make([]int, 0, len(captions))
	for _, c := range captions {
		if err := userCaption(c); err != nil {
			return ids, err
		}
		id, err := s.userSend(fromUserID, chatID, func(m *message) {
			m.photo, m.caption, m.mediaGroup = s.newFileID("photo"), c, group
		})
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// copySource finds the message to copy: in a chat the bot can read, not
// deleted, not a service message.
func (s *Server) copySource(p params, id int) (*message, *apiError) {
	from, aerr := p.int64("from_chat_id")
	if aerr != nil {
		return nil, aerr
	}
	c := s.chats[from]
	if c == nil {
		return nil, errChatNotFound
	}
	if c.isGroup() && !s.memberOf(c, s.bot.ID).in() {
		return nil, errChatNotFound
	}
	m := c.byID[id]
	if m == nil || m.deleted || m.isService() {
		return nil, errCopyNotFound
	}
	return m, nil
}

// copyInto stores a copy of m in c, sent by the bot.
func (s *Server) copyInto(c *chat, m *message, group string) *message {
	cp := s.newMessage(c, s.bot.ID)
	cp.text, cp.raw, cp.parseMode, cp.entities = m.text, m.raw, m.parseMode, m.entities
	cp.photo, cp.document, cp.fileName, cp.caption, cp.mediaGroup = m.photo, m.document, m.fileName, m.caption, group
	s.emit("bot_message", c.id, s.bot.ID, m.text+m.caption)
	return cp
}

func (s *Server) apiCopyMessage(p params) (any, *apiError) {
	id, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	src, aerr := s.copySource(p, id)
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
	if aerr := s.checkRateN(c.id, 1); aerr != nil {
		return nil, aerr
	}
	cp := s.copyInto(c, src, "")
	cp.markup = markup
	if p.has("caption") && (src.photo != "" || src.document != "") {
		caption, ents, aerr := formatCaption(p["caption"], p["parse_mode"], p["caption_entities"])
		if aerr != nil {
			return nil, aerr
		}
		cp.caption, cp.entities = caption, ents
	}
	return map[string]any{"message_id": cp.id}, nil
}

// apiCopyMessages copies up to 100 messages of one chat, given in
// increasing order; an album stays an album. Messages that cannot be found
// are skipped; when none can, the call fails.
func (s *Server) apiCopyMessages(p params) (any, *apiError) {
	var ids []int
	if ok, err := p.json("message_ids", &ids); !ok || err != nil {
		return nil, badRequest("message identifiers are not specified")
	}
	if len(ids) > maxCopyMessages {
		return nil, badRequest("too many messages to copy")
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return nil, badRequest("message identifiers must be in strictly increasing order")
		}
	}
	var srcs []*message
	for _, id := range ids {
		if m, aerr := s.copySource(p, id); aerr == nil {
			srcs = append(srcs, m)
		} else if aerr != errCopyNotFound {
			return nil, aerr
		}
	}
	if len(srcs) == 0 {
		return nil, errCopyNotFound
	}
	c, aerr := s.sendTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkRateN(c.id, len(srcs)); aerr != nil {
		return nil, aerr
	}
	groups := map[string]string{}
	out := make([]map[string]any, 0, len(srcs))
	for _, m := range srcs {
		g := ""
		if m.mediaGroup != "" {
			if groups[m.mediaGroup] == "" {
				s.albumSeq++
				groups[m.mediaGroup] = strconv.FormatInt(s.albumSeq, 10) + "0000000"
			}
			g = groups[m.mediaGroup]
		}
		out = append(out, map[string]any{"message_id": s.copyInto(c, m, g).id})
	}
	return out, nil
}

// checkRateN enforces the flood limits for n messages into chatID at once
// (all or none) and records them. The caller holds s.mu.
func (s *Server) checkRateN(chatID int64, n int) *apiError {
	if !s.rateLimited {
		return nil
	}
	now := s.now()
	l := &s.limiter
	rule := l.group
	if chatID > 0 {
		rule = l.private
	}
	chat := prune(l.perChat[chatID], now, rule.window)
	l.all = prune(l.all, now, l.global.window)
	wait := max(rule.waitN(chat, now, n), l.global.waitN(l.all, now, n))
	if wait > 0 {
		l.perChat[chatID] = chat
		l.refused++
		secs := int((wait + time.Second - 1) / time.Second)
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	for range n {
		l.perChat[chatID] = append(l.perChat[chatID], now)
		l.all = append(l.all, now)
	}
	return nil
}

// waitN returns how long until n more messages fit the rule; a batch
// larger than the rule allows waits a whole window.
func (r rateRule) waitN(times []time.Time, now time.Time, n int) time.Duration {
	if len(times)+n <= r.max {
		return 0
	}
	k := len(times) + n - r.max // how many of the oldest must leave the window
	if k > len(times) {
		return r.window
	}
	return times[k-1].Add(r.window).Sub(now)
}
