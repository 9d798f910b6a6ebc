package telegramtest

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestMediaByFileID(t *testing.T) {
	srv := New("42:media")
	defer srv.Close()
	srv.AddUser(User{ID: 7, FirstName: "A"})
	bot, err := tgbotapi.NewBotAPIWithClient("42:media", srv.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, photo, err := srv.SendPhoto(7, 7, "my homework")
	if err != nil {
		t.Fatal(err)
	}
	_, doc, err := srv.SendDocument(7, 7, "slides.pptx", "")
	if err != nil {
		t.Fatal(err)
	}
	updates, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(updates) != 2 {
		t.Fatalf("updates: %v %d", err, len(updates))
	}
	got := updates[0].Message
	if len(got.Photo) == 0 || got.Photo[len(got.Photo)-1].FileID != photo || got.Caption != "my homework" {
		t.Fatalf("photo message = %+v", got)
	}
	if d := updates[1].Message.Document; d == nil || d.FileID != doc || d.FileName != "slides.pptx" {
		t.Fatalf("document message = %+v", updates[1].Message)
	}
	cases := []struct {
		name string
		c    tgbotapi.Chattable
		want string
	}{
		{"photo again", tgbotapi.NewPhoto(7, tgbotapi.FileID(photo)), ""},
		{"document again", tgbotapi.NewDocument(7, tgbotapi.FileID(doc)), ""},
		{"unknown id", tgbotapi.NewPhoto(7, tgbotapi.FileID("nope")), "Bad Request: wrong file identifier/HTTP URL specified"},
		{"document as photo", tgbotapi.NewPhoto(7, tgbotapi.FileID(doc)), "Bad Request: can't use file of type Document as Photo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := bot.Send(c.c)
			var apiErr *tgbotapi.Error
			switch {
			case c.want == "" && err != nil:
				t.Fatal(err)
			case c.want != "" && (!errors.As(err, &apiErr) || apiErr.Message != c.want):
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	if m, _ := srv.LastBotMessage(7); m.DocumentFileID != doc {
		t.Fatalf("last bot message = %+v", m)
	}
}

// Captions are measured like texts: in UTF-16 code units after the HTML is
// parsed, so 512 emoji fit and 513 do not.
func TestCaptionLimitInUTF16Units(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	_, doc, err := srv.SendDocument(alice, alice, "a.pdf", "")
	mustNoErr(t, err)
	for _, tc := range []struct {
		name, caption, mode, desc string
	}{
		{name: "1024 units", caption: strings.Repeat("😀", 512)},
		{name: "1024 after entities", caption: "<b>" + strings.Repeat("&amp;", 1024) + "</b>", mode: "HTML"},
		{name: "1026 units", caption: strings.Repeat("😀", 513), desc: "Bad Request: message caption is too long"},
		{name: "1025 CJK", caption: strings.Repeat("作", 1025), desc: "Bad Request: message caption is too long"},
		{name: "longer than a text", caption: strings.Repeat("x", 5000), desc: "Bad Request: message caption is too long"},
		{name: "bad html", caption: "a < b", mode: "HTML", desc: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tgbotapi.NewDocument(alice, tgbotapi.FileID(doc))
			cfg.Caption, cfg.ParseMode = tc.caption, tc.mode
			_, err := bot.Send(cfg)
			if tc.desc == "" {
				mustNoErr(t, err)
				return
			}
			wantAPIError(t, err, 400, tc.desc)
		})
	}
}

// A document the bot uploads is kept, so tests can read what it sent.
func TestDocumentUpload(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	cfg := tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "review-12.txt", Bytes: []byte("全文 full text")})
	cfg.Caption = "the rest"
	msg, err := bot.Send(cfg)
	mustNoErr(t, err)
	if msg.Document == nil || msg.Document.FileName != "review-12.txt" || msg.Caption != "the rest" {
		t.Fatalf("message = %+v", msg)
	}
	up, ok := srv.Upload(msg.Document.FileID)
	if !ok || up.Name != "review-12.txt" || string(up.Data) != "全文 full text" {
		t.Fatalf("upload = %+v, %v", up, ok)
	}
	// The uploaded file can be sent again by its id.
	_, err = bot.Send(tgbotapi.NewDocument(alice, tgbotapi.FileID(msg.Document.FileID)))
	mustNoErr(t, err)
	// telegram-bot-api v5.5.1 leaves the code out of errors of uploads.
	_, err = bot.Send(tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "empty.txt"}))
	wantAPIError(t, err, 0, "Bad Request: file must be non-empty")
}

// A user cannot send more than Telegram takes in one message.
func TestUserTextLimit(t *testing.T) {
	srv, _ := newBot(t)
	if _, err := srv.SendText(alice, alice, strings.Repeat("作", 4096)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SendText(alice, alice, strings.Repeat("😀", 2049)); err == nil {
		t.Fatal("a text of 4098 units was taken")
	}
	if _, _, err := srv.SendPhoto(alice, alice, strings.Repeat("😀", 512)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.SendPhoto(alice, alice, strings.Repeat("😀", 513)); err == nil {
		t.Fatal("a caption of 1026 units was taken")
	}
}
