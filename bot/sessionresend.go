package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/sessions"
)

// Most a QQ picture or file may weigh to be uploaded into Telegram again
// (the Bot API takes 10 MB photos and 50 MB documents).
const (
	maxResendPhoto    = 10 << 20
	maxResendDocument = 50 << 20
)

// resend sends a message a speaker or an admin sent on QQ into a Telegram
// chat: Telegram cannot copy what it never had, so the message is sent
// again from what the bot kept of it (RelayItem), its picture or file
// downloaded from QQ's URL and uploaded.
func (p *SessionPlatform) resend(ctx context.Context, pri Priority, chatID int64, ref sessions.MessageRef) error {
	if len(ref.Items) == 0 {
		return fmt.Errorf("resend into %d: nothing kept of the message: %w", chatID, sessions.ErrSourceGone)
	}
	for _, raw := range ref.Items {
		it, ok := ParseItem(raw)
		if !ok {
			return fmt.Errorf("resend into %d: unreadable item: %w", chatID, sessions.ErrSourceGone)
		}
		if _, err := p.Sender.Send(ctx, pri, chatID, p.again(ctx, chatID, it)); err != nil {
			return copyError("resend", chatID, err)
		}
	}
	return nil
}

// again is the Telegram message that carries an item: the picture or the
// file uploaded with its caption, else the text (a picture or a file not
// downloaded is named by a line before the caption).
func (p *SessionPlatform) again(ctx context.Context, chatID int64, it RelayItem) tgbotapi.Chattable {
	switch {
	case it.Photo != "":
		if b, err := p.download(ctx, it.Photo, maxResendPhoto); err == nil {
			c := tgbotapi.NewPhoto(chatID, tgbotapi.FileBytes{Name: "picture.jpg", Bytes: b})
			c.Caption = it.Text
			return c
		}
		return tgbotapi.NewMessage(chatID, joinLine(Label(Chinese, "qq.session.photo"), it.Text))
	case it.Document != "":
		if b, err := p.download(ctx, it.Document, maxResendDocument); err == nil {
			name := it.Name
			if name == "" {
				name = "file"
			}
			c := tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: name, Bytes: b})
			c.Caption = it.Text
			return c
		}
		return tgbotapi.NewMessage(chatID, joinLine(Label(Chinese, "qq.session.file")+" "+it.Name, it.Text))
	}
	return tgbotapi.NewMessage(chatID, it.Text)
}

func joinLine(a, b string) string {
	if b == "" {
		return a
	}
	return a + "\n" + b
}

// download reads a QQ picture or file by its URL, at most max bytes.
func (p *SessionPlatform) download(ctx context.Context, url string, max int64) ([]byte, error) {
	if p.Client == nil {
		return nil, fmt.Errorf("download %s: no HTTP client", url)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	res, err := p.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: status %d", url, res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if int64(len(b)) > max || len(b) == 0 {
		return nil, fmt.Errorf("download %s: %d bytes: %w", url, len(b), ErrFileTooBig)
	}
	return b, nil
}
