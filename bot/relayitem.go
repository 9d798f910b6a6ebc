package bot

import (
	"encoding/json"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
)

// RelayItem is a relayed or broadcast message as a platform that cannot
// copy it sends it again (QQ has no copyMessage): its text or caption and
// its picture or file. It is kept with the message's reference
// (sessions.MessageRef.Items), so a restart still has it.
type RelayItem struct {
	Text string `json:"text,omitempty"` // the text, or a picture's or file's caption
	// Photo and Document are Telegram file ids, or QQ's references (its
	// URL or file) when QQ is set.
	Photo    string `json:"photo,omitempty"`
	Document string `json:"document,omitempty"`
	Name     string `json:"name,omitempty"` // the document's file name
	QQ       bool   `json:"qq,omitempty"`   // the message came from QQ
	// ID is a QQ message's id, to read it whole again (get_msg): QQ sends
	// several pictures in one message, of which the fields above keep the
	// first.
	ID int `json:"id,omitempty"`
}

// ItemOf keeps what the message needs to be sent again: a Telegram
// message's text or caption, its largest photo and its document by file
// id; a QQ message's the same by QQ's references.
func ItemOf(m *tgbotapi.Message) string {
	it := RelayItem{Text: m.Text, QQ: m.Chat != nil && shequn.IsQQ(m.Chat.ID)}
	if it.QQ {
		it.ID = m.MessageID
	}
	if it.Text == "" {
		it.Text = m.Caption
	}
	if n := len(m.Photo); n > 0 {
		it.Photo = m.Photo[n-1].FileID
	}
	if d := m.Document; d != nil {
		it.Document, it.Name = d.FileID, d.FileName
	}
	b, err := json.Marshal(it)
	if err != nil {
		return "" // strings only: cannot fail
	}
	return string(b)
}

// ParseItem reads an item ItemOf kept; false for one it cannot read.
func ParseItem(s string) (RelayItem, bool) {
	var it RelayItem
	if s == "" || json.Unmarshal([]byte(s), &it) != nil {
		return it, false
	}
	return it, true
}
