package telegramtest

import "fmt"

// SendPhotoData makes a user send a photo with its content and an
// optional caption, so that the bot can download it (getFile) as it can
// any photo on Telegram. It returns the message id and the file id.
func (s *Server) SendPhotoData(fromUserID, chatID int64, caption string, data []byte) (int, string, error) {
	if err := userCaption(caption); err != nil {
		return 0, "", err
	}
	var fileID string
	id, err := s.userSend(fromUserID, chatID, func(m *message) {
		fileID = s.newFileID("photo")
		m.photo, m.caption = fileID, caption
		if s.userFiles == nil {
			s.userFiles = map[string]userFile{}
		}
		s.userFiles[fileID] = userFile{data: data, path: fmt.Sprintf("photos/file_%d.jpg", len(s.userFiles))}
	})
	return id, fileID, err
}
