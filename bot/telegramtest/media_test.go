package telegramtest

import (
	"errors"
	"net/http"
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
