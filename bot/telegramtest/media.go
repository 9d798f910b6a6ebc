package telegramtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// maxCaptionLength is the longest caption Telegram takes.
const maxCaptionLength = 1024

// newFileID makes a file id the way Telegram hands them out: opaque, and
// valid for this bot only.
func (s *Server) newFileID(kind string) string {
	b := make([]byte, 24)
	rand.Read(b)
	id := "Ag" + base64.RawURLEncoding.EncodeToString(b)
	s.files[id] = kind
	return id
}

// SendPhoto makes a user send a photo with an optional caption. It returns
// the message id and the photo's file id (that of the largest size).
func (s *Server) SendPhoto(fromUserID, chatID int64, caption string) (int, string, error) {
	if err := userCaption(caption); err != nil {
		return 0, "", err
	}
	var fileID string
	id, err := s.userSend(fromUserID, chatID, func(m *message) {
		fileID = s.newFileID("photo")
		m.photo, m.caption = fileID, caption
	})
	return id, fileID, err
}

// SendDocument makes a user send a document with an optional caption. It
// returns the message id and the document's file id.
func (s *Server) SendDocument(fromUserID, chatID int64, fileName, caption string) (int, string, error) {
	if err := userCaption(caption); err != nil {
		return 0, "", err
	}
	var fileID string
	id, err := s.userSend(fromUserID, chatID, func(m *message) {
		fileID = s.newFileID("document")
		m.document, m.fileName, m.caption = fileID, fileName, caption
	})
	return id, fileID, err
}

// userCaption refuses a caption no Telegram app lets a user send.
func userCaption(caption string) error {
	if utf16Len(caption) > maxCaptionLength {
		return fmt.Errorf("telegramtest: a caption holds at most %d UTF-16 code units", maxCaptionLength)
	}
	return nil
}

// wireMedia adds the photo or document of m to its Message object.
func (s *Server) wireMedia(m *message, out map[string]any) {
	if m.photo != "" {
		// Telegram sends every size; the last is the largest.
		out["photo"] = []map[string]any{
			{"file_id": m.photo + "_s", "file_unique_id": "s" + m.photo[:8], "width": 90, "height": 90},
			{"file_id": m.photo, "file_unique_id": m.photo[:8], "width": 1280, "height": 960},
		}
	}
	if m.document != "" {
		out["document"] = map[string]any{"file_id": m.document, "file_unique_id": m.document[:8], "file_name": m.fileName}
	}
	if m.caption != "" {
		out["caption"] = m.caption
	}
	if m.mediaGroup != "" {
		out["media_group_id"] = m.mediaGroup
	}
}

func (s *Server) apiSendPhoto(p params) (any, *apiError) { return s.sendMedia(p, "photo") }

func (s *Server) apiSendDocument(p params) (any, *apiError) { return s.sendMedia(p, "document") }

// Upload is a file the bot uploaded, as the fake keeps it for tests.
type Upload struct {
	Name string
	Data []byte
}

// Upload returns the file the bot uploaded under fileID.
func (s *Server) Upload(fileID string) (Upload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[fileID]
	return u, ok
}

// sendMedia sends a photo or document again by its file id, or an
// uploaded document (multipart/form-data).
func (s *Server) sendMedia(p params, kind string) (any, *apiError) {
	fileID := p[kind]
	if data, up := p[uploadKey+kind]; up {
		if data == "" {
			return nil, badRequest("file must be non-empty")
		}
		fileID = s.newFileID(kind)
		s.uploads[fileID] = Upload{Name: p[uploadNameKey+kind], Data: []byte(data)}
	}
	if fileID == "" {
		return nil, badRequest("there is no %s in the request", kind)
	}
	have, ok := s.files[fileID]
	if !ok && kind == "photo" {
		// A smaller size of a known photo is fine too.
		if base, cut := cutSuffix(fileID, "_s"); cut {
			have, ok = s.files[base]
			fileID = base
		}
	}
	switch {
	case !ok:
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	case have != kind:
		return nil, badRequest("can't use file of type %s as %s", capitalize(have), capitalize(kind))
	}
	caption, ents, aerr := formatCaption(p["caption"], p["parse_mode"], p["caption_entities"])
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
	if aerr := s.checkRate(c.id); aerr != nil {
		return nil, aerr
	}
	m := s.newMessage(c, s.bot.ID)
	m.caption, m.parseMode, m.entities, m.markup = caption, p["parse_mode"], ents, markup
	if kind == "photo" {
		m.photo = fileID
	} else {
		m.document, m.fileName = fileID, s.uploads[fileID].Name
	}
	s.emit("bot_message", c.id, s.bot.ID, "["+kind+"] "+caption)
	return s.wireMessage(c, m), nil
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// formatCaption applies parse_mode to a caption, which may be empty, and
// checks its length in UTF-16 code units after entity parsing.
func formatCaption(text, parseMode, entitiesJSON string) (string, []MessageEntity, *apiError) {
	if strings.TrimSpace(text) == "" {
		return "", nil, nil
	}
	caption, ents, aerr := formatText(text, parseMode, entitiesJSON)
	switch {
	case aerr != nil && aerr.desc == "Bad Request: message is too long",
		aerr == nil && utf16Len(caption) > maxCaptionLength:
		return "", nil, badRequest("message caption is too long")
	case aerr != nil && aerr.desc == "Bad Request: message text is empty":
		return "", nil, nil
	}
	return caption, ents, aerr
}
