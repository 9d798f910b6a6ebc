package bot

import (
	"context"
	"fmt"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Choice is one button under a reply. Data comes back to the bot as a
// callback ("prefix:payload", at most 64 bytes, routed by the tables); a
// URL opens a page instead. Labels are plain text.
type Choice struct {
	Label string
	Data  string
	URL   string
}

// MediaKind is the kind of a file sent by reference.
type MediaKind string

// Media kinds.
const (
	MediaPhoto    MediaKind = "photo"
	MediaDocument MediaKind = "document"
)

// Conversation is how a feature talks with the chat a request came from,
// whatever the platform. Telegram shows choices as inline keyboards and
// text as HTML (telegramChat); a QQ transport (OneBot v11) would show
// numbered choices and message segments. The two other things a feature
// does with people are platform-neutral already: asking for the next
// message is the dialogue registry (core.ask; the answer arrives as the
// next request), and acting on a group member is groups.Platform, which
// Platform implements for Telegram.
type Conversation interface {
	// Reply sends text (HTML, arguments escaped by T) with rows of choices.
	Reply(ctx context.Context, text string, choices [][]Choice) error
	// SendMedia sends a file the platform holds, by its reference (a
	// Telegram file_id): nothing is downloaded.
	SendMedia(ctx context.Context, kind MediaKind, ref string) error
}

// telegramChat is the Telegram transport: HTML and inline keyboards,
// through the rate-limited sender.
type telegramChat struct {
	sender *Sender
	chatID int64
}

func (t telegramChat) Reply(ctx context.Context, text string, choices [][]Choice) error {
	msg := tgbotapi.NewMessage(t.chatID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if kb := keyboard(choices); len(kb.InlineKeyboard) > 0 {
		msg.ReplyMarkup = kb
	}
	_, err := t.sender.Send(ctx, Interactive, t.chatID, msg)
	return err
}

func (t telegramChat) SendMedia(ctx context.Context, kind MediaKind, ref string) error {
	var media tgbotapi.Chattable = tgbotapi.NewDocument(t.chatID, tgbotapi.FileID(ref))
	if kind == MediaPhoto {
		media = tgbotapi.NewPhoto(t.chatID, tgbotapi.FileID(ref))
	}
	if _, err := t.sender.Send(ctx, Interactive, t.chatID, media); err != nil {
		return fmt.Errorf("send %s: %w", kind, err)
	}
	return nil
}

// keyboard turns rows of choices into Telegram's inline keyboard; empty
// rows are left out.
func keyboard(choices [][]Choice) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(choices))
	for _, cs := range choices {
		if len(cs) == 0 {
			continue
		}
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(cs))
		for _, c := range cs {
			if c.URL != "" {
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(c.Label, c.URL))
			} else {
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(c.Label, c.Data))
			}
		}
		rows = append(rows, row)
	}
	return tgbotapi.NewInlineKeyboardMarkup(rows...)
}

// Said is one thing a MemoryChat was told.
type Said struct {
	Text    string
	Choices [][]Choice
	Media   MediaKind // with Ref, for a file sent by reference
	Ref     string
}

// MemoryChat is an in-memory Conversation that records what was said.
// Handler tests use it with the real services and store; it is also the
// smallest example of a transport.
type MemoryChat struct {
	mu   sync.Mutex
	said []Said
}

func (m *MemoryChat) Reply(_ context.Context, text string, choices [][]Choice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.said = append(m.said, Said{Text: text, Choices: choices})
	return nil
}

func (m *MemoryChat) SendMedia(_ context.Context, kind MediaKind, ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.said = append(m.said, Said{Media: kind, Ref: ref})
	return nil
}

// Said returns what the chat was told, in order.
func (m *MemoryChat) Said() []Said {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Said(nil), m.said...)
}
