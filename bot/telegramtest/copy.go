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

// waitN returns how long until n more messages fit the rule. A batch
// larger than the rule allows (an album into a private chat) goes into an
// empty window.
func (r rateRule) waitN(times []time.Time, now time.Time, n int) time.Duration {
	if len(times)+n <= r.max {
		return 0
	}
	k := len(times) + n - r.max // how many of the oldest must leave the window
	if k > len(times) {
		k = len(times)
	}
	if k == 0 {
		return 0
	}
	return times[k-1].Add(r.window).Sub(now)
}

// inputMedia is one item of sendMediaGroup's media array.
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// apiSendMediaGroup sends 2 to 10 photos or documents, by file id, as one
// album; each counts against the flood limits.
func (s *Server) apiSendMediaGroup(p params) (any, *apiError) {
	if !p.has("media") {
		return nil, badRequest("parameter \"media\" is required")
	}
	var items []inputMedia
	if ok, err := p.json("media", &items); !ok || err != nil {
		return nil, badRequest("can't parse media JSON object")
	}
	switch {
	case len(items) > 10:
		return nil, badRequest("too much messages to send as an album")
	case len(items) < 2:
		return nil, badRequest("media must include 2-10 items")
	}
	type prepared struct {
		kind, fileID, caption, parseMode string
		entities                         []MessageEntity
	}
	var ready []prepared
	for _, it := range items {
		have, ok := s.files[it.Media]
		switch {
		case it.Type != "photo" && it.Type != "document":
			return nil, badRequest("can't parse InputMedia: unsupported media type %q", it.Type)
		case !ok:
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		case have != it.Type:
			return nil, badRequest("can't use file of type %s as %s", capitalize(have), capitalize(it.Type))
		}
		caption, ents, aerr := formatCaption(it.Caption, it.ParseMode, "")
		if aerr != nil {
			return nil, aerr
		}
		ready = append(ready, prepared{it.Type, it.Media, caption, it.ParseMode, ents})
	}
	c, aerr := s.sendTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkRateN(c.id, len(ready)); aerr != nil {
		return nil, aerr
	}
	s.albumSeq++
	group := strconv.FormatInt(s.albumSeq, 10) + "0000000"
	out := make([]map[string]any, 0, len(ready))
	for _, r := range ready {
		m := s.newMessage(c, s.bot.ID)
		m.caption, m.parseMode, m.entities, m.mediaGroup = r.caption, r.parseMode, r.entities, group
		if r.kind == "photo" {
			m.photo = r.fileID
		} else {
			m.document, m.fileName = r.fileID, s.uploads[r.fileID].Name
		}
		s.emit("bot_message", c.id, s.bot.ID, "["+r.kind+"] "+r.caption)
		out = append(out, s.wireMessage(c, m))
	}
	return out, nil
}
