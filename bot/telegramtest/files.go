package telegramtest

import (
	"fmt"
	"net/http"
	"strings"
)

// maxDownload is the largest file the Bot API lets a bot download
// (getFile answers "file is too big" above it).
const maxDownload = 20 << 20

// userFile is a file a user sent, with its content, so that the bot can
// download it (getFile, then GET /file/bot<token>/<file_path>).
type userFile struct {
	data []byte
	path string
}

// SendDocumentData makes a user send a document with its content and an
// optional caption, as SendDocument does; the bot can download it. It
// returns the message id and the document's file id.
func (s *Server) SendDocumentData(fromUserID, chatID int64, fileName, caption string, data []byte) (int, string, error) {
	if err := userCaption(caption); err != nil {
		return 0, "", err
	}
	var fileID string
	id, err := s.userSend(fromUserID, chatID, func(m *message) {
		fileID = s.newFileID("document")
		m.document, m.fileName, m.caption = fileID, fileName, caption
		if s.userFiles == nil {
			s.userFiles = map[string]userFile{}
		}
		s.userFiles[fileID] = userFile{data: data, path: fmt.Sprintf("documents/file_%d%s", len(s.userFiles), ext(fileName))}
	})
	return id, fileID, err
}

func ext(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// apiGetFile answers getFile: the file's path for the download, for a file
// the fake knows the content of.
func (s *Server) apiGetFile(p params) (any, *apiError) {
	id := p["file_id"]
	if id == "" {
		return nil, badRequest("file_id is empty")
	}
	f, ok := s.userFiles[id]
	if _, known := s.files[id]; !known || !ok {
		return nil, badRequest("wrong file_id or the file is temporarily unavailable")
	}
	if len(f.data) > maxDownload {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": id, "file_unique_id": id[:8], "file_size": len(f.data), "file_path": f.path}, nil
}

// serveFile answers GET /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		http.NotFound(w, nil)
		return
	}
	s.mu.Lock()
	var data []byte
	found := false
	for _, f := range s.userFiles {
		if f.path == path {
			data, found = f.data, true
		}
	}
	s.mu.Unlock()
	if !found {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}
